// The scheduler's indexed view of the cluster, fed by store events. Every
// event costs O(1) in the number of tasks, so a decision never rescans them.
import type { Node, Service, Task, TaskStatus_State } from '../gen/index.js';
import type { NodeId, ServiceId, TaskId } from '../common/ids.js';
import { assert } from '../common/assert.js';
import { demandOf, isFailure, isOccupying, isPending, type Demand } from './demand.js';
import { applyDemand, describeNode, placeholderEntry, type NodeEntry } from './node-entry.js';

/** A service's tasks across nodes, and where it failed recently. */
export interface ServiceIndex {
  /** Occupying tasks per node ordinal. */
  readonly countsByNode: Map<number, number>;
  readonly occupying: Set<TaskId>;
  /** Tasks of the service waiting for a node. */
  readonly pending: Set<TaskId>;
  /** Recent failure times (ms) per node ID, newest last, at most FAILURE_THRESHOLD kept. */
  readonly failuresByNode: Map<NodeId, number[]>;
}

/** What the state remembers about one task. */
export interface TaskRecord {
  readonly id: TaskId;
  readonly serviceId: ServiceId;
  task: Task;
  state: TaskStatus_State;
  /** The node it occupies, or -1. */
  ordinal: number;
  demand: Demand;
  /** Assigned by a plan the store has not confirmed yet. */
  tentative: boolean;
  /** When the last pass could not place it: the capacity epoch then, and why. */
  blocked: { readonly epoch: number; readonly reason: string } | undefined;
}

/** One label's values across nodes: `ids[ordinal]` indexes `values`; `order` lists value ids sorted by value. */
export interface LabelColumn {
  readonly ids: Int32Array;
  readonly values: readonly string[];
  readonly order: readonly number[];
}

/** Failures on one node within FAILURE_WINDOW_MS that push it to the back of the ranking. */
export const FAILURE_THRESHOLD = 5;
/** How far back failures count, as in Swarm: five minutes. */
export const FAILURE_WINDOW_MS = 5 * 60 * 1000;

/** Indexed per-node and per-service counts, reservations, host ports and failures, updated from store events. */
export class SchedulerState {
  /** Entries by ordinal; holes are free ordinals. */
  readonly nodes: (NodeEntry | undefined)[] = [];
  private readonly ordinals = new Map<NodeId, number>();
  private readonly freeOrdinals: number[] = [];
  private readonly tasks = new Map<TaskId, TaskRecord>();
  private readonly servicesById = new Map<ServiceId, Service>();
  private readonly indexes = new Map<ServiceId, ServiceIndex>();
  /** Tasks waiting for a node, in arrival order. */
  readonly pending = new Map<TaskId, TaskRecord>();
  /**
   * Bumped whenever a pending task might newly fit somewhere (a node changed, a task
   * left a node): tasks blocked at the current epoch are not re-filtered, so stuck
   * services do not make every pass scan the cluster again.
   */
  capacityEpoch = 0;
  /** Bumped whenever any node's attributes may have changed; label columns are rebuilt after it moves. */
  private nodesEpoch = 0;
  private readonly labelColumns = new Map<string, LabelColumn & { epoch: number }>();

  /** A state loaded from the store's current objects, e.g. when this manager becomes leader. */
  static fromSnapshot(snapshot: { readonly nodes: readonly Node[]; readonly tasks: readonly Task[]; readonly services?: readonly Service[] | undefined }): SchedulerState {
    const state = new SchedulerState();
    // Services first: their endpoints give host ports to tasks that carry none yet.
    for (const service of snapshot.services ?? []) state.serviceUpserted(service);
    for (const node of snapshot.nodes) state.nodeUpserted(node);
    for (const task of snapshot.tasks) state.taskAdded(task);
    return state;
  }

  /** A node joined or changed (status, availability, labels, resources). */
  nodeUpserted(node: Node): void {
    describeNode(this.entryFor(node.id as NodeId), node);
    this.capacityEpoch++;
    this.nodesEpoch++;
  }

  /** A node left the cluster; its tasks keep their reservations until they are removed. */
  nodeRemoved(nodeId: NodeId): void {
    const ordinal = this.ordinals.get(nodeId);
    if (ordinal === undefined) return;
    const entry = this.nodes[ordinal];
    assert(entry !== undefined, `node ${nodeId} indexed without an entry`);
    entry.known = false;
    entry.ready = false;
    this.nodesEpoch++;
    this.releaseIfUnused(entry);
  }

