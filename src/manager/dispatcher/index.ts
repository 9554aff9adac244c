// The leader's dispatcher: node sessions, heartbeats, assignments, status reports.
export { Dispatcher, MISSED_HEARTBEATS_BEFORE_DOWN, RESTART_GRACE_HEARTBEATS } from './dispatcher.js';
export { Batcher } from './batcher.js';
export { realTimers, type DispatcherStoreView, type DispatcherWriter, type NodeStatusUpdate, type TaskStatusReport, type Timers } from './ports.js';
export { nodeAssignments, taskHoldsResources, type NodeAssignmentItem, type NodeAssignmentSource, type NetworkEndpoint } from './node-assignments.js';
