// Public surface of src/raft: the pure core, its level storage, the node
// loop that drives both, and the gRPC transport between managers.
export { RaftCore, forceNewClusterState, bootstrapEntries, bootstrapState, decodeConfChange, DEFAULT_OPTIONS, Membership, seededRandom } from './core/index.js';
export type { InitialState, LogIndex, ProposeError, Proposed, RaftId, RaftOptions, Random, ReadState, Ready, Role, Snapshot, SoftState, Term } from './core/index.js';
export { LevelStorage, STORAGE_FORMAT, describeStorageError, storageKeyForEntry } from './storage-level.js';
export type { StorageOpenError, LoadReport } from './storage-level.js';
export { RaftNode, RaftNodeError } from './node.js';
export type { RaftNodeOptions, StateMachine, StateSnapshot, Transport, RaftNodeErrorKind } from './node.js';
export { GrpcTransport } from './transport-grpc.js';
export type { GrpcTransportOptions } from './transport-grpc.js';
