// Loading never throws, whatever the file says: every problem is a value.
// Randomized: the seed is printed and can be replayed with STACK_FUZZ_SEED.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadStack } from './load.js';

const seed = Number(process.env.STACK_FUZZ_SEED ?? Date.now() % 2 ** 31);

const scalar = fc.oneof(
  fc.constantFrom('a', '80:80', '8080:80/udp', '1m30s', '0.5', '512M', 'x=y', 'node.role == worker', '${V}', '${V:-d}', '$$', 'data:/data', './d:/d:ro', '/abs', 'on-failure', 'global', 'dnsrr', 'start-first'),
  fc.integer({ min: -2, max: 70000 }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('source', 'target', 'published', 'mode', 'aliases', 'condition', 'cpus', 'memory', 'test', 'file', 'external', 'name', 'driver', 'limits', 'reservations', 'replicas', 'placement', 'constraints', 'spread', 'soft', 'hard'), tie('v'), { maxKeys: 3 })),
})).v;
const serviceKeys = ['image', 'command', 'entrypoint', 'environment', 'labels', 'ports', 'networks', 'deploy', 'secrets', 'configs', 'healthcheck', 'volumes', 'tmpfs', 'extra_hosts', 'dns', 'ulimits', 'sysctls', 'depends_on', 'logging', 'stop_grace_period', 'restart', 'cap_add', 'env_file'];
const service = fc.dictionary(fc.constantFrom(...serviceKeys), value, { maxKeys: 6 });
const file = fc.record({
  services: fc.dictionary(fc.constantFrom('web', 'db', 'worker'), service, { maxKeys: 3 }),
  networks: fc.dictionary(fc.constantFrom('front', 'back', 'default'), value, { maxKeys: 2 }),
  volumes: fc.dictionary(fc.constantFrom('data'), value, { maxKeys: 1 }),
  secrets: fc.dictionary(fc.constantFrom('s', 'data'), value, { maxKeys: 2 }),
});

describe('robustness', () => {
  it(`never throws on compose-shaped random files (seed ${seed})`, () => {
    fc.assert(
      fc.property(file, fc.boolean(), (f, withReader) => {
        const text = stringify(f);
        const r = loadStack({ stackName: 's', env: { V: '1' }, files: [{ path: '/s/docker-compose.yml', text }], readFile: withReader ? () => new Uint8Array([1]) : undefined });
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
      }),
      { seed, numRuns: 300 },
    );
  });

  it(`never throws on arbitrary text (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = loadStack({ stackName: 's', env: {}, files: [{ path: '/s/a.yml', text }] });
        expect(typeof r.ok).toBe('boolean');
      }),
      { seed, numRuns: 300 },
    );
  });

  it(`converts schema-valid random services without throwing (seed ${seed})`, () => {
    const portItem = fc.oneof(fc.constantFrom('80', '80:80', '1-2:3-4', '127.0.0.1:80:80/udp', '8000-8001:80'), fc.record({ target: fc.integer({ min: 0, max: 70000 }), published: fc.integer({ min: 0, max: 70000 }) }));
    const svc = fc.record(
      {
        image: fc.constantFrom('a', 'Bad/Image', 'reg.io:5000/x/y:1'),
        command: fc.oneof(fc.string(), fc.array(fc.string())),
        ports: fc.array(portItem, { maxLength: 3 }),
        environment: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        volumes: fc.array(fc.constantFrom('/x', 'data:/d', './a:/b:ro', 'nope:/z', '~/h:/h'), { maxLength: 3 }),
        stop_grace_period: fc.constantFrom('1s', '1m30s', 'soon'),
      },
      { requiredKeys: ['image'] },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b'), svc), (services) => {
        const r = loadStack({ stackName: 's', env: {}, files: [{ path: '/s/c.yml', text: stringify({ services, volumes: { data: {} } }) }] });
        expect(typeof r.ok).toBe('boolean');
      }),
      { seed, numRuns: 300 },
    );
  });
});
