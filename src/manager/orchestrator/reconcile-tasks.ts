// Small facts about tasks and nodes that every reconciler shares: which
// states are final, which nodes can still run a task, how a task is made.
import { isTerminal as isTerminalState, wantsRun } from '../../common/task-state.js';
import { type Node, type PortConfig, type Service, type Task, type TaskStatus_State, codec } from '../../gen/index.js';
import type { Action } from './actions.js';
import { sameMessage } from './reconcile-equal.js';

/** True once the task's container has stopped for good (COMPLETE or later). */
export function isTerminal(task: Task): boolean {
  return isTerminalState(task.status?.state ?? 'NEW');
}

/** True while the orchestrator still wants the task to run (replicated and global). */
export function wantsRunning(task: Task): boolean {
  return wantsRun(task.desiredState);
}

/** True when the task's status says RUNNING. */
export function isRunning(task: Task): boolean {
  return task.status?.state === 'RUNNING';
}

/** A node that can keep its tasks: present, not Down, not drained. Unassigned tasks count as placeable. */
export function nodeCanHoldTasks(nodes: ReadonlyMap<string, Node>, nodeId: string): boolean {
  if (nodeId === '') return true;
  const node = nodes.get(nodeId);
  if (node === undefined) return false;
  return node.status?.state !== 'DOWN' && node.spec?.availability !== 'DRAIN';
}

/** A node whose tasks will never report again (Down or removed): its tasks count as dead. */
export function nodeIsGone(nodes: ReadonlyMap<string, Node>, nodeId: string): boolean {
  if (nodeId === '') return false;
  const node = nodes.get(nodeId);
  return node === undefined || node.status?.state === 'DOWN';
}

/**
 * True when the task was made from a different task spec than the service's
 * current one, publishes ports its container must change for (see
 * containerPortsChanged), or `--rebalance` moves it.
 */
export function isDirty(task: Task, service: Service): boolean {
  return !sameMessage(task.spec ?? EMPTY_SPEC, service.spec?.task ?? EMPTY_SPEC) || containerPortsChanged(task, service) || movedByRebalance(service).has(task.id);
}

// Swarm replaces tasks on any endpoint change; we replace only those whose
// containers must change: host-mode ports are bound by the task's own
// container, and a task of a service that starts (or stops) publishing through
// the routing mesh needs (or no longer needs) its ingress address. Other mesh
// port changes and the endpoint mode live on every node's data plane, which
// follows the service without touching its containers.
function containerPortsChanged(task: Task, service: Service): boolean {
  return containerPorts(service.spec?.endpoint?.ports) !== containerPorts(task.endpoint?.spec?.ports);
}

function containerPorts(ports: readonly PortConfig[] | undefined): string {
  if (ports === undefined || ports.length === 0) return '';
  const host = ports
    .filter((p) => p.publishMode === 'HOST')
    .map((p) => `${p.protocol}/${p.targetPort}:${p.publishedPort}`)
    .sort()
    .join(',');
  return ports.some((p) => p.publishMode !== 'HOST') ? `${host}+mesh` : host;
}

// One set per stored service object (stored objects are immutable), so the
// check stays a lookup per task however many tasks a pass looks at.
const rebalanceSets = new WeakMap<Service, ReadonlySet<string>>();
const NO_MOVES: ReadonlySet<string> = new Set();

function movedByRebalance(service: Service): ReadonlySet<string> {
  const ids = service.rebalance?.taskIds;
  if (ids === undefined || ids.length === 0) return NO_MOVES;
  let set = rebalanceSets.get(service);
  if (set === undefined) {
    set = new Set(ids);
    rebalanceSets.set(service, set);
  }
  return set;
}

/** Oldest first, by creation time then ID, so every manager sorts alike. */
export function byAge(a: Task, b: Task): number {
  const at = a.meta?.createdAtMs ?? 0;
  const bt = b.meta?.createdAtMs ?? 0;
  return at !== bt ? at - bt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** When a task last changed, on the leader's clock (the store stamps it). */
export function changedAtMs(task: Task): number {
  return task.meta?.updatedAtMs ?? task.status?.timestampMs ?? 0;
}

/** The action that moves a task's desired state forward (never backward). */
export function setDesired(task: Task, desiredState: TaskStatus_State): Action {
  return { kind: 'update-task', task: { ...task, desiredState } };
}

/** Where a new task goes and what it is for. */
export interface NewTaskPlace {
  slot: number;
  nodeId: string;
  desiredState: TaskStatus_State;
}

/**
 * A new task of the service's current spec; the store stamps meta on commit.
 * It shares the service's spec objects, which is safe because stored
 * objects are never mutated.
 */
export function newTask(service: Service, place: NewTaskPlace, nowMs: number, newId: () => string): Task {
  return {
    id: newId(),
    serviceId: service.id,
    slot: place.slot,
    nodeId: place.nodeId,
    spec: service.spec?.task ?? EMPTY_SPEC,
    specVersion: { index: service.meta?.version?.index ?? 0 },
    serviceAnnotations: service.spec?.annotations,
    status: { timestampMs: nowMs, state: 'NEW', message: 'created', err: '', containerId: '', exitCode: 0, pid: 0, health: '' },
    desiredState: place.desiredState,
    networks: [],
    endpoint: service.endpoint,
  };
}

const EMPTY_SPEC = codec.TaskSpec.fromPartial({});
