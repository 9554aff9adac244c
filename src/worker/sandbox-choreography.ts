// The order of things for a task that joins a network sandbox (sandbox.ts):
//   prepare: sandbox created and started ─ its networks plumbed ─ task
//            container created with NetworkMode container:<sandbox> ─ attach
//   start:   sandbox running (started again if stopped) ─ started (plumbed
//            again) ─ task container started: its process sees its networks
//            from its first instruction
//   inspect: a running task container whose sandbox stopped or went is killed
//   remove:  detach ─ task container ─ sandbox, never the other way round
// The executor takes this path for every container that joined a sandbox.
import type Docker from 'dockerode';
import type { Logger } from '../common/log.js';
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import type { ContainerObservation } from './controller/observation.js';
import type { TaskContainers } from './docker-containers.js';
import { engineStatusCode, executorError } from './docker-errors.js';
import type { DockerSandboxes } from './docker-sandboxes.js';
import type { Engine } from './engine.js';
import type { ExecutorError } from './executor.js';
import type { NetworkAttacher } from './network-attacher.js';
import type { SandboxedCreate } from './sandbox.js';

/** What the choreography moves: the engine, the sandboxes, the task containers and the networks. */
export interface SandboxChoreographyParts {
  engine: Engine;
  log: Logger;
  attacher: NetworkAttacher;
  sandboxes: DockerSandboxes;
  containers: TaskContainers;
}

/** Prepares, starts, checks and removes task containers that join a sandbox, each step in its order. */
export class SandboxChoreography {
  constructor(private readonly parts: SandboxChoreographyParts) {}

  /**
   * The sandbox, its networks, then the task container joining it. A refusal
   * removes what was made (nothing else would: the task is rejected without a
   * container ID); an engine away leaves it for the retry to adopt.
   */
  async prepare(task: Task, config: SandboxedCreate): Promise<Result<{ containerId: string }, ExecutorError>> {
    const { attacher, sandboxes, containers, log } = this.parts;
    const sandbox = await sandboxes.start(task, config.sandbox);
    if (!sandbox.ok) return sandbox;
    const sandboxId = sandbox.value;
    const undo = async (error: ExecutorError): Promise<Result<never, ExecutorError>> => {
      if (error.transient) return err(error);
      await attacher.detach(sandboxId);
      const removed = await sandboxes.remove(sandboxId);
      if (!removed.ok) log.warn({ sandboxId, error: removed.error.message }, 'could not remove the network sandbox of a rejected task');
      return err(error);
    };
    const plumbed = (await attacher.prepareSandbox?.(task, sandboxId)) ?? ok(undefined);
    if (!plumbed.ok) return undo({ message: plumbed.error, transient: false });
    const created = await containers.createOrAdopt(task, config.task(sandboxId), sandboxId);
    if (!created.ok) return undo(created.error.error);
    const containerId = created.value;
    const attached = await attacher.attach(task, containerId);
    if (!attached.ok) {
      await this.remove(containerId, sandboxId);
      return err({ message: attached.error, transient: false });
    }
    return ok({ containerId });
  }

  /** Before a container that joins a sandbox starts: the sandbox runs and holds the task's networks; then the container starts. */
  async start(containerId: string, sandboxId: string): Promise<Result<void, ExecutorError>> {
    const { attacher, sandboxes, containers } = this.parts;
    const state = await sandboxes.state(sandboxId);
    if (!state.ok) return state;
    if (state.value === 'missing') return err({ message: `the network sandbox ${sandboxId} of container ${containerId} is gone`, transient: false });
    if (state.value === 'stopped') {
      const started = await sandboxes.startExisting(sandboxId);
      if (!started.ok) return started;
    }
    const attached = (await attacher.started?.(containerId)) ?? ok(undefined);
    if (!attached.ok) return err({ message: attached.error, transient: false });
    return containers.start(containerId);
  }

  /**
   * For a running container: what to report instead if its sandbox no longer
   * runs; undefined when all is well. Such a container has lost its networks
   * for good: it is killed and reported dead, so its restart policy replaces
   * it as it would any dead container.
   */
  async checkRunning(containerId: string, info: Docker.ContainerInspectInfo): Promise<Result<ContainerObservation | undefined, ExecutorError>> {
    const { engine, sandboxes, log } = this.parts;
    const sandboxId = sandboxes.noteJoined(containerId, info);
    if (sandboxId === undefined) return ok(undefined);
    const state = await sandboxes.state(sandboxId);
    if (!state.ok) return state;
    if (state.value === 'running') return ok(undefined);
    log.warn({ containerId, sandboxId }, 'the network sandbox of a running task container is gone; killing the container');
    try {
      await engine.getContainer(containerId).kill();
    } catch (e) {
      const code = engineStatusCode(e);
      if (code !== 404 && code !== 409) return err(executorError(e));
    }
    return ok({ kind: 'exited', containerId, exitCode: 137, error: `its network sandbox ${sandboxId.slice(0, 12)} stopped`, oomKilled: false });
  }

  /** Detaches and removes the task container, then its sandbox. */
  async remove(containerId: string, sandboxId: string): Promise<Result<void, ExecutorError>> {
    const { attacher, sandboxes, containers, log } = this.parts;
    const detached = await attacher.detach(containerId);
    if (!detached.ok) log.warn({ containerId, error: detached.error }, 'detaching networks failed; removing anyway');
    const removed = await containers.remove(containerId);
    if (!removed.ok) return removed;
    sandboxes.forget(containerId);
    return sandboxes.remove(sandboxId);
  }
}
