// The Executor on a real Docker Engine through dockerode, shaped after
// Docker's own swarm executor (daemon/cluster/executor/container).
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { componentLogger, type Logger } from '../common/log.js';
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import { containerCreateOptions, gracePeriodSeconds } from './container-config.js';
import type { ContainerHealth, ContainerObservation } from './controller/observation.js';
import { engineMessage, engineStatusCode, executorError } from './docker-errors.js';
import { parseLogStream, sinceParam } from './docker-logs.js';
import type { Engine } from './engine.js';
import type { ContainerEvent, Executor, ExecutorError, LogLine, LogOptions, OwnedContainer, Subscription } from './executor.js';
import { LABELS } from './names.js';
import type { NetworkAttacher } from './network-attacher.js';
import { bridgeOnlyAttacher } from './network-attacher.js';
import { emptyNodeResources, type NodeResources } from './node-resources.js';
import { DEFAULT_TASK_FILES_ROOT, MemoryFiles } from './memory-files.js';
import { planTaskFiles } from './task-files.js';
import { DockerSandboxes } from './docker-sandboxes.js';
import { isSandbox, joinSandboxMode, splitForSandbox } from './sandbox.js';

/** How long a pull may take before the task is tried with what the engine has. */
const DEFAULT_PULL_TIMEOUT_MS = 5 * 60_000;
/** How long remove() waits for a removal someone else started. */
const REMOVAL_WAIT_MS = 10_000;
const REMOVAL_POLL_MS = 200;
/** Engine events that can change what the controller decides. */
const WATCHED_ACTIONS = ['create', 'start', 'die', 'stop', 'kill', 'oom', 'destroy', 'health_status'];

/** What a DockerExecutor needs. */
export interface DockerExecutorOptions {
  engine: Engine;
  logger: Logger;
  attacher?: NetworkAttacher;
  /** The node's current secrets, configs and networks (from the agent); empty when absent. */
  resources?: () => NodeResources;
  pullTimeoutMs?: number;
  /** Where secrets and configs are kept in memory (a tmpfs per node under it); default /run/shoal/task-files. */
  taskFilesRoot?: string;
}

/** Runs task containers on a Docker Engine. */
export class DockerExecutor implements Executor {
  private readonly engine: Engine;
  private readonly log: Logger;
  private readonly attacher: NetworkAttacher;
  private readonly pullTimeoutMs: number;
  protected readonly resources: () => NodeResources;
  private readonly files: MemoryFiles;
  private readonly sandboxes: DockerSandboxes;
  /** Containers whose task has secret or config files, while their files are written. */
  private readonly withFiles = new Map<string, { task: Task; written: boolean }>();

  constructor(options: DockerExecutorOptions) {
    this.resources = options.resources ?? emptyNodeResources;
    this.engine = options.engine;
    this.log = componentLogger(options.logger, 'executor');
    this.attacher = options.attacher ?? bridgeOnlyAttacher;
    this.pullTimeoutMs = options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS;
    this.files = new MemoryFiles(options.taskFilesRoot ?? DEFAULT_TASK_FILES_ROOT, this.log);
    this.sandboxes = new DockerSandboxes(options.engine);
  }

  async prepare(task: Task): Promise<Result<{ containerId: string }, ExecutorError>> {
    let create: Docker.ContainerCreateOptions;
    try {
      create = containerCreateOptions(task, { dnsServers: this.attacher.dnsServers?.(task), networkMode: this.attacher.networkMode?.(task) });
    } catch (e) {
      return err({ message: engineMessage(e), transient: false });
    }
    const files = await this.writeFiles(task);
    if (!files.ok) return files;
    if (files.value.length > 0) create.HostConfig = { ...create.HostConfig, Mounts: [...(create.HostConfig?.Mounts ?? []), ...files.value] };
    if (this.attacher.needsSandbox?.(task) === true) return this.prepareSandboxed(task, create, files.value.length > 0);
    const created = await this.createOrAdopt(task, create);
    if (!created.ok) {
      if (created.error.created === false) this.files.release(task.nodeId, task.id);
      return err(created.error.error);
    }
    const containerId = created.value;
    const attached = await this.attacher.attach(task, containerId);
    if (!attached.ok) {
      // The task is rejected without a container ID, so nothing else would ever remove this one.
      await this.remove(containerId);
      return err({ message: attached.error, transient: false });
    }
    if (files.value.length > 0) this.withFiles.set(containerId, { task, written: true });
    return ok({ containerId });
  }

