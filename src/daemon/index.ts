// The node daemon: one per host. Serves the local socket and, once the
// node is in a swarm, runs the worker agent and (on managers) the manager.
export { runDaemon } from './daemon.js';
export type { DaemonOptions } from './options.js';
export { NOT_A_MANAGER } from './no-swarm-control.js';
