// The real NetworkAttacher: keeps this node's overlay (src/overlay's
// NodeOverlay: namespaces, VXLAN, veths, FDB/neighbour entries, VIP tables,
// routing mesh, embedded DNS) converged with what the managers sent and the
// task containers that run here. Every trigger (new resources, a container
// started or going, a task status change, the node's ingress address) asks
// for one reconcile; requests that arrive while one runs share the next one.
// Reconciles are diffs against the kernel, so a restarted daemon converges
// without touching established traffic.
import { componentLogger, type Logger } from '../common/log.js';
import { err, ok, type Result } from '../common/result.js';
import type { NetworkAttachment, Task, TaskStatus } from '../gen/index.js';
import { containerDnsAddress, NodeOverlay, type CommandRunner, type EmbeddedDnsServer, type NameTable, type NodeOverlayReport } from '../overlay/index.js';
import { isTerminal } from '../common/task-state.js';
import { allowOverlayThroughDockerForward } from './docker-forward.js';
import { ISOLATED_NETWORK_MODE, withoutGatewayBridge } from './internal-networks.js';
import type { NetworkAttacher } from './network-attacher.js';
import type { NodeResources } from './node-resources.js';
import { planNodeOverlay, type OverlayPlan, type RunningTask } from './overlay-plan.js';

/** What an OverlayAttacher is built from. */
export interface OverlayAttacherOptions {
  readonly runner: CommandRunner;
  /** Short unique name of the node on this machine (kernel object names). */
  readonly nodeTag: string;
  /** The node's data path address: VXLAN's underlay source (VTEP). */
  readonly vtep: string;
  readonly dataPathPort: number;
  readonly logger: Logger;
  /** The process ID of a container's main process; 0 when it does not run. */
  readonly containerPid: (containerId: string) => Promise<number>;
  /** The agent's tasks with their current status (Agent.localTasks). */
  readonly localTasks: () => readonly { task: Task; status: TaskStatus }[];
  /** The embedded DNS; present when this process runs in the node's namespace (the daemon). */
  readonly dns?: { server: EmbeddedDnsServer; table: NameTable } | undefined;
  /** Tests only: the node's namespace when it is not this process's. */
  readonly nodeNetnsPath?: string | undefined;
}

/** One reconcile's outcome: the plan and what the kernel would not take. */
interface Outcome {
  readonly plan: OverlayPlan;
  readonly report: NodeOverlayReport;
}

/** Attaches task containers to overlay networks and keeps the node's overlay converged. */
export class OverlayAttacher implements NetworkAttacher {
  private readonly log: Logger;
  private readonly overlay: NodeOverlay;
  /** Undefined until the managers sent any: until then nothing built by an earlier run is torn down. */
  private resources: NodeResources | undefined;
  private nodeAttachments: readonly NetworkAttachment[] = [];
  /** Containers being removed: their endpoints go even while the engine still runs them. */
  private readonly leaving = new Set<string>();
  /** Task ID → its sandbox, while the task's container is being created (its status has no container ID yet). */
  private readonly preparing = new Map<string, string>();
  private running: Promise<Outcome | undefined> = Promise.resolve(undefined);
  private next: Promise<Outcome | undefined> | undefined;
  private lastProblems = '';
  /** Whether our DOCKER-USER accept rules are known to be in place (docker-forward.ts). */
  private forwardAllowed = false;
  private closed = false;

  constructor(private readonly options: OverlayAttacherOptions) {
    this.log = componentLogger(options.logger, 'overlay');
    this.overlay = new NodeOverlay({ runner: options.runner, nodeTag: options.nodeTag, nodeNetnsPath: options.nodeNetnsPath, dns: options.dns });
  }

  /** The managers' latest networks, peers and services (Agent.onResources). */
  setResources(resources: NodeResources): void {
    this.resources = resources;
    void this.reconcile();
  }

