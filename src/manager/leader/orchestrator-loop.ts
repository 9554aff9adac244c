import type { Logger } from 'pino';
import type { Node } from '../../gen/index.js';
import { affectedServices, DEFAULT_TASK_HISTORY_LIMIT, dependentsOf, holdBackCreates, reconcileService, toStoreActions, unmetDependencies, type ReconcileDeps } from '../orchestrator/index.js';
import type { MemoryStore } from '../store/index.js';
import type { Clock } from '../../common/clock.js';
import type { Propose } from './ports.js';

/** Services reconciled (and proposed) at once in one pass. */
const CONCURRENT_SERVICES = 16;
/** Pause before retrying a service whose batch lost a version race. */
const CONFLICT_RETRY_MS = 20;

/**
 * The leader's orchestrator shell: marks services dirty from store events
 * (only the affected ones), reconciles them with the pure reconcilers, and
 * proposes their actions, one batch per service. A batch that lost a
 * version race is simply reconciled again from fresh reads.
 */
export class OrchestratorLoop {
  private readonly dirty = new Set<string>();
  private readonly wakes = new Map<string, { atMs: number; cancel(): void }>();
  private running = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: MemoryStore,
    private readonly propose: Propose,
    private readonly clock: Clock,
    private readonly deps: ReconcileDeps,
    private readonly log: Logger,
  ) {}

  /** Reconciles everything once, then follows the store. */
  start(): void {
    this.unsubscribe = this.store.watch((changes) => {
      const affected = affectedServices(changes.events, {
        servicesOnNode: (nodeId) => new Set(this.store.tasksOnNode(nodeId).map((t) => t.serviceId)),
        globalServices: () => this.store.list('service').filter((s) => s.spec?.mode?.kind === 'GLOBAL' || s.spec?.mode?.kind === 'GLOBAL_JOB').map((s) => s.id),
      });
      if (affected.all) this.markAll();
      else for (const id of affected.serviceIds) this.dirty.add(id);
      // A service waiting on depends_on looks again when what it waits for changes.
      if (!affected.all) for (const id of dependentsOf(affected.serviceIds, this.store.list('service'))) this.dirty.add(id);
      this.kick();
    });
    this.markAll();
    this.kick();
  }

  /** Stops on leadership loss; proposals in flight fail on their own. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const w of this.wakes.values()) w.cancel();
    this.wakes.clear();
    this.dirty.clear();
  }

  private markAll(): void {
    for (const s of this.store.list('service')) this.dirty.add(s.id);
    // Tasks whose service is gone still need cleaning up.
    for (const t of this.store.listTasks()) if (!this.store.get('service', t.serviceId)) this.dirty.add(t.serviceId);
  }

  private kick(): void {
    if (this.running || this.stopped || this.dirty.size === 0) return;
    this.running = true;
    // Let a burst of events accumulate before the pass.
    this.clock.setTimer(2, () => void this.pass());
  }

  private async pass(): Promise<void> {
    try {
      const ids = [...this.dirty];
      this.dirty.clear();
      const nodes = new Map<string, Node>(this.store.list('node').map((n) => [n.id, n]));
      const [cluster] = this.store.list('cluster');
      const historyLimit = cluster?.spec?.taskHistoryRetentionLimit ?? DEFAULT_TASK_HISTORY_LIMIT;
      for (let i = 0; i < ids.length && !this.stopped; i += CONCURRENT_SERVICES) {
        await Promise.all(ids.slice(i, i + CONCURRENT_SERVICES).map((id) => this.reconcileOne(id, nodes, historyLimit)));
      }
    } catch (error) {
      this.log.error({ err: error }, 'orchestrator pass failed');
    } finally {
      this.running = false;
      this.kick();
    }
  }

  private async reconcileOne(serviceId: string, nodes: ReadonlyMap<string, Node>, taskHistoryLimit: number): Promise<void> {
    const service = this.store.get('service', serviceId);
    const tasks = this.store.tasksOfService(serviceId);
    const nowMs = this.clock.nowMs();
    const reconciled = reconcileService({ serviceId, service, taskHistoryLimit }, { tasks, nodes }, nowMs, this.deps);
    const unmet = service ? unmetDependencies(service, { serviceByName: (name) => this.store.list('service', { namePrefixes: [name] }).find((s) => s.spec?.annotations?.name === name), tasksOf: (id) => this.store.tasksOfService(id) }) : [];
    const actions = holdBackCreates(reconciled, unmet);
    if (actions.length < reconciled.length) this.log.debug({ serviceId, waitingFor: unmet }, 'depends_on: holding back new tasks');
    for (const action of actions) if (action.kind === 'wake-at') this.wakeAt(serviceId, action.atMs);
    const storeActions = toStoreActions(actions);
    if (storeActions.length === 0) return;
    const result = await this.propose(storeActions).catch((error: unknown) => {
      this.log.warn({ err: error, serviceId }, 'orchestrator proposal failed');
      return undefined;
    });
    if (result && !result.ok) {
      this.log.debug({ serviceId, error: result.error.message }, 'orchestrator batch lost a race; reconciling again');
      this.clock.setTimer(CONFLICT_RETRY_MS, () => {
        this.dirty.add(serviceId);
        this.kick();
      });
    }
  }

  private wakeAt(serviceId: string, atMs: number): void {
    const existing = this.wakes.get(serviceId);
    if (existing && existing.atMs <= atMs) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(Math.max(0, atMs - this.clock.nowMs()), () => {
      this.wakes.delete(serviceId);
      this.dirty.add(serviceId);
      this.kick();
    });
    this.wakes.set(serviceId, { atMs, cancel });
  }
}