  async start(containerId: string): Promise<Result<void, ExecutorError>> {
    // A local restart (managers away) after the files were released on exit: write them again.
    const entry = this.withFiles.get(containerId);
    if (entry && !entry.written) {
      const files = await this.writeFiles(entry.task);
      if (!files.ok) return files;
      entry.written = true;
    }
    const sandbox = await this.sandboxes.of(containerId);
    if (!sandbox.ok) return sandbox;
    // With a sandbox, the namespace exists before the process: networks first, then start.
    if (sandbox.value !== undefined) {
      const ready = await this.readySandbox(containerId, sandbox.value);
      if (!ready.ok) return ready;
    }
    try {
      await this.engine.getContainer(containerId).start();
    } catch (e) {
      if (engineStatusCode(e) !== 304) return err(executorError(e));
    }
    if (sandbox.value !== undefined) return ok(undefined);
    // Its network namespace exists only now: overlay interfaces go in here.
    const attached = (await this.attacher.started?.(containerId)) ?? ok(undefined);
    return attached.ok ? ok(undefined) : err({ message: attached.error, transient: false });
  }

  async inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>> {
    try {
      const info = await this.engine.getContainer(containerId).inspect();
      let observed = observe(containerId, info);
      if (observed.kind === 'running') {
        const orphaned = await this.withoutSandbox(containerId, info);
        if (!orphaned.ok) return orphaned;
        if (orphaned.value !== undefined) observed = orphaned.value;
      }
      // Secrets leave the node's memory as soon as the container that used them has stopped.
      if (observed.kind === 'exited') this.releaseFiles(containerId, info.Config.Labels);
      return ok(observed);
    } catch (e) {
      return engineStatusCode(e) === 404 ? ok({ kind: 'missing', containerId }) : err(executorError(e));
    }
  }

  async stop(containerId: string, gracePeriodMs: number): Promise<Result<void, ExecutorError>> {
    try {
      await this.engine.getContainer(containerId).stop(gracePeriodMs > 0 ? { t: gracePeriodSeconds(gracePeriodMs) } : {});
      return ok(undefined);
    } catch (e) {
      const code = engineStatusCode(e);
      return code === 304 || code === 404 ? ok(undefined) : err(executorError(e));
    }
  }

  async remove(containerId: string): Promise<Result<void, ExecutorError>> {
    await this.releaseFilesOf(containerId);
    const sandbox = await this.sandboxes.of(containerId);
    if (!sandbox.ok) return sandbox;
    const detached = await this.attacher.detach(containerId);
    if (!detached.ok) this.log.warn({ containerId, error: detached.error }, 'detaching networks failed; removing anyway');
    const removed = await this.removeContainer(containerId);
    // The sandbox goes after the container that joined it, never before.
    if (!removed.ok || sandbox.value === undefined) return removed;
    this.sandboxes.forget(containerId);
    return this.sandboxes.remove(sandbox.value);
  }

  private async removeContainer(containerId: string): Promise<Result<void, ExecutorError>> {
    try {
      await this.engine.getContainer(containerId).remove({ force: true, v: true });
      return ok(undefined);
    } catch (e) {
      const code = engineStatusCode(e);
      if (code === 404) return ok(undefined);
      // 409: someone else's removal is in progress; done means gone, so wait for it.
      if (code === 409) return this.waitGone(containerId);
      return err(executorError(e));
    }
  }

