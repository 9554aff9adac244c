// Core-internal types that are not on the wire. Wire and persisted shapes
// (RaftMessage, RaftEntry, HardState, SnapshotMetadata) come from src/gen.
import type { HardState, RaftEntry, RaftMessage, SnapshotMetadata } from '../../gen/index.js';

/** A Raft term. Plain number (int64 on the wire, safe below 2^53). */
export type Term = number;
/** A position in the replicated log; 0 means "before the first entry". */
export type LogIndex = number;
/** A member's Raft ID; 0 means "none". */
export type RaftId = number;

/** The role a node plays in its current term. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** A snapshot: the application's state as of `meta.index`, opaque bytes. */
export interface Snapshot {
  meta: SnapshotMetadata;
  data: Uint8Array;
}

/** What the core has been told survived on disk, to start from. */
export interface InitialState {
  hardState: HardState;
  snapshot?: Snapshot | undefined;
  /** Entries after the snapshot, contiguous. */
  entries: RaftEntry[];
}

/** Volatile state the driver may want to show (not persisted). */
export interface SoftState {
  leaderId: RaftId;
  role: Role;
  term: Term;
  /** This node has been removed from the cluster; the driver should stop it. */
  removed: boolean;
}

/** A linearizable read point: once `index` is applied, reads for `context` may be served. */
export interface ReadState {
  index: LogIndex;
  context: Uint8Array;
}

/**
 * One batch of work for the driver, to be handled in this order:
 * send `messagesBeforeSync` (at once, so followers write in parallel with
 * us), persist `snapshot`, `entries` and `hardState` (synced), then send
 * `messages`, then install `snapshot` into the state machine, apply
 * `committedEntries`, and serve `readStates` once their index is applied.
 * Then call `advance(ready)`.
 */
export interface Ready {
  softState: SoftState;
  hardState: HardState | undefined;
  snapshot: Snapshot | undefined;
  /** To append to stable storage; any stored entries at or after entries[0].index are replaced. */
  entries: RaftEntry[];
  /**
   * A leader's APPEND, HEARTBEAT and SNAPSHOT_CHUNK messages of a term already
   * on disk: they claim nothing about this node's disk, so they may leave
   * before `entries` are synced. Safe because the leader counts its own log
   * toward a commit only for what `advance()` says is on disk (thesis §10.2.1).
   */
  messagesBeforeSync: RaftMessage[];
  /** Everything else (votes, append responses, ...): only after the sync. */
  messages: RaftMessage[];
  committedEntries: RaftEntry[];
  readStates: ReadState[];
}

/** Tunables; every limit has a unit in its name. */
export interface RaftOptions {
  id: RaftId;
  /** Ticks without hearing from a leader before campaigning (randomized in [n, 2n)). */
  electionTicks: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  /** Bytes of entry data per APPEND message. */
  maxBatchBytes: number;
  /** Entries per APPEND message. */
  maxBatchEntries: number;
  /** APPEND batches in flight per follower before waiting for acks. */
  maxInflightBatches: number;
  /** Bytes per SNAPSHOT_CHUNK message. */
  snapshotChunkBytes: number;
  /** Largest proposal accepted. */
  maxEntryBytes: number;
  /** Committed entries handed out per Ready, in bytes (at least one entry). */
  maxApplyBytes: number;
}

/** Defaults suitable for a 100 ms tick. */
export const DEFAULT_OPTIONS: Omit<RaftOptions, 'id'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxBatchBytes: 1 << 20,
  maxBatchEntries: 1024,
  maxInflightBatches: 64,
  snapshotChunkBytes: 1 << 20,
  maxEntryBytes: 1.5 * (1 << 20),
  maxApplyBytes: 8 << 20,
};
