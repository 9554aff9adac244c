import type { Logger } from 'pino';
import type { Network, StoreAction, Task } from '../../gen/index.js';
import {
  allocateTaskNetworks, awaitsAllocation, endpointOutOfStep, holdsAddresses, ingressAttachmentOf, ingressPortsInUse, nodeOwner, planEndpoint,
  rebuildAddressBook, resolvePorts, taskOwner, vipNetworkIds, vipOwner, type AddressBook,
} from '../allocator/index.js';
import type { MemoryStore, StoreChangeSet } from '../store/index.js';
import { PassLoop } from './pass-loop.js';
import type { Clock } from '../../common/clock.js';
import type { Propose } from './ports.js';

/** Batch allocations at our own pace: at most one pass per this interval. */
const PASS_INTERVAL_MS = 5;
/** At most this many tasks or nodes per proposal. */
const MAX_BATCH = 500;
/** Pause before retrying after a lost race or a failed proposal. */
const RETRY_MS = 20;
/** The status message of a task whose addresses could not be allocated (its err says why). */
const PENDING_MESSAGE = 'pending network allocation';

/**
 * The leader's allocator shell. Keeps the address book in step with the
 * store (claims what commits, releases what dies), gives tasks their
 * network attachments before the scheduler may place them, gives every
 * node an address on the ingress network. Control shares the same book
 * (VIPs).
 */
export class AllocatorLoop extends PassLoop {
  /** The leader's address book, rebuilt from the store when leadership starts. */
  readonly book: AddressBook;
  private readonly pendingTasks = new Set<string>();
  private readonly pendingNodes = new Set<string>();
  /** Services whose stored endpoint does not match their spec (written by someone other than Control). */
  private readonly pendingServices = new Set<string>();
  /** Tasks that could not be allocated, with the error they show and the book epoch it was computed at. */
  private readonly blocked = new Map<string, { reason: string; epoch: number }>();

  constructor(
    store: MemoryStore,
    private readonly propose: Propose,
    clock: Clock,
    log: Logger,
    /** Control's one-at-a-time allocating writes: repairs of service endpoints join the same queue. */
    private readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
  ) {
    super(store, clock, log, PASS_INTERVAL_MS, 'allocator');
    const { book, problems } = rebuildAddressBook({ networks: store.list('network'), services: store.list('service'), tasks: store.listTasks(), nodes: store.list('node') });
    for (const problem of problems) log.warn({ problem }, 'the store holds a duplicate address; the first holder keeps it');
    this.book = book;
  }

  protected override starting(): void {
    for (const t of this.store.listTasks()) if (awaitsAllocation(t)) this.pendingTasks.add(t.id);
    for (const n of this.store.list('node')) this.pendingNodes.add(n.id);
    for (const s of this.store.list('service')) this.pendingServices.add(s.id);
  }

  protected follow(changes: StoreChangeSet): boolean {
    let wake = false;
    for (const event of changes.events) {
      switch (event.kind) {
        case 'network':
          if (event.action === 'remove') this.book.dropNetwork(event.object.id);
          else this.book.ensureNetwork(event.object);
          // A new (or removed) ingress network: every node's attachments change.
          if (event.object.spec?.ingress) for (const n of this.store.list('node')) this.pendingNodes.add(n.id);
          wake = true;
          break;
        case 'service':
          if (event.action === 'remove') {
            this.book.release(vipOwner(event.object.id));
            this.pendingServices.delete(event.object.id);
          } else {
            for (const vip of event.object.endpoint?.virtualIps ?? []) this.claim(vipOwner(event.object.id), vip.networkId, vip.addr);
            this.pendingServices.add(event.object.id);
            wake = true;
          }
          break;
        case 'task':
          wake = this.followTask(event.object, event.action === 'remove') || wake;
          break;
        case 'node':
          if (event.action === 'remove') {
            this.book.release(nodeOwner(event.object.id));
            this.pendingNodes.delete(event.object.id);
          } else {
            for (const a of event.object.attachments) for (const address of a.addresses) this.claim(nodeOwner(event.object.id), a.networkId, address);
            this.pendingNodes.add(event.object.id);
            wake = true;
          }
          break;
        default:
          break;
      }
    }
    return wake;
  }