  /** A service was created or updated: its endpoint supplies host ports to tasks that carry none. */
  serviceUpserted(service: Service): void {
    this.servicesById.set(service.id as ServiceId, service);
  }

  /** A service was removed; its tasks are removed by their own events. */
  serviceRemoved(serviceId: ServiceId): void {
    this.servicesById.delete(serviceId);
    const index = this.indexes.get(serviceId);
    if (index !== undefined && index.occupying.size === 0 && index.pending.size === 0) this.indexes.delete(serviceId);
  }

  /** A task was created. */
  taskAdded(task: Task): void {
    this.taskUpserted(task);
  }

  /** A task changed: the store's version replaces ours, and confirms a tentative assignment. */
  taskUpdated(task: Task): void {
    this.taskUpserted(task);
  }

  /** A task was deleted from the store. */
  taskRemoved(taskId: TaskId): void {
    const record = this.tasks.get(taskId);
    if (record === undefined) return;
    this.retract(record);
    this.tasks.delete(taskId);
  }

  /** Rolls back tentative assignments whose commit failed: those tasks wait for a node again. */
  abandon(taskIds: Iterable<TaskId>): void {
    for (const id of taskIds) {
      const record = this.tasks.get(id);
      if (record === undefined || !record.tentative) continue;
      this.retract(record);
      record.tentative = false;
      this.classify(record);
    }
  }

  /** Records a plan's assignment before the store confirms it, so the next plan sees it. */
  assignTentatively(record: TaskRecord, ordinal: number): void {
    assert(this.pending.get(record.id) === record, `task ${record.id} is not pending`);
    this.pending.delete(record.id);
    this.serviceIndex(record.serviceId).pending.delete(record.id);
    record.tentative = true;
    this.occupy(record, ordinal);
  }

  /** The entry for a node ID, if the node is known. */
  entry(nodeId: NodeId): NodeEntry | undefined {
    const ordinal = this.ordinals.get(nodeId);
    const entry = ordinal === undefined ? undefined : this.nodes[ordinal];
    return entry?.known ? entry : undefined;
  }

  /** The per-service index, created on first use. */
  serviceIndex(serviceId: ServiceId): ServiceIndex {
    let index = this.indexes.get(serviceId);
    if (index === undefined) {
      index = { countsByNode: new Map(), occupying: new Set(), pending: new Set(), failuresByNode: new Map() };
      this.indexes.set(serviceId, index);
    }
    return index;
  }

  /** The service object last seen, if any. */
  service(serviceId: ServiceId): Service | undefined {
    return this.servicesById.get(serviceId);
  }

  /** A task as the state knows it. */
  task(taskId: TaskId): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  /** Every node's value of one label as small integers, so spread trees group nodes without string lookups. */
  labelColumn(source: 'nodeLabel' | 'engineLabel', label: string): LabelColumn {
    const key = `${source}\0${label}`;
    const cached = this.labelColumns.get(key);
    if (cached !== undefined && cached.epoch === this.nodesEpoch && cached.ids.length >= this.nodes.length) return cached;
    const ids = new Int32Array(this.nodes.length);
    const values: string[] = [];
    const idOf = new Map<string, number>();
    for (const entry of this.nodes) {
      if (entry === undefined) continue;
      // Nodes without the label share one branch (value ''), as in Swarm.
      const value = (source === 'nodeLabel' ? entry.nodeLabels : entry.engineLabels).get(label) ?? '';
      let id = idOf.get(value);
      if (id === undefined) {
        id = values.length;
        values.push(value);
        idOf.set(value, id);
      }
      ids[entry.ordinal] = id;
    }
    const order = values.map((_, i) => i).sort((a, b) => ((values[a] ?? '') < (values[b] ?? '') ? -1 : 1));
    const column = { ids, values, order, epoch: this.nodesEpoch };
    this.labelColumns.set(key, column);
    return column;
  }

  /** True when the service failed FAILURE_THRESHOLD times on the node within the window before `nowMs`. */
  failingOn(index: ServiceIndex, nodeId: NodeId, nowMs: number): boolean {
    const times = index.failuresByNode.get(nodeId);
    if (times === undefined || times.length < FAILURE_THRESHOLD) return false;
    const oldest = times[times.length - FAILURE_THRESHOLD] ?? -Infinity;
    return oldest > nowMs - FAILURE_WINDOW_MS;
  }

