import type { StoreAction } from '../../gen/index.js';
import type { SecretKeyring } from '../secrets/index.js';
import type { ApplyResult, MemoryStore } from '../store/index.js';

/** What the Control API needs from the manager around it (all injected). */
export interface ControlDeps {
  store: MemoryStore;
  /** Seals secret data before it is proposed (the Raft log never holds plaintext). */
  keyring: SecretKeyring;
  /** Proposes actions as one batch through Raft; resolves with how the store applied it. */
  propose(actions: StoreAction[]): Promise<ApplyResult>;
  /** Waits until this manager's store reflects every write committed before the call (ReadIndex). */
  readBarrier(): Promise<void>;
  newId(): string;
  /** A Docker-style random name (adjective_surname) for services created without --name. */
  randomName(): string;
  /** The leader's wall clock, in Unix ms. */
  nowMs(): number;
  /** Raft facts for a node's MANAGER STATUS column. */
  managerStatus(nodeId: string): { leader: boolean; reachable: boolean; addr: string; raftId: number } | undefined;
  /** Validates placement constraints and preferences; returns the first error message. */
  validatePlacement(constraints: readonly string[], preferences: readonly string[]): string | undefined;
  /** Membership change when a manager node is removed by force (Raft side). */
  removeManager(nodeId: string): Promise<void>;
  /** New join token for the given role (rotation). */
  newJoinToken(): string;
}
