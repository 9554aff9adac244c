// The worker agent: one per node. It takes the complete set of tasks the
// managers assign to this node, runs one TaskRunner per task on the engine,
// reports status changes in batches, and keeps its own task database so a
// daemon restart re-adopts containers. It only ever touches containers
// labelled with its own node ID: several daemons may share one engine.
import { componentLogger, type Logger } from '../common/log.js';
import { codec, type Task, type TaskStatus, type TaskStatusUpdate } from '../gen/index.js';
import { systemClock, type Clock } from '../common/clock.js';
import { EngineLimitedExecutor } from './engine-limit.js';
import { EngineWatch } from './engine-watch.js';
import type { Executor, LogLine, LogOptions } from './executor.js';
import { DEFAULT_TASK_FILES_ROOT, MemoryFiles } from './memory-files.js';
import { emptyNodeResources, type NodeResources } from './node-resources.js';
import { StatusBatcher, type StatusListener } from './status-batcher.js';
import { TaskDb } from './task-db.js';
import { TaskFiles } from './task-files.js';
import { TaskRunner } from './task-runner.js';

/** Safety net besides engine events: every task is re-inspected this often. */
const DEFAULT_RESYNC_PERIOD_MS = 10_000;

/** What an Agent is built from. */
export interface AgentOptions {
  nodeId: string;
  /** The engine the tasks run on (the daemon's: a DockerExecutor with the node's NetworkAttacher). */
  executor: Executor;
  /** Where the agent keeps its task database (e.g. DATA_ROOT/worker). */
  dataDir: string;
  /** Where secrets and configs are kept in memory (a tmpfs per node under it); default /run/shoal/task-files. */
  taskFilesRoot?: string;
  logger: Logger;
  clock?: Clock;
  /** Whether a dispatcher session is up at start; the daemon passes false until it is. Default true. */
  managersReachable?: boolean;
  resyncPeriodMs?: number;
  statusBatchDelayMs?: number;
}

/** Runs this node's tasks on its Docker Engine. */
export class Agent {
  readonly nodeId: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly executor: Executor;
  private readonly files: TaskFiles;
  private readonly dataDir: string;
  private readonly batcher: StatusBatcher;
  private readonly watch: EngineWatch;
  private readonly runners = new Map<string, TaskRunner>();
  /** Our containers found on the engine at start with no task in the database, by task ID. */
  private strays = new Map<string, string>();
  /** Network sandboxes found on the engine at start, by task ID: removed unless their task is still assigned. */
  private straySandboxes = new Map<string, string>();
  private reachable: boolean;
  private db: TaskDb | undefined;
  private started: Promise<void> | undefined;
  /** Serializes start, assignment changes and close. */
  private ops: Promise<void> = Promise.resolve();
  private closed = false;
  private nodeResources: NodeResources = emptyNodeResources();
  private readonly resourceListeners = new Set<(resources: NodeResources) => void>();
  private readonly taskListeners = new Set<() => void>();

  constructor(options: AgentOptions) {
    this.nodeId = options.nodeId;
    this.log = componentLogger(options.logger, 'agent').child({ nodeId: options.nodeId });
    this.clock = options.clock ?? systemClock;
    this.dataDir = options.dataDir;
    // Creates and starts go through one bounded window (see engine-limit.ts).
    this.executor = new EngineLimitedExecutor(options.executor);
    this.files = new TaskFiles(new MemoryFiles(options.taskFilesRoot ?? DEFAULT_TASK_FILES_ROOT, componentLogger(options.logger, 'task-files')), () => this.nodeResources);
    this.batcher = new StatusBatcher(this.clock, options.statusBatchDelayMs);
    this.watch = new EngineWatch({
      executor: this.executor,
      nodeId: this.nodeId,
      clock: this.clock,
      log: this.log,
      resyncPeriodMs: options.resyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS,
      kick: (taskId) => this.runners.get(taskId)?.kick(),
      kickAll: () => this.kickAll(),
    });
    this.reachable = options.managersReachable ?? true;
    this.batcher.setHeld(!this.reachable);
  }

  /** Opens the task database and re-adopts this node's containers; idempotent. */
  start(): Promise<void> {
    this.started ??= this.enqueue(() => this.open());
    return this.started;
  }

