// The leader's dispatcher: node sessions, heartbeats, assignments, status reports.
export { Dispatcher } from './dispatcher.js';
export { CLOSE_GRACE_MS, LivenessWatch, MISSED_HEARTBEATS_BEFORE_DOWN, RESTART_GRACE_HEARTBEATS, STALL_TOLERANCE_MS, tcpLivenessProbe, type DeathCause, type WatchedSession } from './liveness.js';
export { Batcher } from './batcher.js';
export type { DispatcherStoreView, DispatcherWriter, LivenessProbe, NodeStatusUpdate, ProbeResult, TaskStatusReport } from './ports.js';
export { nodeAssignments, taskHoldsResources, type NodeAssignmentItem, type NodeAssignmentSource, type NetworkEndpoint } from './node-assignments.js';
