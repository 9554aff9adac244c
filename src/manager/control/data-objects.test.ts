// Secrets and configs through the Control handlers on a real MemoryStore:
// every write goes through the batch codec, as Raft would carry it.
import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { controlOnMemoryStore } from './in-memory.test-support.js';

const PLAIN = 'correct-horse-battery-staple-42';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const has = (bytes: Uint8Array, needle: string): boolean => Buffer.from(bytes).includes(Buffer.from(needle));

const cluster = () => controlOnMemoryStore();

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

describe('updating secrets and configs: labels only, as swarmkit', () => {
  const version = (v: { meta?: { version?: { index: number } } } | undefined) => ({ index: v?.meta?.version?.index ?? 0 });

  it('applies a label change to a secret, keeping its sealed data, and bumps the version', async () => {
    const { control, store, deps, log } = cluster();
    const { secret } = await control.createSecret({ spec: { annotations: { name: 'db', labels: { a: '1' } }, data: text(PLAIN) } }, ctx);
    const sealed = store.get('secret', secret!.id)!.spec!.data;
    const { secret: updated } = await control.updateSecret({ secretId: 'db', secretVersion: version(secret), spec: { annotations: { name: 'db', labels: { a: '2', b: 'x' } }, data: text(PLAIN) }, validateOnly: false }, ctx);
    expect(updated?.spec?.annotations?.labels).toEqual({ a: '2', b: 'x' });
    expect(updated?.spec?.data.length).toBe(0);
    expect(updated?.meta?.version?.index).toBeGreaterThan(secret!.meta!.version!.index);
    const stored = store.get('secret', secret!.id)!;
    expect(Buffer.from(stored.spec!.data).equals(Buffer.from(sealed))).toBe(true);
    expect(Buffer.from(deps.keyring.open(store.list('cluster')[0], stored).spec!.data).toString()).toBe(PLAIN);
    expect(log.some((entry) => has(entry, PLAIN))).toBe(false);
  });

  it('refuses a secret whose data differs, in one line without the data, and changes nothing', async () => {
    const { control, store } = cluster();
    const { secret } = await control.createSecret({ spec: { annotations: { name: 'web_token', labels: {} }, data: text(PLAIN) } }, ctx);
    const before = store.get('secret', secret!.id);
    const other = `${PLAIN}-rotated`;
    for (const validateOnly of [true, false]) {
      const attempt = control.updateSecret({ secretId: secret!.id, secretVersion: version(secret), spec: { annotations: { name: 'web_token', labels: { new: 'label' } }, data: text(other) }, validateOnly }, ctx);
      await expect(attempt).rejects.toThrow(/^secret web_token already exists with different content, and secrets cannot be changed: put the new content under a new name \(e\.g\. web_token_v2, "name: web_token_v2" in a Compose file\) and point the services at it$/);
      const error = (await attempt.catch((e: unknown) => e)) as Error & { kind: string };
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).not.toContain(PLAIN);
    }
    // Same length, one byte different: still refused (the compare is on content, not length).
    const flipped = PLAIN.slice(0, -1) + 'X';
    await expect(control.updateSecret({ secretId: 'web_token', secretVersion: version(secret), spec: { annotations: { name: 'web_token', labels: {} }, data: text(flipped) }, validateOnly: true }, ctx)).rejects.toThrow(/different content/);
    expect(store.get('secret', secret!.id)).toEqual(before);
  });

  it('refuses a rename and a stale version; validate_only checks without writing', async () => {
    const { control, store } = cluster();
    const { secret } = await control.createSecret({ spec: { annotations: { name: 'db', labels: {} }, data: text('1') } }, ctx);
    await expect(control.updateSecret({ secretId: 'db', secretVersion: version(secret), spec: { annotations: { name: 'db2', labels: {} }, data: text('1') }, validateOnly: false }, ctx)).rejects.toThrow('secret db cannot be renamed to db2: only its labels can be updated; create a new secret named db2 instead');
    const ok = await control.updateSecret({ secretId: 'db', secretVersion: version(secret), spec: { annotations: { name: 'db', labels: { x: 'y' } }, data: text('1') }, validateOnly: true }, ctx);
    expect(ok.secret?.spec?.annotations?.labels).toEqual({});
    expect(store.get('secret', secret!.id)?.meta?.version?.index).toBe(secret!.meta!.version!.index);
    // Empty data means "labels only" (swarmkit's nil data).
    await control.updateSecret({ secretId: 'db', secretVersion: version(secret), spec: { annotations: { name: 'db', labels: { x: 'y' } }, data: new Uint8Array() }, validateOnly: false }, ctx);
    expect(store.get('secret', secret!.id)?.spec?.annotations?.labels).toEqual({ x: 'y' });
    await expect(control.updateSecret({ secretId: 'db', secretVersion: version(secret), spec: { annotations: { name: 'db', labels: {} }, data: text('1') }, validateOnly: true }, ctx)).rejects.toThrow(/^update out of sequence: secret db changed since it was read \(version \d+, now \d+\); read it again and retry$/);
    await expect(control.updateSecret({ secretId: 'nosuch', secretVersion: version(secret), spec: { annotations: { name: 'nosuch', labels: {} }, data: text('1') }, validateOnly: true }, ctx)).rejects.toThrow(/nosuch/);
  });

  it('does the same for configs, comparing their plaintext', async () => {
    const { control, store } = cluster();
    const { config } = await control.createConfig({ spec: { annotations: { name: 'conf', labels: {} }, data: text('k=v') } }, ctx);
    await expect(control.updateConfig({ configId: 'conf', configVersion: version(config), spec: { annotations: { name: 'conf', labels: {} }, data: text('k=w') }, validateOnly: true }, ctx)).rejects.toThrow(/^config conf already exists with different content, and configs cannot be changed: put the new content under a new name \(e\.g\. conf_v2/);
    const { config: updated } = await control.updateConfig({ configId: 'conf', configVersion: version(config), spec: { annotations: { name: 'conf', labels: { l: '1' } }, data: text('k=v') }, validateOnly: false }, ctx);
    expect(updated?.spec?.annotations?.labels).toEqual({ l: '1' });
    expect(Buffer.from(store.get('config', config!.id)!.spec!.data).toString()).toBe('k=v');
    expect(updated?.meta?.version?.index).toBeGreaterThan(config!.meta!.version!.index);
  });
});