  /** Replaces the set of tasks this node should run; tasks not in it are stopped and their containers removed. */
  async setAssignments(tasks: readonly Task[]): Promise<void> {
    await this.start();
    await this.enqueue(() => this.apply(tasks));
    for (const listener of this.taskListeners) listener();
  }

  /**
   * Replaces the secrets, configs, networks, peers and services the node's
   * tasks use. Takes effect at once (before the next setAssignments runs), so
   * a new task's container is created with what it needs.
   */
  setResources(resources: NodeResources): void {
    if (resources === this.nodeResources) return;
    this.nodeResources = resources;
    for (const listener of this.resourceListeners) listener(resources);
  }

  /** The node's current resources. */
  resources(): NodeResources {
    return this.nodeResources;
  }

  /** Calls `listener` with every new resource set (the overlay data plane); returns the unsubscribe. */
  onResources(listener: (resources: NodeResources) => void): () => void {
    this.resourceListeners.add(listener);
    return () => this.resourceListeners.delete(listener);
  }

  /** Calls `listener` after every new set of tasks is taken in (a task told to stop leaves names and VIPs at once); returns the unsubscribe. */
  onTasks(listener: () => void): () => void {
    this.taskListeners.add(listener);
    return () => this.taskListeners.delete(listener);
  }

  /** Subscribes to batches of task status changes; returns the unsubscribe. */
  onStatus(listener: StatusListener): () => void {
    return this.batcher.subscribe(listener);
  }

