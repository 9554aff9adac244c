import type { Config, ControlService, Secret, StoreAction, Version } from '../../gen/index.js';
import { assert } from '../../common/assert.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { ControlDeps } from './deps.js';
import { mustApply, resolveFailure } from './errors.js';
import { labelsOnlyProblem } from './data-update.js';
import { filterFrom } from './filters.js';
import { nameProblem } from './validate.js';

type DataHandlers = Pick<
  Handlers<typeof ControlService>,
  'createSecret' | 'getSecret' | 'listSecrets' | 'removeSecret' | 'updateSecret' | 'createConfig' | 'getConfig' | 'listConfigs' | 'removeConfig' | 'updateConfig'
>;

/** Docker's (swarmkit's) limit on a secret's size. */
export const MAX_SECRET_BYTES = 500 * 1024;
/** Docker's (swarmkit's) limit on a config's size. */
export const MAX_CONFIG_BYTES = 1000 * 1024;
/** How often a secret create retries when someone else updated the cluster object while it added the data key. */
const DATA_KEY_ATTEMPTS = 3;

/** A secret as the API shows it: never its data. */
function redacted(secret: Secret): Secret {
  return { ...secret, spec: secret.spec ? { ...secret.spec, data: new Uint8Array() } : undefined };
}

/** Control methods on secrets and configs. */
export function dataObjectHandlers(deps: ControlDeps): DataHandlers {
  const checkData = (kind: 'secret' | 'config', name: string, data: Uint8Array): void => {
    const max = kind === 'secret' ? MAX_SECRET_BYTES : MAX_CONFIG_BYTES;
    const bad = nameProblem(kind, name);
    if (bad || name === '') throw new RpcError('invalid-argument', bad ?? `a ${kind} needs a name`);
    if (data.length === 0) throw new RpcError('invalid-argument', `${kind} ${name} has no data: give a file or "-" with content`);
    if (data.length > max) throw new RpcError('invalid-argument', `${kind} ${name} is ${data.length} bytes; the limit is ${max} bytes (${max / 1024} KB): use a smaller file`);
  };
  const inUse = (kind: 'secret' | 'config', id: string): string[] =>
    deps.store
      .list('service')
      .filter((s) => (kind === 'secret' ? (s.spec?.task?.container?.secrets ?? []).some((r) => r.secretId === id) : (s.spec?.task?.container?.configs ?? []).some((r) => r.configId === id)))
      .map((s) => s.spec?.annotations?.name ?? s.id);
  const resolveSecret = (ref: string): Secret => {
    const found = deps.store.resolve('secret', ref);
    if (!found.ok) throw resolveFailure(found.error);
    return found.value;
  };
  const resolveConfig = (ref: string): Config => {
    const found = deps.store.resolve('config', ref);
    if (!found.ok) throw resolveFailure(found.error);
    return found.value;
  };
  // What UpdateSecret and UpdateConfig check before anything changes: the
  // version read, and that only labels differ (swarmkit's rule). The stored
  // data is lent to the compare only when there is something to compare.
  type StoredData = (compare: (data: Uint8Array) => string | undefined) => string | undefined;
  const checkUpdate = (kind: 'secret' | 'config', stored: { meta?: { version?: Version | undefined } | undefined }, name: string, read: Version | undefined, requested: { name: string; data: Uint8Array }, storedData: StoredData): void => {
    const readVersion = read?.index ?? 0;
    const now = stored.meta?.version?.index ?? 0;
    if (readVersion !== now) throw new RpcError('failed-precondition', `update out of sequence: ${kind} ${name} changed since it was read (version ${readVersion}, now ${now}); read it again and retry`);
    const verdict = (data: Uint8Array) => labelsOnlyProblem({ kind, name, data, requestedName: requested.name, requestedData: requested.data });
    const problem = requested.data.length > 0 ? storedData(verdict) : verdict(new Uint8Array());
    if (problem) throw new RpcError('invalid-argument', problem);
  };
  // The stored secret opened in memory for the compare only, and wiped after; a failure names the secret, never its bytes.
  const openedSecret = (secret: Secret, name: string): StoredData => (compare) => {
    let plain: Uint8Array;
    try {
      plain = deps.keyring.open(deps.store.list('cluster')[0], secret).spec?.data ?? new Uint8Array();
    } catch {
      throw new RpcError('internal', `secret ${name} cannot be opened with the cluster's data key to compare its content`);
    }
    try {
      return compare(plain);
    } finally {
      plain.fill(0);
    }
  };
  return {
    createSecret: async (req) => {
      const name = req.spec?.annotations?.name ?? '';
      checkData('secret', name, req.spec?.data ?? new Uint8Array());
      if (req.spec?.driver?.name) throw new RpcError('invalid-argument', `secret ${name}: secret drivers (plugins) are not supported by shoal; remove --driver to keep the data in the cluster`);
      await deps.readBarrier();
      for (let attempt = 1; ; attempt++) {
        const current = deps.store.list('cluster')[0];
        if (!current) throw new RpcError('unavailable', 'the cluster object is not in the store yet; try again');
        // The first secret gives the cluster its data key, in the same batch.
        const { cluster, created } = deps.keyring.withDataKey(current);
        const secret = deps.keyring.seal(cluster, { id: deps.newId(), spec: req.spec });
        const actions: StoreAction[] = created ? [{ kind: 'UPDATE', object: { cluster } }] : [];
        const result = await deps.propose([...actions, { kind: 'CREATE', object: { secret } }]);
        if (!result.ok && result.error.kind === 'conflict' && created && attempt < DATA_KEY_ATTEMPTS) continue;
        if (!result.ok && result.error.kind === 'name-taken') throw new RpcError('already-exists', `secret ${name} already exists`);
        mustApply(result);
        return { secret: redacted(deps.store.get('secret', secret.id) ?? secret) };
      }
    },
    getSecret: async (req) => {
      await deps.readBarrier();
      return { secret: redacted(resolveSecret(req.secretId)) };
    },
    listSecrets: async (req) => {
      await deps.readBarrier();
      return { secrets: deps.store.list('secret', filterFrom(req.filter)).map(redacted) };
    },
    removeSecret: async (req) => {
      await deps.readBarrier();
      const secret = resolveSecret(req.secretId);
      const users = inUse('secret', secret.id);
      if (users.length) throw new RpcError('invalid-argument', `secret '${secret.spec?.annotations?.name ?? secret.id}' is in use by the following service${users.length > 1 ? 's' : ''}: ${users.join(', ')}`);
      mustApply(await deps.propose([{ kind: 'REMOVE', object: { secret } }]));
      return {};
    },
    updateSecret: async (req) => {
      if (!req.spec) throw new RpcError('invalid-argument', 'a secret spec is required');
      await deps.readBarrier();
      const secret = resolveSecret(req.secretId);
      const name = secret.spec?.annotations?.name ?? secret.id;
      checkUpdate('secret', secret, name, req.secretVersion, { name: req.spec.annotations?.name ?? '', data: req.spec.data }, openedSecret(secret, name));
      if (req.validateOnly) return { secret: redacted(secret) };
      assert(secret.spec, `stored secret ${secret.id} has no spec`);
      // The stored (sealed) data and everything else stay; only the labels are the caller's.
      const labels = { ...(req.spec.annotations?.labels ?? {}) };
      const updated: Secret = { ...secret, spec: { ...secret.spec, annotations: { name, labels } } };
      mustApply(await deps.propose([{ kind: 'UPDATE', object: { secret: updated } }]));
      return { secret: redacted(deps.store.get('secret', secret.id) ?? updated) };
    },
    createConfig: async (req) => {
      const name = req.spec?.annotations?.name ?? '';
      checkData('config', name, req.spec?.data ?? new Uint8Array());
      await deps.readBarrier();
      const config: Config = { id: deps.newId(), spec: req.spec };
      const result = await deps.propose([{ kind: 'CREATE', object: { config } }]);
      if (!result.ok && result.error.kind === 'name-taken') throw new RpcError('already-exists', `config ${name} already exists`);
      mustApply(result);
      return { config: deps.store.get('config', config.id) ?? config };
    },
    getConfig: async (req) => {
      await deps.readBarrier();
      return { config: resolveConfig(req.configId) };
    },
    listConfigs: async (req) => {
      await deps.readBarrier();
      return { configs: deps.store.list('config', filterFrom(req.filter)) };
    },
    updateConfig: async (req) => {
      if (!req.spec) throw new RpcError('invalid-argument', 'a config spec is required');
      await deps.readBarrier();
      const config = resolveConfig(req.configId);
      const name = config.spec?.annotations?.name ?? config.id;
      checkUpdate('config', config, name, req.configVersion, { name: req.spec.annotations?.name ?? '', data: req.spec.data }, (compare) => compare(config.spec?.data ?? new Uint8Array()));
      if (req.validateOnly) return { config };
      assert(config.spec, `stored config ${config.id} has no spec`);
      const labels = { ...(req.spec.annotations?.labels ?? {}) };
      const updated: Config = { ...config, spec: { ...config.spec, annotations: { name, labels } } };
      mustApply(await deps.propose([{ kind: 'UPDATE', object: { config: updated } }]));
      return { config: deps.store.get('config', config.id) ?? updated };
    },
    removeConfig: async (req) => {
      await deps.readBarrier();
      const config = resolveConfig(req.configId);
      const users = inUse('config', config.id);
      if (users.length) throw new RpcError('invalid-argument', `config '${config.spec?.annotations?.name ?? config.id}' is in use by the following service${users.length > 1 ? 's' : ''}: ${users.join(', ')}`);
      mustApply(await deps.propose([{ kind: 'REMOVE', object: { config } }]));
      return {};
    },
  };
}
