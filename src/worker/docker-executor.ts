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
  /** Containers whose task has secret or config files, while their files are written. */
  private readonly withFiles = new Map<string, { task: Task; written: boolean }>();

  constructor(options: DockerExecutorOptions) {
    this.resources = options.resources ?? emptyNodeResources;
    this.engine = options.engine;
    this.log = componentLogger(options.logger, 'executor');
    this.attacher = options.attacher ?? bridgeOnlyAttacher;
    this.pullTimeoutMs = options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS;
    this.files = new MemoryFiles(options.taskFilesRoot ?? DEFAULT_TASK_FILES_ROOT, this.log);
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
    const image = create.Image ?? '';
    // Create first (the image is usually there: one engine call, not two, per
    // task); only a missing image costs a pull and a second create. As
    // Docker's executor: a failed pull is logged, and create then reports
    // the error users know ("No such image: foo:latest").
    let created = await this.create(create);
    if (!created.ok && created.error.reason === 'no-such-image') {
      await this.pull(image);
      created = await this.create(create);
    }
    let containerId: string;
    if (created.ok) {
      containerId = created.value;
    } else if (created.error.reason === 'name-taken') {
      const existing = await this.adoptByName(task, create.name ?? '');
      if (!existing.ok) return existing;
      containerId = existing.value;
    } else {
      this.files.release(task.nodeId, task.id);
      return err(created.error.error);
    }
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
    try {
      await this.engine.getContainer(containerId).start();
    } catch (e) {
      if (engineStatusCode(e) !== 304) return err(executorError(e));
    }
    // Its network namespace exists only now: overlay interfaces go in here.
    const attached = (await this.attacher.started?.(containerId)) ?? ok(undefined);
    return attached.ok ? ok(undefined) : err({ message: attached.error, transient: false });
  }

  async inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>> {
    try {
      const info = await this.engine.getContainer(containerId).inspect();
      const observed = observe(containerId, info);
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
    const detached = await this.attacher.detach(containerId);
    if (!detached.ok) this.log.warn({ containerId, error: detached.error }, 'detaching networks failed; removing anyway');
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
        .map((c) => ({ containerId: c.Id, taskId: c.Labels[LABELS.taskId] ?? '', name: (c.Names[0] ?? '').replace(/^\//, ''), running: c.State === 'running' })));
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
  private async adoptByName(task: Task, name: string): Promise<Result<string, ExecutorError>> {
    try {
      const info = await this.engine.getContainer(name).inspect();
      const labels = info.Config.Labels;
      if (labels[LABELS.taskId] !== task.id || labels[LABELS.nodeId] !== task.nodeId) {
        return err({ message: `a container named ${name} exists and does not belong to task ${task.id} on node ${task.nodeId}`, transient: false });
      }
      return ok(info.Id);
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
