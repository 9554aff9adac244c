import type { StoreAction } from '../../gen/index.js';
import type { AddressBook } from '../allocator/index.js';
import type { ApplyResult, MemoryStore } from '../store/index.js';

/** What the Control API needs from the manager around it (all injected). */
export interface ControlDeps {
  store: MemoryStore;
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
  /** The leader's allocator while it leads (undefined while leadership is starting). */
  allocation(): AllocationPort | undefined;
}

/** What Control needs of the leader's allocator: its address book (VIPs) and one-at-a-time allocating writes. */
export interface AllocationPort {
  readonly book: AddressBook;
  /** Runs fn after every earlier allocating write has finished, so choices (subnets, ports) never race. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}