  /** This node's own addresses on networks every node joins (Node.attachments: its ingress address). */
  setNodeAttachments(attachments: readonly NetworkAttachment[]): void {
    if (JSON.stringify(attachments) === JSON.stringify(this.nodeAttachments)) return;
    this.nodeAttachments = attachments;
    void this.reconcile();
  }

  /** Something about local tasks changed (statuses): converge again. */
  refresh(): void {
    void this.reconcile();
  }

  /** Nameservers for a task's container: the embedded DNS when it joins an overlay other than ingress. */
  dnsServers(task: Task): readonly string[] | undefined {
    const networks = this.resources?.networks;
    const onOverlay = task.networks.some((a) => networks?.get(a.networkId)?.spec?.ingress !== true);
    return onOverlay ? [containerDnsAddress] : undefined;
  }

  /** Tasks only on internal networks get no engine bridge, so no default route out (internal-networks.ts). */
  networkMode(task: Task): string | undefined {
    const networks = this.resources?.networks;
    return networks !== undefined && withoutGatewayBridge(task, networks) ? ISOLATED_NETWORK_MODE : undefined;
  }

  /** Every task with overlay networks gets a sandbox: its process starts with its networks in place. */
  needsSandbox(task: Task): boolean {
    return task.networks.length > 0;
  }

  /** The sandbox runs, the task container does not exist yet: put the sandbox's namespace on the task's networks. */
  async prepareSandbox(task: Task, sandboxId: string): Promise<Result<void, string>> {
    const known = await this.attach(task);
    if (!known.ok) return known;
    this.leaving.delete(sandboxId);
    this.preparing.set(task.id, sandboxId);
    return this.attachedNow(task);
  }

  /** Before start: refuse a task whose networks this node cannot join. */
  attach(task: Task): Promise<Result<void, string>> {
    for (const attachment of task.networks) {
      if (attachment.addresses.length === 0) return Promise.resolve(err(`task ${task.id} has no address on network ${attachment.networkId}`));
      if (this.resources?.networks.get(attachment.networkId) === undefined) {
        return Promise.resolve(err(`network ${attachment.networkId} is not available on this node`));
      }
    }
    return Promise.resolve(ok(undefined));
  }

  /** The container's namespace exists now (its sandbox's, or its own once started): put it on its networks, or fail the task saying why. */
  async started(containerId: string): Promise<Result<void, string>> {
    this.leaving.delete(containerId);
    const task = this.options.localTasks().find((t) => t.status.containerId === containerId)?.task;
    if (task === undefined || task.networks.length === 0) return ok(undefined);
    return this.attachedNow(task);
  }

  /** Reconciles, then says whether every network of the task is in place in its namespace. */
  private async attachedNow(task: Task): Promise<Result<void, string>> {
    const outcome = await this.reconcile();
    if (outcome === undefined) return err('the overlay data plane is not available on this node (see the daemon log)');
    for (const attachment of task.networks) {
      const unusable = outcome.plan.unusable.get(attachment.networkId);
      if (unusable !== undefined) return err(unusable);
      const failed = outcome.report.failedEndpoints.find((f) => f.taskId === task.id && f.networkId === attachment.networkId);
      if (failed !== undefined) return err(`attaching to network ${attachment.networkId} failed: ${failed.message}`);
    }
    return ok(undefined);
  }

  /** Before removal: take the container off its networks. */
  async detach(containerId: string): Promise<Result<void, string>> {
    this.leaving.add(containerId);
    for (const [taskId, sandboxId] of this.preparing) if (sandboxId === containerId) this.preparing.delete(taskId);
    const outcome = await this.reconcile();
    return outcome === undefined ? err('the overlay data plane could not be reconciled (see the daemon log)') : ok(undefined);
  }

