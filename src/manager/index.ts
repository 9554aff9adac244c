// The manager's public surface: what the daemon, the CLI, tests and
// benchmarks may use. Everything else under src/manager is its own.
export { Manager, type ManagerOptions } from './manager.js';
export { newObjectId } from './object-id.js';
export { CLUSTER_DEFAULTS, newClusterObjects, newClusterSpec, dataPathPortOf, raftTimingOf, type NewClusterChoices, type NewClusterFacts, type RaftTiming } from './cluster-defaults.js';
export { createRootCA, createKeyAndCsr, issueNodeTls, caDigest, digestToBase36, generateJoinToken, parseJoinToken, MANAGER_ROLE, WORKER_ROLE, type RootCA } from './ca/index.js';
export type { MemoryStore } from './store/index.js';
