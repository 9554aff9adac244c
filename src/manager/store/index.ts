// The managers' store: public surface (DESIGN.md step 3).
export { MemoryStore, STORE_SNAPSHOT_VERSION, type ObjectFilter, type TaskFilter } from './memory-store.js';
export type { ApplyError, ApplyResult, ChangeAction, StoreChangeSet, StoreEvent, StoreListener } from './events.js';
export { OBJECT_KINDS, UNIQUE_NAME_KINDS, unwrap, wrap, nameOf, versionOf, type AnyObject, type ObjectByKind, type ObjectKind, type Tagged } from './kinds.js';
export { isCountedRunning, type ServiceTaskCounts } from './task-index.js';
export type { ResolveError } from './resolve.js';
export { encodeBatch, decodeBatch, storeAction } from './batch-codec.js';
export type { SecretSealer } from './secret-sealer.js';