  /** Swarm leave: remove every namespace, link, nftables table and DNS listener this node made. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.running.catch(() => undefined);
    await this.overlay.shutdown();
    await allowOverlayThroughDockerForward(this.options.runner, false, this.options.nodeNetnsPath);
    this.log.info('overlay removed');
  }

  /** Daemon stop: keep the kernel state (running containers keep their networks); just stop reconciling. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running.catch(() => undefined);
  }

  /** One reconcile that starts after this call; callers during a run share the next one. */
  reconcile(): Promise<Outcome | undefined> {
    if (this.next !== undefined) return this.next;
    const next = this.running.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.reconcileNow();
    });
    this.next = next;
    this.running = next;
    return next;
  }

  private async reconcileNow(): Promise<Outcome | undefined> {
    const resources = this.resources;
    if (resources === undefined || this.closed) return undefined;
    const startedMs = Date.now();
    const running = await this.runningTasks();
    const ingressId = [...resources.networks.values()].find((n) => n.spec?.ingress === true)?.id;
    const nodeIngressAddress = this.nodeAttachments.find((a) => a.networkId === ingressId)?.addresses[0];
    const plan = planNodeOverlay({ vtep: this.options.vtep, dataPathPort: this.options.dataPathPort, resources, nodeIngressAddress, running });
    let report: NodeOverlayReport;
    try {
      if (!this.forwardAllowed && plan.state.dataPlane.networks.length > 0) {
        await allowOverlayThroughDockerForward(this.options.runner, true, this.options.nodeNetnsPath);
        this.forwardAllowed = true;
      }
      report = await this.overlay.apply(plan.state);
    } catch (error) {
      this.log.error({ error: String(error) }, 'applying the overlay failed; retrying on the next change');
      return undefined;
    }
    const problems = JSON.stringify([[...plan.unusable], report.failedEndpoints, report.failedContainers]);
    // Said once per new problem set, not on every reconcile.
    if (problems !== this.lastProblems) {
      this.lastProblems = problems;
      if (plan.unusable.size + report.failedEndpoints.length + report.failedContainers.length > 0) {
        this.log.warn({ unusable: Object.fromEntries(plan.unusable), failedEndpoints: report.failedEndpoints, failedContainers: report.failedContainers }, 'overlay partly applied');
      }
    }
    this.forgetRemoved();
    this.log.debug({ durationMs: Date.now() - startedMs, networks: plan.state.dataPlane.networks.length, running: running.length }, 'overlay reconciled');
    return { plan, report };
  }

  // A task's namespace is its container's (containerPid resolves a container
  // that joins a sandbox to the sandbox's process), or, while the container
  // is being created, its sandbox's. A finished task's sandbox outlives its
  // process until the container is removed: it no longer holds the networks.
  private async runningTasks(): Promise<RunningTask[]> {
    const candidates = this.options.localTasks()
      .map(({ task, status }) => ({ task, status, holder: status.containerId !== '' ? status.containerId : (this.preparing.get(task.id) ?? '') }))
      .filter(({ task, status, holder }) => task.networks.length > 0 && holder !== '' && !this.leaving.has(holder) && !isTerminal(status.state));
    const pids = await Promise.all(candidates.map(({ holder }) => this.options.containerPid(holder).catch(() => 0)));
    return candidates.flatMap(({ task, status }, i) => ((pids[i] ?? 0) > 0 ? [{ task, pid: pids[i] ?? 0, ready: status.state === 'RUNNING' }] : []));
  }

  private forgetRemoved(): void {
    const tasks = this.options.localTasks();
    const known = new Set(tasks.map((t) => t.status.containerId));
    for (const containerId of this.leaving) if (!known.has(containerId)) this.leaving.delete(containerId);
    // Once the task's status names its container, that container (joined to the sandbox) is what counts.
    const preparing = new Set(tasks.filter((t) => t.status.containerId === '').map((t) => t.task.id));
    for (const taskId of this.preparing.keys()) if (!preparing.has(taskId)) this.preparing.delete(taskId);
  }
}
