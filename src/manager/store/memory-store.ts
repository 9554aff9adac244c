// The managers' store: every cluster object in memory, indexed, changed only
// by applying committed Raft batches in log order (DESIGN.md step 3).
import type { StoreBatch, StoreSnapshot, Task, TaskStatus_State } from '../../gen/index.js';
import { assert } from '../../common/assert.js';
import type { ApplyResult, StoreEvent, StoreListener } from './events.js';
import { type AnyObject, OBJECT_KINDS, type ObjectByKind, type ObjectKind, type Tagged, labelsOf, nameOf } from './kinds.js';
import { ObjectTable } from './object-table.js';
import { stageBatch } from './stage-batch.js';
import { type ServiceTaskCounts, TaskIndex } from './task-index.js';
import { type ResolveError, resolveRef } from './resolve.js';
import type { Result } from '../../common/result.js';

/** The snapshot format this store writes and reads. */
export const STORE_SNAPSHOT_VERSION = 1;

/** List filters, as Docker's: ID and name filters match prefixes; every label must match ('' = key present). */
export interface ObjectFilter {
  idPrefixes?: readonly string[];
  namePrefixes?: readonly string[];
  labels?: Readonly<Record<string, string>>;
  /** Stack name: the `com.docker.stack.namespace` label. */
  namespace?: string;
}

/** Task list filters: the indexed ones narrow the set first. */
export interface TaskFilter extends ObjectFilter {
  serviceIds?: readonly string[];
  nodeIds?: readonly string[];
  desiredStates?: readonly TaskStatus_State[];
}

type Tables = { [K in ObjectKind]: ObjectTable<ObjectByKind[K]> };

/**
 * In-memory store. Stored objects are immutable: a write replaces an object,
 * never changes it in place. So reads, events and snapshots hand out the
 * store's own objects (callers must not mutate them: copy, change, propose),
 * and apply/restore take ownership of what they are given (the Raft path
 * passes freshly decoded objects; nobody else holds them).
 */
export class MemoryStore {
  private readonly tables: Tables = makeTables();
  private readonly tasks = new TaskIndex();
  private readonly listeners = new Set<StoreListener>();
  private lastApplied = 0;
  private notifying = false;

  /** The log index of the last batch applied (or restored). */
  get appliedIndex(): number {
    return this.lastApplied;
  }

  /** Applies a committed batch at `logIndex`: all of it or, with an error value, none. */
  apply(batch: StoreBatch, logIndex: number): ApplyResult {
    assert(!this.notifying, 'store: a listener wrote to the store; propose through Raft instead');
    assert(Number.isSafeInteger(logIndex) && logIndex > this.lastApplied, `store: log index ${logIndex} applied after ${this.lastApplied}`);
    this.lastApplied = logIndex;
    const staged = stageBatch({ get: (kind, id) => this.tables[kind].get(id), idsNamed: (kind, name) => this.tables[kind].idsNamed(name) }, batch, logIndex);
    if (!staged.ok) return staged;
    const events: StoreEvent[] = [];
    for (const write of staged.value) {
      this.write(write.kind, write.id, write.next);
      const object = write.next ?? write.previous;
      assert(object !== undefined, 'store: a write has neither next nor previous');
      const action = write.next === undefined ? 'remove' : write.previous === undefined ? 'create' : 'update';
      events.push({ kind: write.kind, action, object, previous: action === 'update' ? write.previous : undefined } as StoreEvent);
    }
    const changes = { logIndex, proposalId: batch.proposalId, proposedAtMs: batch.proposedAtMs, events };
    this.notifying = true;
    try {
      for (const listener of [...this.listeners]) listener(changes);
    } finally {
      this.notifying = false;
    }
    return { ok: true, events };
  }

