// Several -c files: later files override, as docker stack deploy merges.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
import { loadStack } from './load.js';
import { mergeFiles } from './merge.js';

function loadTwo(base: string, override: string, env: Record<string, string> = {}) {
  const r = loadStack({ stackName: 'app', env, files: [{ path: '/app/base.yml', text: base }, { path: '/app/override.yml', text: override }] });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.value;
}

describe('mergeFiles', () => {
  it('merges mappings key by key and replaces scalars', () => {
    expect(mergeFiles([{ services: { web: { image: 'a', deploy: { replicas: 1, labels: { a: '1' } } } } }, { services: { web: { deploy: { replicas: 3, labels: ['b=2'] } } } }])).toEqual({
      services: { web: { image: 'a', deploy: { replicas: 3, labels: { a: '1', b: '2' } } } },
    });
  });

  it('adds services and top-level objects from later files', () => {
    const merged = mergeFiles([{ services: { a: { image: 'x' } }, networks: { n1: {} } }, { services: { b: { image: 'y' } }, networks: { n2: { internal: true } } }]);
    expect(Object.keys(merged.services as object)).toEqual(['a', 'b']);
    expect(merged.networks).toEqual({ n1: {}, n2: { internal: true } });
  });
});

describe('merging through loadStack', () => {
  const base = `services:
  web:
    image: shoal-test/busybox:1
    command: httpd -f -p 80
    entrypoint: ["/bin/sh"]
    environment: [A=1, B=2]
    labels: {team: core}
    ports: ["8080:80", "9090:90"]
    volumes: ["data:/data", "/host:/logs"]
    secrets: [one, {source: two, target: t2}]
    cap_add: [NET_ADMIN]
    healthcheck: {test: ["CMD", "a"], interval: 5s}
    logging: {driver: json-file, options: {max-size: 1m, max-file: "2"}}
    networks: [front]
    deploy:
      replicas: 1
      placement: {constraints: [node.role == worker]}
volumes: {data: {}}
networks: {front: {}, back: {}}
secrets:
  one: {external: true}
  two: {external: true}
`;

  it('overrides scalars, merges maps, merges ports/volumes/secrets by key, appends additive lists, replaces commands', () => {
    const override = `services:
  web:
    image: shoal-test/busybox:2
    command: ["httpd", "-f", "-p", "81"]
    environment: {B: 3, C: 4}
    labels: [tier=web]
    ports: [{target: 80, published: 8081}]
    volumes: [{type: bind, source: /other, target: /logs}]
    secrets: [{source: two, target: renamed}]
    cap_add: [SYS_TIME]
    healthcheck: {test: ["CMD", "b"]}
    logging: {options: {max-size: 5m}}
    networks: {back: {aliases: [api]}}
    deploy:
      replicas: 2
      placement: {constraints: [node.labels.ssd == true]}
`;
    const stack = loadTwo(base, override);
    const s = stack.services[0];
    const c = s?.task?.container;
    expect(c?.image).toBe('shoal-test/busybox:2');
    expect(c?.args).toEqual(['httpd', '-f', '-p', '81']);
    expect(c?.command).toEqual(['/bin/sh']);
    expect(c?.env).toEqual(['A=1', 'B=3', 'C=4']);
    expect(c?.labels).toEqual({ 'com.docker.stack.namespace': 'app', team: 'core', tier: 'web' });
    expect(s?.endpoint?.ports.map((p) => `${p.publishedPort}:${p.targetPort}`)).toEqual(['8081:80', '9090:90']);
    expect(c?.mounts.map((m) => `${m.source}:${m.target}`)).toEqual(['app_data:/data', '/other:/logs']);
    expect(c?.secrets.map((r) => `${r.secretName}:${r.file?.name}`)).toEqual(['one:one', 'two:renamed']);
    expect(c?.capAdd).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_TIME']);
    expect(c?.healthcheck).toMatchObject({ test: ['CMD', 'b'], intervalMs: 5000 });
    expect(s?.task?.logDriver).toEqual({ name: 'json-file', options: { 'max-file': '2', 'max-size': '5m' } });
    expect(s?.task?.networks).toEqual([{ target: 'app_back', aliases: ['api', 'web'] }, { target: 'app_front', aliases: ['web'] }]);
    expect(s?.mode?.replicas).toBe(2);
    expect(s?.task?.placement?.constraints).toEqual(['node.role == worker', 'node.labels.ssd == true']);
    expect(s?.annotations?.labels['com.docker.stack.image']).toBe('shoal-test/busybox:2');
  });

  it('a logging block with another driver replaces the old one', () => {
    const stack = loadTwo(base, 'services:\n  web:\n    logging: {driver: syslog}\n');
    expect(stack.services[0]?.task?.logDriver).toEqual({ name: 'syslog', options: {} });
  });

  // The path is the merged one (the secret is the third after merging); the line is the override's.
  it('errors in the override file name that file and its line', () => {
    const r = loadStack({ stackName: 'app', env: {}, files: [{ path: '/app/base.yml', text: base }, { path: '/app/override.yml', text: 'services:\n  web:\n    secrets: [three]\n' }] });
    expect(r.ok === false && r.errors.map(formatDiagnostic)).toEqual(['/app/override.yml:3 services.web.secrets.2: undefined secret "three": declare it under the top-level secrets key']);
  });

  it('relative paths in every file start at the first file’s directory', () => {
    const r = loadStack({
      stackName: 'app', env: {},
      files: [{ path: '/app/docker-compose.yml', text: 'services:\n  web: {image: a}\n' }, { path: '/elsewhere/extra.yml', text: 'services:\n  web:\n    volumes: ["./html:/www"]\n' }],
    });
    expect(r.ok && r.value.services[0]?.task?.container?.mounts[0]?.source).toBe('/app/html');
  });
});