  async listOwned(nodeId: string): Promise<Result<OwnedContainer[], ExecutorError>> {
    try {
      const list = await this.engine.listContainers({ all: true, filters: { label: [`${LABELS.nodeId}=${nodeId}`] } });
      return ok(list
        .filter((c) => c.Labels[LABELS.nodeId] === nodeId)
        .map((c) => ({ containerId: c.Id, taskId: c.Labels[LABELS.taskId] ?? '', name: (c.Names[0] ?? '').replace(/^\//, ''), running: c.State === 'running', sandbox: isSandbox(c.Labels) })));
    } catch (e) {
      return err(executorError(e));
    }
  }

  watch(nodeId: string, onEvent: (event: ContainerEvent) => void, onEnd: (error: string) => void): Subscription {
    let stream: Readable | undefined;
    let closed = false;
    const end = (error: string): void => {
      if (closed) return;
      closed = true;
      onEnd(error);
    };
    const filters = { type: ['container' as const], label: [`${LABELS.nodeId}=${nodeId}`], event: WATCHED_ACTIONS };
    this.engine.getEvents({ filters }).then(
      (s) => {
        stream = s as Readable;
        if (closed) {
          stream.destroy();
          return;
        }
        let buffered = '';
        stream.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            const event = parseEvent(line);
            if (event !== undefined) onEvent(event);
          }
        });
        stream.on('error', (e: Error) => end(e.message));
        stream.on('close', () => end('event stream closed'));
      },
      (e: unknown) => end(engineMessage(e)),
    );
    return {
      close: () => {
        closed = true;
        stream?.destroy();
      },
    };
  }

  async *logs(containerId: string, options: LogOptions): AsyncGenerator<LogLine> {
    const container = this.engine.getContainer(containerId);
    // Callers show this to users: Docker's words, not dockerode's wrapping.
    const info = await container.inspect().catch((e: unknown) => {
      throw new Error(engineMessage(e));
    });
    const query = {
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      timestamps: true,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.sinceMs !== undefined ? { since: sinceParam(options.sinceMs) } : {}),
    };
    if (options.follow) {
      const stream = (await container.logs({ ...query, follow: true })) as Readable;
      try {
        yield* parseLogStream(stream, info.Config.Tty);
      } finally {
        stream.destroy();
      }
    } else {
      const buffer = await container.logs({ ...query, follow: false });
      yield* parseLogStream(once(buffer), info.Config.Tty);
    }
  }

  // A task with overlays: its sandbox first, its networks plumbed there, then
  // its container joining the sandbox's namespace. A refusal removes what was
  // made (nothing else would: the task is rejected without a container ID);
  // an engine away leaves it for the retry to adopt.
  private async prepareSandboxed(task: Task, create: Docker.ContainerCreateOptions, withFiles: boolean): Promise<Result<{ containerId: string }, ExecutorError>> {
    const split = splitForSandbox(create, task, '');
    const sandbox = await this.sandboxes.start(task, split.sandbox);
    if (!sandbox.ok) {
      if (!sandbox.error.transient) this.files.release(task.nodeId, task.id);
      return sandbox;
    }
    const sandboxId = sandbox.value;
    const undo = async (error: ExecutorError): Promise<Result<never, ExecutorError>> => {
      if (error.transient) return err(error);
      await this.attacher.detach(sandboxId);
      const removed = await this.sandboxes.remove(sandboxId);
      if (!removed.ok) this.log.warn({ sandboxId, error: removed.error.message }, 'could not remove the network sandbox of a rejected task');
      this.files.release(task.nodeId, task.id);
      return err(error);
    };
    const plumbed = (await this.attacher.prepareSandbox?.(task, sandboxId)) ?? ok(undefined);
    if (!plumbed.ok) return undo({ message: plumbed.error, transient: false });
    const created = await this.createOrAdopt(task, split.task(sandboxId), sandboxId);
    if (!created.ok) return undo(created.error.error);
    const containerId = created.value;
    const attached = await this.attacher.attach(task, containerId);
    if (!attached.ok) {
      await this.remove(containerId);
      return err({ message: attached.error, transient: false });
    }
    if (withFiles) this.withFiles.set(containerId, { task, written: true });
    return ok({ containerId });
  }

  /** Before a container that joins a sandbox starts: the sandbox runs and holds the task's networks. */
  private async readySandbox(containerId: string, sandboxId: string): Promise<Result<void, ExecutorError>> {
    const state = await this.sandboxes.state(sandboxId);
    if (!state.ok) return state;
    if (state.value === 'missing') return err({ message: `the network sandbox ${sandboxId} of container ${containerId} is gone`, transient: false });
    if (state.value === 'stopped') {
      const started = await this.sandboxes.startExisting(sandboxId);
      if (!started.ok) return started;
    }
    const attached = (await this.attacher.started?.(containerId)) ?? ok(undefined);
    return attached.ok ? ok(undefined) : err({ message: attached.error, transient: false });
  }

  // A running container whose sandbox is stopped or gone has lost its
  // networks for good: kill it and report it dead, so its restart policy
  // replaces it as it would any dead container.
  private async withoutSandbox(containerId: string, info: Docker.ContainerInspectInfo): Promise<Result<ContainerObservation | undefined, ExecutorError>> {
    const sandboxId = this.sandboxes.noteJoined(containerId, info);
    if (sandboxId === undefined) return ok(undefined);
    const state = await this.sandboxes.state(sandboxId);
    if (!state.ok) return state;
    if (state.value === 'running') return ok(undefined);
    this.log.warn({ containerId, sandboxId }, 'the network sandbox of a running task container is gone; killing the container');
    try {
      await this.engine.getContainer(containerId).kill();
    } catch (e) {
      const code = engineStatusCode(e);
      if (code !== 404 && code !== 409) return err(executorError(e));
    }
    return ok({ kind: 'exited', containerId, exitCode: 137, error: `its network sandbox ${sandboxId.slice(0, 12)} stopped`, oomKilled: false });
  }

  /**
   * Creates the task's container. Create first (the image is usually there:
   * one engine call, not two, per task); only a missing image costs a pull
   * and a second create. As Docker's executor: a failed pull is logged, and
   * create then reports the error users know ("No such image: foo:latest").
   * A container of this task made by an earlier run is adopted, unless it
   * joined another sandbox than `sandboxId` (then it is made again).
   */
  private async createOrAdopt(task: Task, create: Docker.ContainerCreateOptions, sandboxId?: string): Promise<Result<string, { created: boolean; error: ExecutorError }>> {
    let created = await this.create(create);
    if (!created.ok && created.error.reason === 'no-such-image') {
      await this.pull(create.Image ?? '');
      created = await this.create(create);
    }
    if (created.ok) {
      if (sandboxId !== undefined) this.sandboxes.noteJoined(created.value, { HostConfig: { NetworkMode: joinSandboxMode(sandboxId) } } as Docker.ContainerInspectInfo);
      return ok(created.value);
    }
    if (created.error.reason !== 'name-taken') return err({ created: false, error: created.error.error });
    const existing = await this.adoptByName(task, create.name ?? '');
    if (!existing.ok) return err({ created: true, error: existing.error });
    if (sandboxId === undefined || existing.value.sandboxId === sandboxId) return ok(existing.value.containerId);
    this.log.info({ containerId: existing.value.containerId, sandboxId }, 'a container of this task joined another network sandbox; making it again');
    const removed = await this.removeContainer(existing.value.containerId);
    if (!removed.ok) return err({ created: true, error: removed.error });
    return this.createOrAdopt(task, create, sandboxId);
  }

  /** The task's secret and config files as read-only bind mounts; none when it uses none. */
  private async writeFiles(task: Task): Promise<Result<Docker.MountSettings[], ExecutorError>> {
    const container = task.spec?.container;
    if ((container?.secrets.length ?? 0) === 0 && (container?.configs.length ?? 0) === 0) return ok([]);
    const plan = planTaskFiles(task, this.resources());
    if (!plan.ok) return err({ message: plan.error, transient: false });
    const written = await this.files.write(task.nodeId, task.id, plan.value);
    return written.ok ? written : err({ message: written.error, transient: false });
  }

  private releaseFiles(containerId: string, labels: Record<string, string> | undefined): void {
    // Unknown containers (adopted after a restart) have theirs removed with the container.
    const entry = this.withFiles.get(containerId);
    if (!entry?.written) return;
    entry.written = false;
    this.files.release(labels?.[LABELS.nodeId] ?? entry.task.nodeId, labels?.[LABELS.taskId] ?? entry.task.id);
  }

  // Also after a daemon restart, when this executor never saw the container
  // created: its labels name the task whose files to remove.
  private async releaseFilesOf(containerId: string): Promise<void> {
    const entry = this.withFiles.get(containerId);
    this.withFiles.delete(containerId);
    if (entry) {
      this.files.release(entry.task.nodeId, entry.task.id);
      return;
    }
    try {
      const labels = (await this.engine.getContainer(containerId).inspect()).Config.Labels;
      this.files.release(labels[LABELS.nodeId] ?? '', labels[LABELS.taskId] ?? '');
    } catch {
      // Gone already, or the engine is away: remove() reports what matters.
    }
  }

  private async waitGone(containerId: string): Promise<Result<void, ExecutorError>> {
    for (let waitedMs = 0; waitedMs < REMOVAL_WAIT_MS; waitedMs += REMOVAL_POLL_MS) {
      const seen = await this.inspect(containerId);
      if (!seen.ok) return seen;
      if (seen.value.kind === 'missing') return ok(undefined);
      await new Promise((resolve) => setTimeout(resolve, REMOVAL_POLL_MS));
    }
    return err({ message: `container ${containerId} is still being removed after ${REMOVAL_WAIT_MS} ms`, transient: true });
  }

  private async create(options: Docker.ContainerCreateOptions): Promise<Result<string, { reason: 'no-such-image' | 'name-taken' | 'other'; error: ExecutorError }>> {
    try {
      return ok((await this.engine.createContainer(options)).id);
    } catch (e) {
      const code = engineStatusCode(e);
      const error = executorError(e);
      if (code === 409) return err({ reason: 'name-taken', error });
      if (code === 404 && /no such image/i.test(error.message)) return err({ reason: 'no-such-image', error });
      return err({ reason: 'other', error });
    }
  }

  private async pull(image: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const stream = await this.engine.pull(image);
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => {
          (stream as Readable).destroy();
          reject(new Error(`pull took longer than ${this.pullTimeoutMs} ms`));
        }, this.pullTimeoutMs);
        this.engine.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve()));
      });
    } catch (e) {
      this.log.warn({ image, error: engineMessage(e) }, 'pulling the image failed; creating the container with what the engine has');
    } finally {
      clearTimeout(timer);
    }
  }

  // A container by this name exists: either we created it before a restart
  // (adopt it), or it belongs to someone else (refuse to touch it).
  private async adoptByName(task: Task, name: string): Promise<Result<{ containerId: string; sandboxId: string | undefined }, ExecutorError>> {
    try {
      const info = await this.engine.getContainer(name).inspect();
      const labels = info.Config.Labels;
      if (labels[LABELS.taskId] !== task.id || labels[LABELS.nodeId] !== task.nodeId || isSandbox(labels)) {
        return err({ message: `a container named ${name} exists and does not belong to task ${task.id} on node ${task.nodeId}`, transient: false });
      }
      return ok({ containerId: info.Id, sandboxId: this.sandboxes.noteJoined(info.Id, info) });
    } catch (e) {
      return err(executorError(e));
    }
  }
}

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

function observe(containerId: string, info: Docker.ContainerInspectInfo): ContainerObservation {
  const state = info.State;
  switch (state.Status) {
    case 'created':
      return { kind: 'created', containerId };
    case 'running':
    case 'paused':
    case 'restarting':
      return { kind: 'running', containerId, pid: state.Pid, health: health(state.Health?.Status) };
    default:
      return { kind: 'exited', containerId, exitCode: state.ExitCode, error: state.Error, oomKilled: state.OOMKilled };
  }
}

function health(status: string | undefined): ContainerHealth {
  return status === 'starting' || status === 'healthy' || status === 'unhealthy' ? status : '';
}

function parseEvent(line: string): ContainerEvent | undefined {
  if (line.trim() === '') return undefined;
  try {
    const e = JSON.parse(line) as { id?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
    const containerId = e.Actor?.ID ?? e.id ?? '';
    return { containerId, taskId: e.Actor?.Attributes?.[LABELS.taskId] ?? '', action: e.Action ?? '' };
  } catch {
    return undefined;
  }
}
