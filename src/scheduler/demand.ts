// What one task takes from a node while it runs: reservations and host ports.
// Computed once per task spec and kept with the task, so removing a task gives
// back exactly what adding it took.
import { isAtOrBefore, wantsRun } from '../common/task-state.js';
import type { GenericResource, PortConfig, Task, TaskSpec, TaskStatus_State } from '../gen/index.js';

/** Resources and host-mode ports one task holds on its node. */
export interface Demand {
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly generic: readonly GenericResource[];
  /** Host-mode published ports as "8080/tcp". */
  readonly hostPorts: readonly string[];
}

/** A task that reserves nothing and publishes no host port. */
export const NO_DEMAND: Demand = { nanoCpus: 0, memoryBytes: 0, generic: [], hostPorts: [] };

/** Waiting for the scheduler: not yet assigned, and still wanted. */
export function isPending(task: Task): boolean {
  return isAtOrBefore(task.status?.state ?? 'NEW', 'PENDING') && wantsRun(task.desiredState);
}

/** Holds resources on its node: assigned and not yet terminated (even while being stopped). */
export function isOccupying(task: Task): boolean {
  const state = task.status?.state ?? 'NEW';
  return task.nodeId !== '' && isAtOrBefore('ASSIGNED', state) && isAtOrBefore(state, 'RUNNING');
}

/** A failure that counts against the node for this service (restart-loop avoidance). */
export function isFailure(state: TaskStatus_State): boolean {
  return state === 'FAILED' || state === 'REJECTED';
}

/** Host-mode published ports of a list of port configs, as "8080/tcp". */
export function hostPortKeys(ports: readonly PortConfig[]): string[] {
  const keys: string[] = [];
  for (const port of ports) {
    // Port 0 in host mode lets the engine pick a free port, so it can never conflict.
    if (port.publishMode === 'HOST' && port.publishedPort > 0) keys.push(`${port.publishedPort}/${port.protocol.toLowerCase()}`);
  }
  return keys;
}

/** The demand of a task; `servicePorts` is the fallback when the task carries no endpoint yet. */
export function demandOf(task: Task, servicePorts: readonly PortConfig[] = []): Demand {
  const ports = task.endpoint?.ports.length ? task.endpoint.ports : task.endpoint?.spec?.ports.length ? task.endpoint.spec.ports : servicePorts;
  return demandOfSpec(task.spec, ports);
}

/** The demand a new task of this spec would have, publishing `ports`. */
export function demandOfSpec(spec: TaskSpec | undefined, ports: readonly PortConfig[]): Demand {
  const reservations = spec?.resources?.reservations;
  const hostPorts = hostPortKeys(ports);
  if (reservations === undefined && hostPorts.length === 0) return NO_DEMAND;
  return {
    nanoCpus: reservations?.nanoCpus ?? 0,
    memoryBytes: reservations?.memoryBytes ?? 0,
    generic: reservations === undefined || reservations.generic.length === 0 ? NO_DEMAND.generic : reservations.generic.filter((g) => g.value > 0),
    hostPorts,
  };
}
