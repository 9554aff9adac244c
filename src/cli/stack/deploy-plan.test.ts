import { describe, expect, it } from 'vitest';
import type { Config, Network, Secret, Service, ServiceSpec } from '../../gen/index.js';
import { loadStack, type Stack } from '../../stack/index.js';
import { planDeploy, withObjectIds, type ClusterView, type DeployStep } from './deploy-plan.js';
import { planRemove } from './remove.js';

const files: Record<string, string> = {
  '/app/token.txt': 's3cret',
  '/app/index.html': '<h1>hi</h1>',
  '/app/empty.txt': '',
  '/app/600k.txt': 'x'.repeat(600 * 1024),
};
const readFile = (p: string) => (p in files ? new TextEncoder().encode(files[p]) : undefined);

function load(text: string, name = 'app'): Stack {
  const r = loadStack({ stackName: name, env: {}, readFile, files: [{ path: '/app/docker-compose.yml', text }] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const compose = `
services:
  web:
    image: shoal-test/busybox:latest
    command: httpd -f -p 80
    deploy: { replicas: 2 }
    configs: [index]
  worker:
    image: shoal-test/busybox:latest
    command: sleep 3600
    secrets: [token]
secrets:
  token: { file: ./token.txt }
configs:
  index: { file: ./index.html }
`;

const empty: ClusterView = { services: [], networks: [], secrets: [], configs: [] };
const summary = (steps: readonly DeployStep[]) => steps.map((s) => `${s.kind} ${s.name}`);
const label = (ns: string) => ({ 'com.docker.stack.namespace': ns });

// What the cluster holds after `plan` was applied: the specs as sent, IDs by name.
function deployed(stack: Stack, extra: Partial<ClusterView> = {}): ClusterView {
  const secrets: Secret[] = stack.secrets.map((s) => ({ id: `sec-${s.key}`, spec: { ...s.spec, data: new Uint8Array() } }));
  const configs: Config[] = stack.configs.map((c) => ({ id: `cfg-${c.key}`, spec: c.spec }));
  const networks: Network[] = stack.networks.map((n) => ({ id: `net-${n.key}`, spec: n.spec, ipam: [] }));
  const ids = (kind: 'secret' | 'config') => new Map((kind === 'secret' ? secrets : configs).map((o) => [o.spec?.annotations?.name ?? '', o.id]));
  const services: Service[] = stack.services.map((spec) => ({
    id: `svc-${spec.annotations?.name ?? ''}`,
    meta: { version: { index: 7 }, createdAtMs: 0, updatedAtMs: 0 },
    spec: withNetworkIds(withObjectIds(spec, ids('secret'), ids('config')), networks),
    forceUpdate: 0,
  }));
  return { services: [...services, ...(extra.services ?? [])], networks: [...networks, ...(extra.networks ?? [])], secrets: [...secrets, ...(extra.secrets ?? [])], configs: [...configs, ...(extra.configs ?? [])] };
}

// A cluster may store network IDs where the file says names.
function withNetworkIds(spec: ServiceSpec, networks: readonly Network[]): ServiceSpec {
  const id = new Map(networks.map((n) => [n.spec?.annotations?.name ?? '', n.id]));
  return { ...spec, task: spec.task ? { ...spec.task, networks: spec.task.networks.map((n) => ({ ...n, target: id.get(n.target) ?? n.target })) } : undefined };
}

describe('planDeploy', () => {
  it('creates networks, secrets, configs and services in Docker\'s order on a first deploy', () => {
    const r = planDeploy(load(compose), empty, { prune: false });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(summary(r.plan.steps)).toEqual(['create-network app_default', 'create-secret app_token', 'create-config app_index', 'create-service app_web', 'create-service app_worker']);
    const network = r.plan.steps[0];
    expect(network?.kind === 'create-network' && network.spec.driver?.name).toBe('overlay');
    expect(network?.kind === 'create-network' && network.spec.annotations?.labels).toEqual(label('app'));
  });

  it('changes nothing when the same files are deployed again, even with network IDs stored, but names every service and checks the data objects', () => {
    const stack = load(compose);
    const r = planDeploy(stack, deployed(stack), { prune: true });
    expect(r.ok && r.plan.steps).toEqual([{ kind: 'keep-service', name: 'app_web', id: 'svc-app_web' }, { kind: 'keep-service', name: 'app_worker', id: 'svc-app_worker' }]);
    expect(r.ok && r.plan.unchanged).toEqual(['app_web', 'app_worker']);
    expect(r.ok && r.plan.checks.map((c) => [c.kind, c.name, c.id])).toEqual([['secret', 'app_token', 'sec-token'], ['config', 'app_index', 'cfg-index']]);
    const secretCheck = r.ok ? r.plan.checks[0] : undefined;
    expect(new TextDecoder().decode(secretCheck?.spec.data)).toBe('s3cret');
  });

  it('updates only the service whose spec changed, at the version it read, keeping a forced update', () => {
    const before = deployed(load(compose));
    const forced = before.services.map((s) => (s.spec?.annotations?.name === 'app_web' ? { ...s, spec: { ...s.spec, task: { ...s.spec?.task, forceUpdate: 2 } } as ServiceSpec } : s));
    const r = planDeploy(load(compose.replace('replicas: 2', 'replicas: 5')), { ...before, services: forced }, { prune: false });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(summary(r.plan.steps)).toEqual(['update-service app_web', 'keep-service app_worker']);
    const step = r.plan.steps[0];
    expect(step?.kind === 'update-service' && [step.id, step.version?.index, step.spec.mode?.replicas, step.spec.task?.forceUpdate]).toEqual(['svc-app_web', 7, 5, 2]);
  });

  it('prunes services no longer in the files only with --prune, first', () => {
    const stack = load(compose);
    const without = load(compose.replace(/ {2}worker:[\s\S]*?secrets: \[token\]\n/, ''));
    expect(without.services.map((s) => s.annotations?.name)).toEqual(['app_web']);
    const kept = planDeploy(without, deployed(stack), { prune: false });
    expect(kept.ok && summary(kept.plan.steps)).toEqual(['keep-service app_web']);
    const pruned = planDeploy(without, deployed(stack), { prune: true });
    expect(pruned.ok && summary(pruned.plan.steps)).toEqual(['remove-service app_worker', 'keep-service app_web']);
  });

  it('refuses, with every reason and no steps, when external objects are missing or names are taken', () => {
    const text = `
services:
  web: { image: shoal-test/busybox:latest, networks: [outside], secrets: [given], configs: [shared] }
networks:
  outside: { external: true }
secrets:
  given: { external: true }
configs:
  shared: { external: true }
`;
    const stranger: Service = { id: 'x1', spec: { annotations: { name: 'app_web', labels: {} }, dependsOn: [] }, forceUpdate: 0 };
    const r = planDeploy(load(text), { ...empty, services: [stranger] }, { prune: false });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'network "outside" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed',
      'secret "given" is declared as external, but could not be found: create it with "shoal secret create given FILE" before deploying',
      'config "shared" is declared as external, but could not be found: create it with "shoal config create shared FILE" before deploying',
      'service app_web already exists and is not part of stack app: remove it (shoal service rm app_web), or deploy under another stack name',
    ]);
  });

  it('uses external objects that exist, and resolves references to their IDs', () => {
    const text = `
services:
  web: { image: shoal-test/busybox:latest, secrets: [given] }
secrets:
  given: { external: true }
`;
    const r = planDeploy(load(text), { ...empty, secrets: [{ id: 'ext1', spec: { annotations: { name: 'given', labels: {} }, data: new Uint8Array() } }] }, { prune: false });
    expect(r.ok && summary(r.plan.steps)).toEqual(['create-network app_default', 'create-service app_web']);
    if (!r.ok) return;
    const step = r.plan.steps[1];
    const spec = step?.kind === 'create-service' ? withObjectIds(step.spec, r.plan.secretIds, r.plan.configIds) : undefined;
    expect(spec?.task?.container?.secrets.map((s) => [s.secretName, s.secretId])).toEqual([['given', 'ext1']]);
  });

  it('refuses an empty secret file and a network of the same name outside the stack, and still lists the checks for the cluster', () => {
    const stack = load(compose);
    const r = planDeploy(load(compose.replace('./token.txt', './empty.txt')), { ...empty, configs: deployed(stack).configs, networks: [{ id: 'n1', spec: { annotations: { name: 'app_default', labels: {} }, internal: false, attachable: false, ingress: false, ipam: [], ipv6: false }, ipam: [] }] }, { prune: false });
    expect(!r.ok && r.errors).toEqual([
      'network app_default already exists and is not part of stack app: remove it, or declare it in the Compose file with external: true',
      'secret app_token: file /app/empty.txt is empty; a secret needs content',
    ]);
    expect(!r.ok && r.checks.map((c) => `${c.kind} ${c.name}`)).toEqual(['config app_index']);
  });

  it('holds secrets to 500 KB and configs to 1000 KB, as Docker does', () => {
    const big = compose.replace('./token.txt', './600k.txt').replace('./index.html', './600k.txt');
    const r = planDeploy(load(big), empty, { prune: false });
    expect(!r.ok && r.errors).toEqual([`secret app_token: file /app/600k.txt is ${600 * 1024} bytes; the limit is ${500 * 1024} bytes (500 KB)`]);
    const configOnly = planDeploy(load(compose.replace('./index.html', './600k.txt')), empty, { prune: false });
    expect(configOnly.ok && summary(configOnly.plan.steps)).toContain('create-config app_index');
  });

  it('creates nothing for an existing secret: the cluster checks its content, and only changed labels are sent', () => {
    const stack = load(compose);
    const { secrets } = deployed(stack);
    const r = planDeploy(stack, { ...empty, secrets }, { prune: false });
    expect(r.ok && summary(r.plan.steps)).toEqual(['create-network app_default', 'create-config app_index', 'create-service app_web', 'create-service app_worker']);
    expect(r.ok && r.plan.checks.map((c) => `${c.kind} ${c.name}`)).toEqual(['secret app_token']);
    const relabelled = load(compose.replace('token: { file: ./token.txt }', 'token: { file: ./token.txt, labels: { rotated: "2026" } }').replace('index: { file: ./index.html }', 'index: { file: ./index.html, labels: [tier=web] }'));
    const again = planDeploy(relabelled, deployed(stack), { prune: false });
    expect(again.ok && summary(again.plan.steps)).toEqual(['update-secret app_token', 'update-config app_index', 'keep-service app_web', 'keep-service app_worker']);
    const step = again.ok ? again.plan.steps[0] : undefined;
    expect(step?.kind === 'update-secret' && [step.id, step.spec.annotations?.labels]).toEqual(['sec-token', { ...label('app'), rotated: '2026' }]);
  });

  it('never relabels a same-named secret outside the stack, but still has the cluster check its content', () => {
    const stack = load(compose);
    const foreign: Secret = { id: 'mine', meta: { version: { index: 3 }, createdAtMs: 0, updatedAtMs: 0 }, spec: { annotations: { name: 'app_token', labels: { owner: 'ops' } }, data: new Uint8Array() } };
    const r = planDeploy(stack, { ...empty, secrets: [foreign] }, { prune: false });
    expect(r.ok && summary(r.plan.steps)).not.toContain('update-secret app_token');
    expect(r.ok && r.plan.checks.map((c) => [c.name, c.id, c.version?.index])).toEqual([['app_token', 'mine', 3]]);
  });
});

describe('planRemove', () => {
  it('lists services, then secrets, configs and networks, each by name', () => {
    const view = deployed(load(compose));
    expect(planRemove(view).map((r) => `${r.kind} ${r.name}`)).toEqual(['service app_web', 'service app_worker', 'secret app_token', 'config app_index', 'network app_default']);
    expect(planRemove(empty)).toEqual([]);
  });
});
