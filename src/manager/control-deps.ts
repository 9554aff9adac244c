// What the Control API gets from the manager around it, and the cache of
// secrets opened for the dispatcher.
import type { Logger } from 'pino';
import type { Secret } from '../gen/index.js';
import type { RaftNode } from '../raft/index.js';
import { validatePlacement } from '../scheduler/index.js';
import { caDigest, generateJoinToken } from './ca/index.js';
import type { ControlDeps } from './control/index.js';
import type { LeaderTerm } from './leader-term.js';
import type { Propose } from './leader/ports.js';
import { randomServiceName } from './names.js';
import { newObjectId } from './object-id.js';
import { raftFailure } from './raft-failure.js';
import type { SecretKeyring } from './secrets/index.js';
import type { MemoryStore } from './store/index.js';

/** The manager's parts Control is built from. */
export interface ControlDepsSource {
  nodeId: string;
  raftId: number;
  advertiseAddr: string;
  store: MemoryStore;
  keyring: SecretKeyring;
  propose: Propose;
  raft(): RaftNode;
  /** The current term of leadership, if this manager leads. */
  term(): LeaderTerm | undefined;
  removeManager(nodeId: string): Promise<void>;
}

/** Control's dependencies on a manager. */
export function controlDeps(source: ControlDepsSource): ControlDeps {
  const { store } = source;
  return {
    store,
    keyring: source.keyring,
    propose: (actions) => source.propose(actions),
    readBarrier: async () => {
      try {
        await source.raft().readIndex(5_000);
      } catch (error) {
        throw raftFailure(error);
      }
    },
    newId: newObjectId,
    randomName: randomServiceName,
    allocation: () => source.term()?.allocation(),
    nowMs: () => Date.now(),
    managerStatus: (nodeId) => {
      const node = store.get('node', nodeId);
      const raftId = nodeId === source.nodeId ? source.raftId : node?.managerStatus?.raftId;
      if (!raftId) return undefined;
      const leaderId = source.raft().status().leaderId;
      const connected = nodeId === source.nodeId || source.term()?.connectedNodes().includes(nodeId) === true;
      return { raftId, leader: raftId === leaderId, reachable: connected, addr: node?.managerStatus?.addr ?? source.advertiseAddr };
    },
    validatePlacement: (constraints, preferences) => {
      const parsed = validatePlacement({ constraints: [...constraints], preferences: preferences.map((p) => ({ spreadDescriptor: p })), platforms: [], maxReplicas: 0, strategy: 'SPREAD' });
      return parsed.ok ? undefined : parsed.error.message;
    },
    removeManager: (nodeId) => source.removeManager(nodeId),
    newJoinToken: () => {
      const cluster = store.list('cluster')[0];
      return generateJoinToken(caDigest(cluster?.rootCa?.caCertPem ?? ''));
    },
  };
}

/**
 * Opened secrets by their (immutable) stored object, so the dispatcher's per-node
 * recomputation does not decrypt each time; an entry goes when its object leaves the store.
 */
export class OpenedSecrets {
  private readonly opened = new WeakMap<Secret, Secret>();

  constructor(
    private readonly keyring: SecretKeyring,
    private readonly store: MemoryStore,
    private readonly log: Logger,
  ) {}

  /** A stored secret opened for the dispatcher; failures are logged by ID only, never with data. */
  open(sealed: Secret): Secret | undefined {
    const cached = this.opened.get(sealed);
    if (cached) return cached;
    try {
      const opened = this.keyring.open(this.store.list('cluster')[0], sealed);
      this.opened.set(sealed, opened);
      return opened;
    } catch (error) {
      this.log.error({ secretId: sealed.id, error: (error as Error).message }, 'cannot open a secret for a node; tasks using it will wait');
      return undefined;
    }
  }
}