  /**
   * Managers down, workers go on: while unreachable, tasks keep running and
   * exited containers are restarted locally per their restart policy; on
   * return, every task's current status is reported again.
   */
  setManagersReachable(reachable: boolean): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.log.info({ reachable }, reachable ? 'managers reachable again; reporting current statuses' : 'managers unreachable; tasks keep running');
    if (reachable) for (const runner of this.runners.values()) this.batcher.push(runner.task.id, runner.status);
    this.batcher.setHeld(!reachable);
    this.kickAll();
  }

  /** The current status of every task this node knows. */
  statuses(): TaskStatusUpdate[] {
    return [...this.runners.values()].map((r) => ({ taskId: r.task.id, status: r.status }));
  }

  /** Every task this node runs or winds down, with its current status (the overlay reads attachments and container IDs). */
  localTasks(): { task: Task; status: TaskStatus }[] {
    return [...this.runners.values()].map((r) => ({ task: r.task, status: r.status }));
  }

  /** One task's current status, if the node knows the task. */
  status(taskId: string): TaskStatus | undefined {
    return this.runners.get(taskId)?.status;
  }

  /** A task's container output (`service logs`); fails if the task has no container here. */
  async *logs(taskId: string, options: LogOptions): AsyncGenerator<LogLine> {
    const containerId = this.runners.get(taskId)?.status.containerId ?? '';
    if (containerId === '') throw new Error(`task ${taskId} has no container on node ${this.nodeId}`);
    yield* this.executor.logs(containerId, options);
  }

  /** Resolves once every task's controller has nothing left to do right now (tests, shutdown). */
  async idle(): Promise<void> {
    await this.ops;
    await Promise.all([...this.runners.values()].map((r) => r.idle()));
  }

  /** Stops watching and closes the database; containers keep running (live-restore). */
  close(): Promise<void> {
    return this.enqueue(async () => {
      if (this.closed) return;
      this.closed = true;
      this.watch.close();
      await Promise.all([...this.runners.values()].map((r) => r.close()));
      this.batcher.flush();
      this.batcher.close();
      await this.db?.close();
      this.log.info('agent closed; containers left running');
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.ops.then(op);
    // A failed operation must not wedge every later one; its caller sees the error.
    this.ops = next.catch(() => undefined);
    return next;
  }

  private async open(): Promise<void> {
    this.db = await TaskDb.open(this.dataDir);
    for (const task of await this.db.all()) {
      if (task.nodeId !== this.nodeId) continue;
      this.runners.set(task.id, this.newRunner(task, task.status));
    }
    const owned = await this.executor.listOwned(this.nodeId);
    if (owned.ok) {
      for (const container of owned.value) {
        // A sandbox is found again by name when its task's container is (re)made, and removed with it.
        if (container.sandbox === true) {
          this.straySandboxes.set(container.taskId, container.containerId);
          continue;
        }
        const runner = this.runners.get(container.taskId);
        if (runner !== undefined) runner.adoptContainer(container.containerId);
        else this.strays.set(container.taskId, container.containerId);
      }
      await this.removeWidowedSandboxes(new Set(owned.value.map((c) => c.containerId)));
    } else {
      this.log.warn({ error: owned.error.message }, 'could not list containers at start; relying on the task database');
    }
    this.log.info({ tasks: this.runners.size, strays: this.strays.size }, 'agent started');
    this.watch.start();
    this.kickAll();
  }

  // A sandbox whose task container went while the daemon was down serves
  // nothing any more (the task fails as its container is missing, and a new
  // container would get a new sandbox): remove it now, nothing else would.
  private async removeWidowedSandboxes(owned: ReadonlySet<string>): Promise<void> {
    for (const [taskId, sandboxId] of this.straySandboxes) {
      const containerId = this.runners.get(taskId)?.status.containerId ?? '';
      if (containerId === '' || owned.has(containerId)) continue;
      this.straySandboxes.delete(taskId);
      this.log.info({ taskId, sandboxId, containerId }, 'removing a network sandbox whose task container is gone');
      const removed = await this.executor.remove(sandboxId);
      if (!removed.ok) this.log.warn({ sandboxId, error: removed.error.message }, 'could not remove a network sandbox');
    }
  }

  private async apply(tasks: readonly Task[]): Promise<void> {
    if (this.closed) return;
    const assigned = new Set<string>();
    for (const task of tasks) {
      if (task.nodeId !== this.nodeId) {
        this.log.warn({ taskId: task.id, taskNodeId: task.nodeId }, 'ignoring a task assigned to another node');
        continue;
      }
      assigned.add(task.id);
      const runner = this.runners.get(task.id);
      if (runner !== undefined) {
        runner.update(task);
        continue;
      }
      const fresh = this.newRunner(task, undefined);
      const stray = this.strays.get(task.id);
      if (stray !== undefined) fresh.adoptContainer(stray);
      this.runners.set(task.id, fresh);
      await this.db?.put({ ...task, status: fresh.status });
      fresh.kick();
    }
    for (const [taskId, runner] of this.runners) if (!assigned.has(taskId)) runner.drop();
    // Containers of ours that no task claims are leftovers of tasks the managers forgot;
    // sandboxes likewise (their task went while the daemon was down, or their container went without them).
    await this.removeUnassigned(this.strays, assigned, 'container');
    this.strays = new Map();
    await this.removeUnassigned(this.straySandboxes, assigned, 'network sandbox');
    this.straySandboxes = new Map();
  }

  /** Removes the containers (task ID → container ID) of tasks not in `assigned`. */
  private async removeUnassigned(containers: ReadonlyMap<string, string>, assigned: ReadonlySet<string>, what: string): Promise<void> {
    for (const [taskId, containerId] of containers) {
      if (assigned.has(taskId)) continue;
      this.log.info({ taskId, containerId }, `removing the ${what} of a task no longer assigned`);
      const removed = await this.executor.remove(containerId);
      if (!removed.ok) this.log.warn({ containerId, error: removed.error.message }, `could not remove an unassigned ${what}`);
      else this.files.release(this.nodeId, taskId);
    }
  }

  private newRunner(task: Task, status: TaskStatus | undefined): TaskRunner {
    return new TaskRunner(codec.Task.fromPartial(task), status, {
      executor: this.executor,
      files: this.files,
      clock: this.clock,
      logger: this.log,
      managersReachable: () => this.reachable,
      saveStatus: async (t, s) => {
        await this.db?.put({ ...t, status: s });
        this.batcher.push(t.id, s);
      },
      forget: async (taskId) => {
        this.runners.delete(taskId);
        await this.db?.delete(taskId);
      },
    });
  }

  private kickAll(): void {
    for (const runner of this.runners.values()) runner.kick();
  }
}
