// The pure Raft core: everything deterministic, nothing that touches I/O.
export { RaftCore } from './raft.js';
export { bootstrapEntries, bootstrapState, decodeConfChange } from './bootstrap.js';
export type { ProposeError, Proposed, ReadIndexError, TransferError, RaftStats } from './raft.js';
export type { ConfChangeError } from './membership.js';
export { Membership } from './membership.js';
export { seededRandom } from './random.js';
export type { Random } from './random.js';
export { DEFAULT_OPTIONS } from './types.js';
export type { InitialState, LogIndex, RaftId, RaftOptions, ReadState, Ready, Role, Snapshot, SoftState, Term } from './types.js';
export { makeMessage } from './messages.js';
export { forceNewClusterState } from './force-new-cluster.js';
export { contextKey } from './read-only.js';