  /** Keeps the book in step with one task; true when there is work to do. */
  private followTask(task: Task, removed: boolean): boolean {
    const owner = taskOwner(task.id);
    if (removed || !holdsAddresses(task)) {
      const held = this.book.heldBy(owner).size > 0;
      this.book.release(owner);
      this.pendingTasks.delete(task.id);
      this.blocked.delete(task.id);
      return held && this.blocked.size > 0;
    }
    for (const a of task.networks) for (const address of a.addresses) this.claim(owner, a.networkId, address);
    if (awaitsAllocation(task)) {
      this.pendingTasks.add(task.id);
      return true;
    }
    this.pendingTasks.delete(task.id);
    this.blocked.delete(task.id);
    return false;
  }

  private claim(owner: ReturnType<typeof taskOwner>, networkId: string, address: string): void {
    const claimed = this.book.claim(networkId, owner, address);
    if (!claimed.ok && claimed.error.kind !== 'unknown-network') this.log.warn({ owner, networkId, address, problem: claimed.error.message }, 'committed address conflicts with the address book');
  }

  protected async runPass(): Promise<void> {
    const ingress = this.ingress();
    await this.repairServices(ingress);
    await this.allocateTasks(ingress);
    await this.allocateNodes(ingress);
  }

  private ingress(): Network | undefined {
    return this.store.list('network').find((n) => n.spec?.ingress === true);
  }

  private async allocateTasks(ingress: Network | undefined): Promise<void> {
    if (this.pendingTasks.size === 0) return;
    const networks = this.store.list('network');
    const lookup = (target: string): Network | undefined => networks.find((n) => n.id === target) ?? networks.find((n) => n.spec?.annotations?.name === target);
    const nowMs = this.clock.nowMs();
    const actions: StoreAction[] = [];
    const allocated: string[] = [];
    const failedNow = new Map<string, string>();
    for (const id of [...this.pendingTasks]) {
      if (actions.length >= MAX_BATCH) break;
      const task = this.store.get('task', id);
      if (!task || !awaitsAllocation(task)) {
        this.pendingTasks.delete(id);
        this.blocked.delete(id);
        continue;
      }
      const blocked = this.blocked.get(id);
      if (blocked && blocked.epoch === this.book.epoch) continue; // nothing was freed since it failed
      const result = allocateTaskNetworks(this.book, task, lookup, ingress);
      if (result.ok) {
        allocated.push(id);
        const service = this.store.get('service', task.serviceId);
        const status = task.status?.message === PENDING_MESSAGE ? { ...task.status, err: '', message: 'allocated', timestampMs: nowMs } : task.status;
        actions.push({ kind: 'UPDATE', object: { task: { ...task, networks: result.value, endpoint: service?.endpoint ?? task.endpoint, status } } });
        continue;
      }
      failedNow.set(id, result.error);
      this.blocked.set(id, { reason: result.error, epoch: this.book.epoch });
      if (task.status?.err === result.error) continue;
      const status = { ...(task.status ?? { exitCode: 0, pid: 0, containerId: '', health: '', timestampMs: 0 }), state: 'PENDING' as const, message: PENDING_MESSAGE, err: result.error, timestampMs: nowMs };
      actions.push({ kind: 'UPDATE', object: { task: { ...task, status } } });
    }
    if (actions.length === 0) return;
    const outcome = await this.propose(actions).catch((error: unknown) => {
      this.log.warn({ err: error }, 'allocator proposal failed');
      return undefined;
    });
    if (outcome?.ok) {
      for (const id of allocated) {
        this.pendingTasks.delete(id);
        this.blocked.delete(id);
      }
      if (this.pendingTasks.size > this.blocked.size) this.kick();
      return;
    }
    // A proposal that threw (timed out) may still commit: its addresses stay
    // reserved for their tasks, and the retry proposes the same ones (the book
    // hands an owner what it holds). One that was refused (a task changed
    // meanwhile) gives them back, keeping whatever the store says the task
    // holds now: an earlier, timed-out proposal of the same addresses may have
    // committed in between, and releasing those would hand them out twice.
    if (outcome !== undefined) {
      for (const id of allocated) {
        this.book.release(taskOwner(id));
        const current = this.store.get('task', id);
        if (current) this.followTask(current, false);
      }
    }
    for (const id of failedNow.keys()) this.blocked.delete(id);
    this.retryAfter(RETRY_MS);
  }

