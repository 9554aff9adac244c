// For tests: the real Control handlers over a real MemoryStore, every write
// encoded and decoded as Raft would carry it (the encoded entries are kept,
// so a test can look for plaintext in "the log").
import { randomBytes } from 'node:crypto';
import { codec, type Cluster, type StoreAction } from '../../gen/index.js';
import { AddressBook } from '../allocator/index.js';
import { SecretKeyring } from '../secrets/index.js';
import { decodeBatch, encodeBatch, MemoryStore } from '../store/index.js';
import type { ControlDeps } from './deps.js';
import { controlHandlers } from './index.js';
import { Serializer } from './serializer.js';

/** A stand-in for the root CA's key (the secret keyring derives from it). */
const CA_KEY_PEM = new TextEncoder().encode('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');

/** Control on one in-process "manager"; `cluster` overrides the stored Cluster object's fields. */
export function controlOnMemoryStore(cluster: Partial<Cluster> = {}) {
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
  const book = new AddressBook();
  const serializer = new Serializer();
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
    allocation: () => ({ book, exclusive: (fn) => serializer.run(fn) }),
  };
  const stored = codec.Cluster.fromPartial({ id: 'c1', rootCa: { caKeyPem: CA_KEY_PEM }, ...cluster });
  store.apply({ proposalId: 'init', proposedAtMs: 0, actions: [{ kind: 'CREATE', object: { cluster: stored } }] }, ++index);
  return { store, log, deps, control: controlHandlers(deps) };
}
