// The Executor on a real Docker Engine through dockerode, shaped after
// Docker's own swarm executor (daemon/cluster/executor/container): the
// container lifecycle. What it builds on, each in its own room: the create
// requests (container-config.ts), creating and removing task containers
// (docker-containers.ts), the order of things for a task in a network
// sandbox (sandbox-choreography.ts), the event stream (docker-events.ts) and
// logs (docker-logs.ts). A task's secret and config files are not its
// business: the task runner writes and releases them (task-files.ts) and
// hands the executor their mounts.
import type Docker from 'dockerode';
import { componentLogger, type Logger } from '../common/log.js';
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import { containerConfig, gracePeriodSeconds, type ContainerConfig } from './container-config.js';
import type { ContainerHealth, ContainerObservation } from './controller/observation.js';
import { TaskContainers } from './docker-containers.js';
import { engineMessage, engineStatusCode, executorError } from './docker-errors.js';
import { watchContainerEvents } from './docker-events.js';
import { containerLogs } from './docker-logs.js';
import { DockerSandboxes } from './docker-sandboxes.js';
import type { Engine } from './engine.js';
import type { ContainerEvent, Executor, ExecutorError, FileMount, LogLine, LogOptions, OwnedContainer, Subscription } from './executor.js';
import { LABELS } from './names.js';
import { bridgeOnlyAttacher, type NetworkAttacher } from './network-attacher.js';
import { SandboxChoreography } from './sandbox-choreography.js';
import { isSandbox } from './sandbox.js';

/** How long a pull may take before the task is tried with what the engine has. */
const DEFAULT_PULL_TIMEOUT_MS = 5 * 60_000;

/** What a DockerExecutor needs. */
export interface DockerExecutorOptions {
  engine: Engine;
  logger: Logger;
  attacher?: NetworkAttacher;
  pullTimeoutMs?: number;
}

/** Runs task containers on a Docker Engine. */
export class DockerExecutor implements Executor {
  private readonly engine: Engine;
  private readonly log: Logger;
  private readonly attacher: NetworkAttacher;
  private readonly sandboxes: DockerSandboxes;
  private readonly containers: TaskContainers;
  private readonly sandboxed: SandboxChoreography;

  constructor(options: DockerExecutorOptions) {
    this.engine = options.engine;
    this.log = componentLogger(options.logger, 'executor');
    this.attacher = options.attacher ?? bridgeOnlyAttacher;
    this.sandboxes = new DockerSandboxes(options.engine);
    this.containers = new TaskContainers(options.engine, this.log, options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS, this.sandboxes);
    this.sandboxed = new SandboxChoreography({ engine: options.engine, log: this.log, attacher: this.attacher, sandboxes: this.sandboxes, containers: this.containers });
  }

  async prepare(task: Task, files: readonly FileMount[]): Promise<Result<{ containerId: string }, ExecutorError>> {
    let config: ContainerConfig;
    try {
      const sandboxed = this.attacher.needsSandbox?.(task) === true;
      config = containerConfig(task, { dnsServers: this.attacher.dnsServers?.(task), networkMode: this.attacher.networkMode?.(task), files, sandboxed });
    } catch (e) {
      return err({ message: engineMessage(e), transient: false });
    }
    if (config.sandbox !== undefined) return this.sandboxed.prepare(task, config);
    const created = await this.containers.createOrAdopt(task, config.task);
    if (!created.ok) return err(created.error.error);
    const containerId = created.value;
    const attached = await this.attacher.attach(task, containerId);
    if (!attached.ok) {
      // The task is rejected without a container ID, so nothing else would ever remove this one.
      await this.remove(containerId);
      return err({ message: attached.error, transient: false });
    }
    return ok({ containerId });
  }

  async start(containerId: string): Promise<Result<void, ExecutorError>> {
    const sandbox = await this.sandboxes.of(containerId);
    if (!sandbox.ok) return sandbox;
    if (sandbox.value !== undefined) return this.sandboxed.start(containerId, sandbox.value);
    const started = await this.containers.start(containerId);
    if (!started.ok) return started;
    // Its network namespace exists only now: overlay interfaces go in here.
    const attached = (await this.attacher.started?.(containerId)) ?? ok(undefined);
    return attached.ok ? ok(undefined) : err({ message: attached.error, transient: false });
  }

  async inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.engine.getContainer(containerId).inspect();
    } catch (e) {
      return engineStatusCode(e) === 404 ? ok({ kind: 'missing', containerId }) : err(executorError(e));
    }
    const observed = observe(containerId, info);
    if (observed.kind !== 'running') return ok(observed);
    const orphaned = await this.sandboxed.checkRunning(containerId, info);
    if (!orphaned.ok) return orphaned;
    return ok(orphaned.value ?? observed);
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
    const sandbox = await this.sandboxes.of(containerId);
    if (!sandbox.ok) return sandbox;
    if (sandbox.value !== undefined) return this.sandboxed.remove(containerId, sandbox.value);
    const detached = await this.attacher.detach(containerId);
    if (!detached.ok) this.log.warn({ containerId, error: detached.error }, 'detaching networks failed; removing anyway');
    return this.containers.remove(containerId);
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
    return watchContainerEvents(this.engine, nodeId, onEvent, onEnd);
  }

  logs(containerId: string, options: LogOptions): AsyncIterable<LogLine> {
    return containerLogs(this.engine, containerId, options);
  }
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