  /** Calls `listener` after every applied batch; returns the unsubscribe function. */
  watch(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The object of this kind with this exact ID. */
  get<K extends ObjectKind>(kind: K, id: string): ObjectByKind[K] | undefined {
    return this.tables[kind].get(id) as ObjectByKind[K] | undefined;
  }

  /** Objects of this kind with this exact name (at most one for services, networks, secrets, configs). */
  getByName<K extends ObjectKind>(kind: K, name: string): ObjectByKind[K][] {
    const table = this.tables[kind];
    return [...table.idsNamed(name)].map((id) => table.get(id)).filter(isDefined) as ObjectByKind[K][];
  }

  /** Objects of this kind whose ID starts with `prefix`. */
  getByIdPrefix<K extends ObjectKind>(kind: K, prefix: string): ObjectByKind[K][] {
    return this.tables[kind].withIdPrefix(prefix) as ObjectByKind[K][];
  }

  /** Docker's lookup: exact ID, then exact name, then unique ID prefix. */
  resolve<K extends ObjectKind>(kind: K, ref: string): Result<ObjectByKind[K], ResolveError> {
    return resolveRef(kind, ref, {
      byId: (id) => this.get(kind, id),
      byName: (name) => this.getByName(kind, name),
      byIdPrefix: (prefix) => this.getByIdPrefix(kind, prefix),
    });
  }

  /** A live, read-only view of every object of this kind by ID, e.g. the nodes a reconcile reads (no copy). */
  byId<K extends ObjectKind>(kind: K): ReadonlyMap<string, ObjectByKind[K]> {
    return this.tables[kind].asMap() as ReadonlyMap<string, ObjectByKind[K]>;
  }

  /** How many objects of this kind the store holds. */
  count(kind: ObjectKind): number {
    return this.tables[kind].size;
  }

  /** Objects of this kind matching the filter, in a deterministic order. */
  list<K extends ObjectKind>(kind: K, filter: ObjectFilter = {}): ObjectByKind[K][] {
    const found: ObjectByKind[K][] = [];
    for (const object of this.tables[kind].values()) {
      if (matches({ kind, object } as Tagged, filter)) found.push(object as ObjectByKind[K]);
    }
    return found;
  }

  /** Tasks matching the filter, narrowed through the task indexes before anything is scanned. */
  listTasks(filter: TaskFilter = {}): Task[] {
    const candidates: ReadonlySet<string>[] = [];
    if (filter.serviceIds !== undefined) candidates.push(union(filter.serviceIds.map((id) => this.tasks.ofService(id))));
    if (filter.nodeIds !== undefined) candidates.push(union(filter.nodeIds.map((id) => this.tasks.onNode(id))));
    if (filter.desiredStates !== undefined) candidates.push(union(filter.desiredStates.map((s) => this.tasks.withDesiredState(s))));
    if (candidates.length === 0) return this.list('task', filter);
    candidates.sort((a, b) => a.size - b.size);
    const [smallest, ...others] = candidates;
    const found: Task[] = [];
    for (const id of smallest ?? []) {
      if (others.some((set) => !set.has(id))) continue;
      const task = this.tables.task.get(id);
      if (task !== undefined && matches({ kind: 'task', object: task }, filter)) found.push(task);
    }
    return found;
  }

  /** A service's tasks. */
  tasksOfService(serviceId: string): Task[] {
    return this.taskList(this.tasks.ofService(serviceId));
  }

  /** The tasks assigned to a node. */
  tasksOnNode(nodeId: string): Task[] {
    return this.taskList(this.tasks.onNode(nodeId));
  }

  /** The tasks of one replicated slot, or of a global service on one node (slot 0). */
  tasksInSlot(serviceId: string, slot: number, nodeId = ''): Task[] {
    return this.taskList(this.tasks.inSlot(serviceId, slot, nodeId));
  }

  /** Tasks with this desired state. */
  tasksWithDesiredState(state: TaskStatus_State): Task[] {
    return this.taskList(this.tasks.withDesiredState(state));
  }

  /** Running (for REPLICAS) and completed counts of a service's tasks. */
  taskCounts(serviceId: string): ServiceTaskCounts {
    return this.tasks.countsOf(serviceId);
  }

  /** Everything the store holds, for a Raft snapshot (stays valid after later applies); restore() on it rebuilds this store. */
  snapshot(): StoreSnapshot {
    const all = <K extends ObjectKind>(kind: K): ObjectByKind[K][] => [...this.tables[kind].values()] as ObjectByKind[K][];
    return {
      version: STORE_SNAPSHOT_VERSION,
      nodes: all('node'),
      services: all('service'),
      tasks: all('task'),
      networks: all('network'),
      secrets: all('secret'),
      configs: all('config'),
      clusters: all('cluster'),
    };
  }

  /** Replaces the whole content with a snapshot taken at `appliedIndex`; watchers are not told (they resync). */
  restore(snapshot: StoreSnapshot, appliedIndex: number): void {
    assert(snapshot.version === STORE_SNAPSHOT_VERSION, `store: snapshot format ${snapshot.version} is not ${STORE_SNAPSHOT_VERSION}`);
    for (const kind of OBJECT_KINDS) this.tables[kind].clear();
    this.tasks.clear();
    const lists: { [K in ObjectKind]: ObjectByKind[K][] } = {
      node: snapshot.nodes, service: snapshot.services, task: snapshot.tasks, network: snapshot.networks,
      secret: snapshot.secrets, config: snapshot.configs, cluster: snapshot.clusters,
    };
    for (const kind of OBJECT_KINDS) {
      for (const object of lists[kind]) {
        assert(this.tables[kind].get(object.id) === undefined, `store: snapshot holds ${kind} ${object.id} twice`);
        this.write(kind, object.id, object);
      }
    }
    this.lastApplied = appliedIndex;
  }

  private write(kind: ObjectKind, id: string, next: AnyObject | undefined): void {
    const table = this.tables[kind] as ObjectTable<AnyObject>;
    const previous = table.get(id);
    if (kind === 'task') {
      if (previous !== undefined) this.tasks.remove(previous as Task);
      if (next !== undefined) this.tasks.add(next as Task);
    }
    if (next === undefined) table.delete(id);
    else table.put(next);
  }

  private taskList(ids: ReadonlySet<string>): Task[] {
    return [...ids].map((id) => this.tables.task.get(id)).filter(isDefined);
  }
}

function makeTables(): Tables {
  const table = <K extends ObjectKind>(kind: K) => new ObjectTable<ObjectByKind[K]>((object) => nameOf({ kind, object } as Tagged));
  return {
    node: table('node'), service: table('service'), task: table('task'), network: table('network'),
    secret: table('secret'), config: table('config'), cluster: table('cluster'),
  };
}

function matches(tagged: Tagged, filter: ObjectFilter): boolean {
  const { idPrefixes, namePrefixes, labels, namespace } = filter;
  if (idPrefixes !== undefined && !idPrefixes.some((p) => tagged.object.id.startsWith(p))) return false;
  if (namePrefixes !== undefined) {
    const name = nameOf(tagged);
    if (!namePrefixes.some((p) => name.startsWith(p))) return false;
  }
  const own = labelsOf(tagged);
  if (labels !== undefined) {
    for (const [key, value] of Object.entries(labels)) {
      if (!(key in own) || (value !== '' && own[key] !== value)) return false;
    }
  }
  if (namespace !== undefined && own['com.docker.stack.namespace'] !== namespace) return false;
  return true;
}

function union(sets: readonly ReadonlySet<string>[]): ReadonlySet<string> {
  if (sets.length === 1 && sets[0] !== undefined) return sets[0];
  const all = new Set<string>();
  for (const set of sets) for (const id of set) all.add(id);
  return all;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
