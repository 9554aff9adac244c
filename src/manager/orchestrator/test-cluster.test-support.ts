// A tiny in-process cluster for orchestrator tests: the real store, the
// reconciler, and scripted stand-ins for the scheduler and the workers.
// Test support only (imported by *.test.ts), never by production code.
import { codec, type Node, type Service, type Task, type TaskStatus_State } from '../../gen/index.js';
import { MemoryStore } from '../store/index.js';
import type { Action } from './actions.js';
import { reconcileService } from './reconcile-service.js';
import { toStoreActions } from './to-store-actions.js';
import { isAfter, wantsStop } from '../../common/task-state.js';
import { isTerminal } from './reconcile-tasks.js';

/** Builds a service from a partial spec. */
export function makeService(id: string, spec: Parameters<typeof codec.ServiceSpec.fromPartial>[0]): Service {
  return codec.Service.fromPartial({ id, spec: { annotations: { name: id }, task: { container: { image: 'nginx:1' } }, ...spec } });
}

/** Builds a ready, active node. */
export function makeNode(id: string): Node {
  return codec.Node.fromPartial({ id, spec: { availability: 'ACTIVE' }, description: { hostname: id }, status: { state: 'READY' } });
}

/** The cluster: one store, a clock, an ID counter. */
export class TestCluster {
  readonly store = new MemoryStore();
  nowMs = 1_000;
  taskHistoryLimit = 5;
  eligible: (node: Node, service: Service) => boolean = () => true;
  private index = 0;
  private ids = 0;
  private cursor = 0;

  /** Applies raw store actions as one batch at the current time. */
  commit(actions: Parameters<MemoryStore['apply']>[0]['actions']): void {
    const result = this.store.apply({ proposalId: `p${this.index + 1}`, actions, proposedAtMs: this.nowMs }, ++this.index);
    if (!result.ok) throw new Error(`batch rejected: ${result.error.message}`);
  }

  /** Adds or replaces objects without version checks. */
  upsert(...objects: (Service | Node | Task)[]): void {
    this.commit(objects.map((o) => ({ kind: 'UPSERT' as const, object: 'slot' in o ? { task: o } : 'role' in o ? { node: o } : { service: o } })));
  }

  /** Reconciles one service against the store; does not apply. */
  reconcile(serviceId: string): Action[] {
    return reconcileService(
      { serviceId, service: this.store.get('service', serviceId), taskHistoryLimit: this.taskHistoryLimit },
      { tasks: this.store.tasksOfService(serviceId), nodes: this.store.byId('node') },
      this.nowMs,
      { newId: () => `task${String(++this.ids).padStart(3, '0')}`, isNodeEligible: (node, service) => this.eligible(node, service) },
    );
  }

  /** Reconciles and applies once; returns the actions. */
  step(serviceId: string): Action[] {
    const actions = this.reconcile(serviceId);
    const writes = toStoreActions(actions);
    if (writes.length > 0) this.commit(writes);
    return actions;
  }

  /** Reconciles, schedules and runs until nothing changes (workers obey at once). */
  settle(serviceId: string, maxRounds = 50): void {
    for (let round = 0; round < maxRounds; round++) {
      const changed = this.step(serviceId).some((a) => a.kind !== 'wake-at');
      const moved = this.scheduleAll() + this.runAll() + this.stopAll();
      if (!changed && moved === 0) return;
    }
    throw new Error(`service ${serviceId} did not settle in ${maxRounds} rounds`);
  }

  /** The scheduler stand-in: round-robin over ready active nodes. */
  scheduleAll(): number {
    const nodes = this.store.list('node').filter((n) => n.status?.state === 'READY' && (n.spec?.availability ?? 'ACTIVE') === 'ACTIVE');
    const waiting = this.store.list('task').filter((t) => t.nodeId === '' && !wantsStop(t.desiredState) && t.status?.state === 'NEW');
    if (nodes.length === 0) return 0;
    for (const task of waiting) {
      const node = nodes[this.cursor++ % nodes.length];
      this.upsert({ ...task, nodeId: node?.id ?? '', status: { ...task.status!, state: 'ASSIGNED' } });
    }
    return waiting.length;
  }

  /** Workers start every wanted, placed task on a node that is up. */
  runAll(): number {
    const up = new Set(this.store.list('node').filter((n) => n.status?.state !== 'DOWN').map((n) => n.id));
    const starting = this.store.list('task').filter((t) => up.has(t.nodeId) && !wantsStop(t.desiredState) && isAfter('RUNNING', t.status?.state ?? 'NEW'));
    for (const task of starting) this.setStatus(task.id, 'RUNNING');
    return starting.length;
  }

  /** Workers stop every task told to stop, on nodes that are up. */
  stopAll(): number {
    const up = new Set(this.store.list('node').filter((n) => n.status?.state !== 'DOWN').map((n) => n.id));
    const stopping = this.store.list('task').filter((t) => up.has(t.nodeId) && wantsStop(t.desiredState) && !isTerminal(t));
    for (const task of stopping) this.setStatus(task.id, 'SHUTDOWN');
    return stopping.length;
  }

  /** A worker's status report, merged as the dispatcher's are (SET_STATUS: the store stamps run and end times). */
  setStatus(taskId: string, state: TaskStatus_State, detail: { err?: string } = {}): void {
    const task = this.store.get('task', taskId);
    if (task === undefined) throw new Error(`no task ${taskId}`);
    this.commit([{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: taskId, status: { ...task.status!, state, timestampMs: this.nowMs, ...detail } }) } }]);
  }

  /** Changes a node (status, availability). */
  updateNode(nodeId: string, change: (node: Node) => Node): void {
    const node = this.store.get('node', nodeId);
    if (node === undefined) throw new Error(`no node ${nodeId}`);
    this.upsert(change(structuredClone(node)));
  }

  /** Changes a service through a versioned update, as the Control API would. */
  updateService(serviceId: string, change: (service: Service) => void): void {
    const service = structuredClone(this.store.get('service', serviceId)!);
    change(service);
    this.commit([{ kind: 'UPDATE', object: { service } }]);
  }

  /** Tasks the orchestrator still wants running (desired RUNNING). */
  wanted(serviceId: string): Task[] {
    return this.store.tasksOfService(serviceId).filter((t) => t.desiredState === 'RUNNING').sort((a, b) => a.slot - b.slot);
  }
}
