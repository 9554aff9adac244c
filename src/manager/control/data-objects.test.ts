// Secrets and configs through the Control handlers on a real MemoryStore:
// every write goes through the batch codec, as Raft would carry it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codec, type StoreAction } from '../../gen/index.js';
import { SecretKeyring } from '../secrets/index.js';
import { decodeBatch, encodeBatch, MemoryStore } from '../store/index.js';
import { controlHandlers, type ControlDeps } from './index.js';

const PLAIN = 'correct-horse-battery-staple-42';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const has = (bytes: Uint8Array, needle: string): boolean => Buffer.from(bytes).includes(Buffer.from(needle));

function cluster() {
  const store = new MemoryStore();
  const log: Uint8Array[] = [];
  let index = 0;
  let ids = 0;
  const propose = (actions: StoreAction[]) => {
    const entry = encodeBatch({ proposalId: `p${index}`, actions, proposedAtMs: 1000 });
    log.push(entry);
    const decoded = decodeBatch(entry);
    if (!decoded.ok) throw new Error(decoded.error);
    return Promise.resolve(store.apply(decoded.value, ++index));
  };
  const deps: ControlDeps = {
    store,
    keyring: new SecretKeyring(randomBytes),
    propose,
    readBarrier: () => Promise.resolve(),
    newId: () => `id${++ids}`.padEnd(25, 'x'),
    randomName: () => 'random_name',
    nowMs: () => 1000,
    managerStatus: () => undefined,
    validatePlacement: () => undefined,
    removeManager: () => Promise.resolve(),
    newJoinToken: () => 'token',
  };
  const caKey = text('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
  store.apply({ proposalId: 'init', proposedAtMs: 0, actions: [{ kind: 'CREATE', object: { cluster: codec.Cluster.fromPartial({ id: 'c1', rootCa: { caKeyPem: caKey } }) } }] }, ++index);
  return { store, log, deps, control: controlHandlers(deps) };
}

const ctx = {} as never;
const serviceSpec = (secrets: string[], configs: string[] = []) =>
  codec.ServiceSpec.fromPartial({
    annotations: { name: 'web' },
    task: { container: { image: 'busybox', secrets: secrets.map((s) => ({ secretName: s, file: { name: s, uid: '0', gid: '0', mode: 0o444 } })), configs: configs.map((s) => ({ configName: s, file: { name: `/${s}`, uid: '0', gid: '0', mode: 0o444 } })) } },
  });

describe('secrets at rest', () => {
  it('never puts secret data in the Raft log, the store or a snapshot, and never returns it', async () => {
    const { store, log, control, deps } = cluster();
    const { secret } = await control.createSecret({ spec: { annotations: { name: 'db', labels: {} }, data: text(PLAIN) } }, ctx);
    expect(secret?.spec?.data.length).toBe(0);
    expect(log.some((entry) => has(entry, PLAIN))).toBe(false);
    expect(has(codec.StoreSnapshot.encode(store.snapshot()), PLAIN)).toBe(false);
    const stored = store.get('secret', secret!.id)!;
    expect(stored.spec?.data.length).toBeGreaterThan(PLAIN.length);
    // The first secret gave the cluster its wrapped data key in the same batch.
    const c = store.list('cluster')[0]!;
    expect(c.secretsDataKey.length).toBeGreaterThan(0);
    expect(Buffer.from(deps.keyring.open(c, stored).spec?.data ?? []).toString()).toBe(PLAIN);
    const got = await control.getSecret({ secretId: 'db' }, ctx);
    const listed = await control.listSecrets({ filter: undefined }, ctx);
    expect(got.secret?.spec?.data.length).toBe(0);
    expect(listed.secrets.every((s) => s.spec?.data.length === 0)).toBe(true);
  });

  it('keeps one data key for the cluster', async () => {
    const { store, control } = cluster();
    await control.createSecret({ spec: { annotations: { name: 'a', labels: {} }, data: text('1') } }, ctx);
    const key = store.list('cluster')[0]!.secretsDataKey;
    await control.createSecret({ spec: { annotations: { name: 'b', labels: {} }, data: text('2') } }, ctx);
    expect(Buffer.from(store.list('cluster')[0]!.secretsDataKey).equals(key)).toBe(true);
  });

  it('refuses oversize data in one line without the data, and duplicate names', async () => {
    const { control, store } = cluster();
    const big = text('x'.repeat(500 * 1024 + 1));
    await expect(control.createSecret({ spec: { annotations: { name: 'big', labels: {} }, data: big } }, ctx)).rejects.toThrow(/^secret big is 512001 bytes; the limit is 512000 bytes \(500 KB\): use a smaller file$/);
    await expect(control.createConfig({ spec: { annotations: { name: 'big', labels: {} }, data: text('x'.repeat(1000 * 1024 + 1)) } }, ctx)).rejects.toThrow(/limit is 1024000 bytes \(1000 KB\)/);
    expect(store.list('secret')).toHaveLength(0);
    await control.createSecret({ spec: { annotations: { name: 'a', labels: {} }, data: text('1') } }, ctx);
    await expect(control.createSecret({ spec: { annotations: { name: 'a', labels: {} }, data: text('1') } }, ctx)).rejects.toThrow('secret a already exists');
    await expect(control.createSecret({ spec: { annotations: { name: 'v', labels: {} }, data: text('1'), driver: { name: 'vault', options: {} } } }, ctx)).rejects.toThrow('secret v: secret drivers (plugins) are not supported by shoal; remove --driver to keep the data in the cluster');
  });
});

describe('service references', () => {
  it('resolves secret and config names to IDs, and refuses rm while in use', async () => {
    const { control, store } = cluster();
    const { secret } = await control.createSecret({ spec: { annotations: { name: 'db', labels: {} }, data: text(PLAIN) } }, ctx);
    const { config } = await control.createConfig({ spec: { annotations: { name: 'conf', labels: {} }, data: text('k=v') } }, ctx);
    const { service } = await control.createService({ spec: serviceSpec(['db'], ['conf']) }, ctx);
    expect(service?.spec?.task?.container?.secrets[0]).toMatchObject({ secretId: secret!.id, secretName: 'db' });
    expect(service?.spec?.task?.container?.configs[0]).toMatchObject({ configId: config!.id, configName: 'conf' });
    await expect(control.removeSecret({ secretId: 'db' }, ctx)).rejects.toThrow("secret 'db' is in use by the following service: web");
    await expect(control.removeConfig({ secretId: '', configId: 'conf' } as never, ctx)).rejects.toThrow("config 'conf' is in use by the following service: web");
    await control.removeService({ serviceId: 'web' }, ctx);
    await control.removeSecret({ secretId: 'db' }, ctx);
    await control.removeConfig({ configId: 'conf' }, ctx);
    expect(store.list('secret')).toHaveLength(0);
    expect(store.list('config')).toHaveLength(0);
  });

  it('refuses an unknown secret or a duplicate target and creates nothing', async () => {
    const { control, store } = cluster();
    await expect(control.createService({ spec: serviceSpec(['nosuch']) }, ctx)).rejects.toThrow('secret not found: nosuch; create it first with "shoal secret create nosuch FILE"');
    await control.createSecret({ spec: { annotations: { name: 'db', labels: {} }, data: text('1') } }, ctx);
    await expect(control.createService({ spec: serviceSpec(['db', 'db']) }, ctx)).rejects.toThrow('duplicate secret target for db not allowed');
    await expect(control.createService({ spec: serviceSpec([], ['nope']) }, ctx)).rejects.toThrow(/^config not found: nope/);
    expect(store.list('service')).toHaveLength(0);
  });
});