  /**
   * A service whose endpoint is out of step with its spec (the orchestrator's
   * automatic rollback writes the previous spec's raw ports) gets its ports
   * and VIPs allocated again, as Control would have.
   */
  private async repairServices(ingress: Network | undefined): Promise<void> {
    for (const id of [...this.pendingServices]) {
      this.pendingServices.delete(id);
      const candidate = this.store.get('service', id);
      if (!candidate || !endpointOutOfStep(candidate, ingress?.id)) continue;
      await this.exclusive(async () => {
        const service = this.store.get('service', id);
        if (!service?.spec || !endpointOutOfStep(service, ingress?.id)) return;
        const name = service.spec.annotations?.name || id;
        const ports = resolvePorts(service.spec.endpoint?.ports ?? [], service.endpoint?.ports ?? [], ingressPortsInUse(this.store.list('service'), id));
        if (!ports.ok) {
          this.log.error({ service: name, problem: ports.error }, 'cannot allocate the endpoint of a service written outside Control');
          return;
        }
        const plan = planEndpoint(this.book, id, service.spec, ports.value, vipNetworkIds(service.spec, ports.value, ingress?.id));
        if (!plan.ok) {
          this.log.error({ service: name, problem: plan.error }, 'cannot allocate the endpoint of a service written outside Control');
          return;
        }
        const outcome = await this.propose([{ kind: 'UPDATE', object: { service: { ...service, endpoint: plan.value.endpoint } } }]).catch(() => undefined);
        if (outcome?.ok) {
          for (const networkId of plan.value.dropped) this.book.release(vipOwner(id), networkId);
          return;
        }
        // Refused: give the new VIPs back. Timed out (may still commit): keep them for the retry.
        if (outcome !== undefined) for (const networkId of plan.value.added) this.book.release(vipOwner(id), networkId);
        this.pendingServices.add(id);
        this.retryAfter(RETRY_MS);
      });
    }
  }

  /** Every node gets an address on the current ingress network; attachments to removed networks are dropped. */
  private async allocateNodes(ingress: Network | undefined): Promise<void> {
    if (this.pendingNodes.size === 0) return;
    const actions: StoreAction[] = [];
    const allocated: string[] = [];
    for (const id of [...this.pendingNodes]) {
      if (actions.length >= MAX_BATCH) break;
      this.pendingNodes.delete(id);
      const node = this.store.get('node', id);
      if (!node) continue;
      const kept = node.attachments.filter((a) => a.networkId !== ingress?.id && this.store.get('network', a.networkId) !== undefined);
      const current = ingress && ingressAttachmentOf(node, ingress.id);
      if (current && kept.length === node.attachments.length - 1) continue;
      if (!ingress) {
        if (kept.length !== node.attachments.length) actions.push({ kind: 'UPDATE', object: { node: { ...node, attachments: kept } } });
        continue;
      }
      const address = current ? { ok: true as const, value: current.addresses[0] ?? '' } : this.book.allocate(ingress.id, nodeOwner(id));
      if (!address.ok) {
        this.log.error({ nodeId: id, problem: address.error.message }, 'no ingress address for node');
        continue;
      }
      allocated.push(id);
      actions.push({ kind: 'UPDATE', object: { node: { ...node, attachments: [{ networkId: ingress.id, addresses: [address.value], aliases: [] }, ...kept] } } });
    }
    if (actions.length === 0) return;
    const outcome = await this.propose(actions).catch((error: unknown) => {
      this.log.warn({ err: error }, 'allocator node proposal failed');
      return undefined;
    });
    if (outcome?.ok) {
      if (this.pendingNodes.size > 0) this.kick();
      return;
    }
    // Nodes change often (status reports): retry from fresh reads; a node keeps the address reserved for it.
    for (const id of allocated) this.pendingNodes.add(id);
    this.retryAfter(RETRY_MS);
  }
}
