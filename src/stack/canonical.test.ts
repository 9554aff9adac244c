// Redeploying the same file changes nothing; changing one service updates only it.
import { describe, expect, it } from 'vitest';
import { canonicalJson, planServices, sameServiceSpec } from './canonical.js';
import { loadOk } from './load.test-support.js';

const text = `services:
  web:
    image: shoal-test/busybox:latest
    environment: {B: 2, A: 1}
    labels: {z: 1, a: 2}
    ports: ["9090:90", "8080:80"]
    secrets: [s2, s1]
    deploy: {update_config: {max_failure_ratio: 0.1}}
  worker:
    image: shoal-test/busybox:latest
    command: sleep 1000
secrets:
  s1: {external: true}
  s2: {external: true}
`;

describe('stable specs', () => {
  it('loading the same file twice gives identical specs, byte for byte', () => {
    const a = loadOk(text).stack;
    const b = loadOk(text).stack;
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(planServices(a.services, b.services)).toEqual({ create: [], update: [], unchanged: ['shop_web', 'shop_worker'], prune: [] });
  });

  it('does not depend on the order keys and list items are written in', () => {
    const reordered = text.replace('{B: 2, A: 1}', '{A: 1, B: 2}').replace('{z: 1, a: 2}', '{a: 2, z: 1}').replace('["9090:90", "8080:80"]', '["8080:80", "9090:90"]').replace('[s2, s1]', '[s1, s2]');
    const a = loadOk(text).stack.services;
    const b = loadOk(reordered).stack.services;
    expect(a.every((s, i) => sameServiceSpec(s, b[i] as typeof s))).toBe(true);
  });

  it('changing one service updates only that one; new and removed services are told apart', () => {
    const current = loadOk(text).stack.services;
    const changed = loadOk(text.replace('sleep 1000', 'sleep 2000').replace('  worker:', '  extra:\n    image: x\n  worker:')).stack.services.filter((s) => s.annotations?.name !== 'shop_web');
    expect(planServices(current, changed)).toEqual({ create: ['shop_extra'], update: ['shop_worker'], unchanged: [], prune: ['shop_web'] });
  });

  it('ignores what the cluster fills in (resolved IDs, forceUpdate)', () => {
    const desired = loadOk(text).stack.services;
    const stored = desired.map((s) => ({
      ...s,
      task: s.task && {
        ...s.task,
        forceUpdate: 3,
        container: s.task.container && { ...s.task.container, secrets: s.task.container.secrets.map((r) => ({ ...r, secretId: 'abc' })) },
      },
    }));
    expect(planServices(stored, desired).unchanged).toEqual(['shop_web', 'shop_worker']);
  });

  it('canonicalJson sorts keys and encodes bytes', () => {
    expect(canonicalJson({ b: 1, a: { d: new Uint8Array([1, 2]), c: undefined } })).toBe('{"a":{"d":{"$bytes":"AQI="}},"b":1}');
  });
});
