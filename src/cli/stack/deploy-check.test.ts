// A stack deploy against the real Control handlers on a real MemoryStore
// (writes go through the batch codec, as Raft carries them): the cluster,
// not the CLI, decides whether an existing secret or config may take the
// files' content, and a refusal stops the deploy before its first call.
import { describe, expect, it } from 'vitest';
import { codec, type ControlService } from '../../gen/index.js';
import type { MemoryStore } from '../../manager/index.js';
import { controlOnMemoryStore } from '../../manager/control/in-memory.test-support.js';
import type { RpcClient } from '../../rpc/index.js';
import { loadStack, type Stack } from '../../stack/index.js';
import type { Output } from '../output.js';
import type { StackControl } from './control.js';
import { checkDataObjects, prepareDeploy } from './deploy-check.js';
import { applyDeploy } from './deploy-apply.js';

const TOKEN = 'tok-0123456789abcdef';

function inProcessCluster() {
  const { store, log, control: handlers } = controlOnMemoryStore({ spec: codec.ClusterSpec.fromPartial({ annotations: { name: 'default' }, defaultAddrPool: ['10.40.0.0/16'], subnetSize: 24 }) });
  // The handlers as a client would call them (same requests, same RpcErrors).
  const control = Object.fromEntries(Object.entries(handlers).map(([name, fn]) => [name, (req: unknown) => (fn as (r: unknown, c: unknown) => Promise<unknown>)(req, {})])) as unknown as RpcClient<typeof ControlService> & StackControl;
  return { store, log, control };
}

function capture(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`) };
}

const compose = (secretLabels = '', configLabels = '') => `
services:
  web:
    image: shoal-test/busybox:latest
    configs: [index]
  worker:
    image: shoal-test/busybox:latest
    secrets: [token]
secrets:
  token: { file: ./token.txt${secretLabels} }
configs:
  index: { file: ./index.html${configLabels} }
`;

function load(text: string, token = TOKEN, page = '<h1>hi</h1>'): Stack {
  const files: Record<string, string> = { '/app/token.txt': token, '/app/index.html': page };
  const r = loadStack({ stackName: 'app', env: {}, readFile: (p) => (p in files ? new TextEncoder().encode(files[p]) : undefined), files: [{ path: '/app/docker-compose.yml', text }] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

async function deploy(stack: Stack, control: StackControl): Promise<{ ok: boolean; lines: string[] }> {
  const planned = await prepareDeploy(stack, control, { prune: false });
  if (!planned.ok) return { ok: false, lines: [...planned.errors] };
  const output = capture();
  await applyDeploy(planned.plan, control, output);
  return { ok: true, lines: output.lines };
}

const versions = (store: MemoryStore) => Object.fromEntries([...store.list('service'), ...store.list('secret'), ...store.list('config')].map((o) => [o.spec?.annotations?.name ?? '', o.meta?.version?.index]));

describe('stack deploy with the cluster checking secrets and configs', () => {
  it('refuses a changed secret file before any call, in the cluster\'s words, without the data', async () => {
    const { store, control, log } = inProcessCluster();
    const first = await deploy(load(compose()), control);
    expect(first).toEqual({ ok: true, lines: ['Creating network app_default', 'Creating secret app_token', 'Creating config app_index', 'Creating service app_web', 'Creating service app_worker'] });
    const before = codec.StoreSnapshot.encode(store.snapshot());
    const entries = log.length;
    const changed = await deploy(load(compose(), 'tok-rotated-value'), control);
    expect(changed).toEqual({ ok: false, lines: ['secret app_token already exists with different content, and secrets cannot be changed: put the new content under a new name (e.g. app_token_v2, "name: app_token_v2" in a Compose file) and point the services at it'] });
    // Nothing written: not even the services' unchanged specs.
    expect(log.length).toBe(entries);
    expect(Buffer.from(codec.StoreSnapshot.encode(store.snapshot())).equals(Buffer.from(before))).toBe(true);
    expect(log.some((e) => Buffer.from(e).includes(Buffer.from(TOKEN)))).toBe(false);
  });

  it('reports a changed secret and a changed config together, with the planner\'s own errors', async () => {
    const { control } = inProcessCluster();
    await deploy(load(compose()), control);
    const text = compose().replace('    configs: [index]\n', '    configs: [index]\n    networks: [outside]\n') + 'networks:\n  outside: { external: true }\n';
    const r = await deploy(load(text, 'other', '<h1>new</h1>'), control);
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([
      'network "outside" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed',
      expect.stringMatching(/^secret app_token already exists with different content, and secrets cannot be changed: /),
      expect.stringMatching(/^config app_index already exists with different content, and configs cannot be changed: put the new content under a new name \(e\.g\. app_index_v2/),
    ]);
  });

  it('applies changed labels on the secret and config, and names every service as updated without sending one', async () => {
    const { store, control } = inProcessCluster();
    await deploy(load(compose()), control);
    const before = versions(store);
    const r = await deploy(load(compose(', labels: { rotation: monthly }', ', labels: [tier=web]')), control);
    expect(r.ok).toBe(true);
    const [web, worker] = ['app_web', 'app_worker'].map((n) => store.list('service').find((s) => s.spec?.annotations?.name === n)!.id);
    expect(r.lines).toEqual([`Updating service app_web (id: ${web})`, `Updating service app_worker (id: ${worker})`]);
    const after = versions(store);
    expect([after.app_web, after.app_worker]).toEqual([before.app_web, before.app_worker]);
    expect(after.app_token).toBeGreaterThan(before.app_token!);
    expect(after.app_index).toBeGreaterThan(before.app_index!);
    expect(store.list('secret')[0]?.spec?.annotations?.labels).toEqual({ 'com.docker.stack.namespace': 'app', rotation: 'monthly' });
    expect(store.list('config')[0]?.spec?.annotations?.labels).toEqual({ 'com.docker.stack.namespace': 'app', tier: 'web' });
    // Deploying the same files again changes nothing at all.
    const again = await deploy(load(compose(', labels: { rotation: monthly }', ', labels: [tier=web]')), control);
    expect(again.lines).toEqual(r.lines);
    expect(versions(store)).toEqual(after);
  });

  it('passes on failures that are not about the files', async () => {
    const { control } = inProcessCluster();
    const broken = { ...control, updateSecret: () => Promise.reject(new Error('the swarm does not have a leader')) };
    await expect(checkDataObjects([{ kind: 'secret', name: 's', id: 'x', version: undefined, spec: { annotations: { name: 's', labels: {} }, data: new Uint8Array([1]) } }], broken)).rejects.toThrow('the swarm does not have a leader');
  });
});
