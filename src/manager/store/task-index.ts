// Secondary indexes over tasks, updated per write so no reader ever scans
// all tasks (DESIGN.md: 100,000 tasks). Each write is O(1) amortised.
import type { Task, TaskStatus_State } from '../../gen/index.js';

/** Running/completed counts of one service's tasks, for REPLICAS. */
export interface ServiceTaskCounts {
  /** Tasks in state RUNNING (and healthy, when they have a healthcheck) that are still wanted. */
  running: number;
  /** Tasks in state COMPLETE (jobs show completed/total). */
  completed: number;
}

/** Indexes of tasks by service, node, slot and desired state. */
export class TaskIndex {
  private readonly byService = new Map<string, Set<string>>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly bySlot = new Map<string, Set<string>>();
  private readonly byDesiredState = new Map<TaskStatus_State, Set<string>>();
  private readonly counts = new Map<string, ServiceTaskCounts>();

  /** Adds a task that was not indexed before. */
  add(task: Task): void {
    addTo(this.byService, task.serviceId, task.id);
    if (task.nodeId !== '') addTo(this.byNode, task.nodeId, task.id);
    addTo(this.bySlot, slotKey(task.serviceId, task.slot, task.nodeId), task.id);
    addTo(this.byDesiredState, task.desiredState, task.id);
    this.count(task, +1);
  }

  /** Removes a task that was indexed. */
  remove(task: Task): void {
    removeFrom(this.byService, task.serviceId, task.id);
    if (task.nodeId !== '') removeFrom(this.byNode, task.nodeId, task.id);
    removeFrom(this.bySlot, slotKey(task.serviceId, task.slot, task.nodeId), task.id);
    removeFrom(this.byDesiredState, task.desiredState, task.id);
    this.count(task, -1);
  }

  /** IDs of a service's tasks. */
  ofService(serviceId: string): ReadonlySet<string> {
    return this.byService.get(serviceId) ?? EMPTY;
  }

  /** IDs of the tasks assigned to a node. */
  onNode(nodeId: string): ReadonlySet<string> {
    return this.byNode.get(nodeId) ?? EMPTY;
  }

  /** IDs of the tasks in one slot (replicated) or on one node (global, slot 0). */
  inSlot(serviceId: string, slot: number, nodeId = ''): ReadonlySet<string> {
    return this.bySlot.get(slotKey(serviceId, slot, nodeId)) ?? EMPTY;
  }

  /** IDs of the tasks with this desired state. */
  withDesiredState(state: TaskStatus_State): ReadonlySet<string> {
    return this.byDesiredState.get(state) ?? EMPTY;
  }

  /** Running and completed counts for one service. */
  countsOf(serviceId: string): ServiceTaskCounts {
    const counts = this.counts.get(serviceId);
    return counts === undefined ? { running: 0, completed: 0 } : { ...counts };
  }

  /** Forgets everything (before a restore). */
  clear(): void {
    for (const map of [this.byService, this.byNode, this.bySlot, this.byDesiredState, this.counts]) map.clear();
  }

  private count(task: Task, delta: number): void {
    const running = isCountedRunning(task) ? delta : 0;
    const completed = task.status?.state === 'COMPLETE' ? delta : 0;
    if (running === 0 && completed === 0) return;
    let counts = this.counts.get(task.serviceId);
    if (counts === undefined) this.counts.set(task.serviceId, (counts = { running: 0, completed: 0 }));
    counts.running += running;
    counts.completed += completed;
    if (counts.running === 0 && counts.completed === 0) this.counts.delete(task.serviceId);
  }
}

/**
 * Docker's REPLICAS counts tasks that run and are still wanted; a task with
 * a healthcheck runs only once healthy (CONTRACT.md). Job tasks are wanted
 * with desired state COMPLETE, hence `<= COMPLETE`.
 */
export function isCountedRunning(task: Task): boolean {
  const status = task.status;
  if (status === undefined || status.state !== 'RUNNING') return false;
  if (status.health !== '' && status.health !== 'healthy') return false;
  return task.desiredState === 'RUNNING' || task.desiredState === 'COMPLETE';
}

/** Global tasks have slot 0 and are keyed by node instead. */
function slotKey(serviceId: string, slot: number, nodeId: string): string {
  return slot === 0 ? `${serviceId}/node/${nodeId}` : `${serviceId}/slot/${slot}`;
}

function addTo<K>(map: Map<K, Set<string>>, key: K, id: string): void {
  let ids = map.get(key);
  if (ids === undefined) map.set(key, (ids = new Set()));
  ids.add(id);
}

function removeFrom<K>(map: Map<K, Set<string>>, key: K, id: string): void {
  const ids = map.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}

const EMPTY: ReadonlySet<string> = new Set();