  private taskUpserted(task: Task): void {
    const id = task.id as TaskId;
    const previous = this.tasks.get(id);
    const state = task.status?.state ?? 'NEW';
    if (isFailure(state) && task.nodeId !== '' && (previous === undefined || !isFailure(previous.state))) {
      this.recordFailure(task.serviceId as ServiceId, task.nodeId as NodeId, task.status?.timestampMs ?? 0);
    }
    if (previous !== undefined) {
      // The store has not yet seen our assignment: keep it rather than place the task twice.
      if (previous.tentative && isPending(task)) {
        previous.task = task;
        return;
      }
      const sameSpec = previous.task.spec === task.spec && previous.task.endpoint === task.endpoint;
      // A confirmation or a status change in place frees nothing: blocked tasks need not retry for it.
      const stays = sameSpec && previous.ordinal >= 0 && isOccupying(task) && this.nodes[previous.ordinal]?.id === task.nodeId;
      this.retract(previous, !stays);
      previous.task = task;
      previous.state = state;
      previous.tentative = false;
      if (!sameSpec) {
        previous.demand = demandOf(task, this.servicesById.get(previous.serviceId)?.spec?.endpoint?.ports);
        previous.blocked = undefined;
      }
      this.classify(previous);
      return;
    }
    const service = this.servicesById.get(task.serviceId as ServiceId);
    const record: TaskRecord = {
      id, serviceId: task.serviceId as ServiceId, task, state, ordinal: -1,
      demand: demandOf(task, service?.spec?.endpoint?.ports), tentative: false, blocked: undefined,
    };
    this.tasks.set(id, record);
    this.classify(record);
  }

  private classify(record: TaskRecord): void {
    const task = record.task;
    if (isOccupying(task)) this.occupy(record, this.entryFor(task.nodeId as NodeId).ordinal);
    else if (isPending(task)) {
      this.pending.set(record.id, record);
      this.serviceIndex(record.serviceId).pending.add(record.id);
    }
  }

  private occupy(record: TaskRecord, ordinal: number): void {
    const entry = this.nodes[ordinal];
    assert(entry !== undefined, `ordinal ${ordinal} has no node entry`);
    record.ordinal = ordinal;
    applyDemand(entry, record.demand, 1);
    const index = this.serviceIndex(record.serviceId);
    index.countsByNode.set(ordinal, (index.countsByNode.get(ordinal) ?? 0) + 1);
    index.occupying.add(record.id);
  }

  private retract(record: TaskRecord, freesCapacity = true): void {
    if (this.pending.delete(record.id)) this.serviceIndex(record.serviceId).pending.delete(record.id);
    if (record.ordinal < 0) return;
    const entry = this.nodes[record.ordinal];
    assert(entry !== undefined, `task ${record.id} occupies a freed ordinal`);
    applyDemand(entry, record.demand, -1);
    if (freesCapacity) this.capacityEpoch++;
    const index = this.serviceIndex(record.serviceId);
    const count = (index.countsByNode.get(record.ordinal) ?? 0) - 1;
    assert(count >= 0, `negative task count for service ${record.serviceId}`);
    if (count === 0) index.countsByNode.delete(record.ordinal);
    else index.countsByNode.set(record.ordinal, count);
    index.occupying.delete(record.id);
    record.ordinal = -1;
    this.releaseIfUnused(entry);
  }

  private recordFailure(serviceId: ServiceId, nodeId: NodeId, timeMs: number): void {
    const failures = this.serviceIndex(serviceId).failuresByNode;
    const times = failures.get(nodeId) ?? [];
    // Keep them ordered even if reports arrive out of order; only the newest few matter.
    times.push(timeMs);
    times.sort((a, b) => a - b);
    if (times.length > FAILURE_THRESHOLD) times.shift();
    failures.set(nodeId, times);
  }

  private entryFor(nodeId: NodeId): NodeEntry {
    const existing = this.ordinals.get(nodeId);
    if (existing !== undefined) {
      const entry = this.nodes[existing];
      assert(entry !== undefined, `node ${nodeId} indexed without an entry`);
      return entry;
    }
    const ordinal = this.freeOrdinals.pop() ?? this.nodes.length;
    const entry = placeholderEntry(ordinal, nodeId);
    this.nodesEpoch++;
    this.nodes[ordinal] = entry;
    this.ordinals.set(nodeId, ordinal);
    return entry;
  }

  private releaseIfUnused(entry: NodeEntry): void {
    if (entry.known || entry.taskCount > 0) return;
    // Reusing ordinals keeps per-decision loops proportional to live nodes despite churn.
    this.nodes[entry.ordinal] = undefined;
    this.ordinals.delete(entry.id);
    this.freeOrdinals.push(entry.ordinal);
  }
}
