// What the local socket serves of the cluster: Control and Logs go to this
// node's manager; without one they refuse in Docker's words.
import { ControlService, LogsService } from '../gen/index.js';
import { callHandler, proxyHandlers, RpcError, type Handlers } from '../rpc/index.js';
import type { Manager } from '../manager/index.js';

/** Docker's answer to cluster calls on a node that is not a manager of any swarm. */
export const NOT_A_MANAGER = 'This node is not a swarm manager. Use "shoal swarm init" or "shoal swarm join" to connect this node to swarm and try again.';

/** Docker's words for a worker asked to manage the cluster. */
export const WORKER_NOT_MANAGER = 'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.';

/** Where the local socket finds the cluster right now (both read at each call: they change across role changes). */
export interface LocalCluster {
  inSwarm(): boolean;
  manager(): Manager | undefined;
}

/** This node's manager, or the refusal the CLI shows when there is none. */
function managerOrRefuse(cluster: LocalCluster): Manager {
  if (!cluster.inSwarm()) throw new RpcError('failed-precondition', NOT_A_MANAGER);
  const manager = cluster.manager();
  if (!manager) throw new RpcError('failed-precondition', WORKER_NOT_MANAGER);
  return manager;
}

/** The Control API as the local socket serves it. */
export function localControl(cluster: LocalCluster): Handlers<typeof ControlService> {
  return proxyHandlers(ControlService, async (method, args) => callHandler(managerOrRefuse(cluster).control, method, args));
}

/** The Logs service as the local socket serves it (the CLI's `service logs`). */
export function localLogs(cluster: LocalCluster): Handlers<typeof LogsService> {
  return proxyHandlers(LogsService, async (method, args) => {
    if (method !== 'subscribeLogs') throw new RpcError('permission-denied', 'nodes publish logs over their swarm connection, not the local socket');
    return callHandler(managerOrRefuse(cluster).logs, method, args);
  });
}
