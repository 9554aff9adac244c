// A task's container on the engine, as the executor and the sandbox
// choreography both make it: created (the image pulled only when the engine
// lacks it), or adopted when an earlier run of this daemon made it; started;
// removed, waiting out a removal someone else started.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from '../common/log.js';
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import { engineMessage, engineStatusCode, executorError } from './docker-errors.js';
import type { DockerSandboxes } from './docker-sandboxes.js';
import type { Engine } from './engine.js';
import type { ExecutorError } from './executor.js';
import { LABELS } from './names.js';
import { isSandbox, joinSandboxMode } from './sandbox.js';

/** How long remove() waits for a removal someone else started. */
const REMOVAL_WAIT_MS = 10_000;
const REMOVAL_POLL_MS = 200;

/** Why a create failed: the engine lacks the image, the name is taken, or anything else. */
type CreateFailure = { reason: 'no-such-image' | 'name-taken' | 'other'; error: ExecutorError };

/** Why createOrAdopt failed, and whether a container of the task exists nonetheless. */
export interface AdoptFailure {
  created: boolean;
  error: ExecutorError;
}

/** Task containers on one engine. */
export class TaskContainers {
  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly pullTimeoutMs: number,
    /** Told which sandbox each container joined, so start and remove need not ask the engine. */
    private readonly sandboxes: DockerSandboxes,
  ) {}

  /**
   * Creates the task's container. Create first (the image is usually there:
   * one engine call, not two, per task); only a missing image costs a pull
   * and a second create. As Docker's executor: a failed pull is logged, and
   * create then reports the error users know ("No such image: foo:latest").
   * A container of this task made by an earlier run is adopted, unless it
   * joined another sandbox than `sandboxId` (then it is made again).
   */
  async createOrAdopt(task: Task, create: Docker.ContainerCreateOptions, sandboxId?: string): Promise<Result<string, AdoptFailure>> {
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
    const removed = await this.remove(existing.value.containerId);
    if (!removed.ok) return err({ created: true, error: removed.error });
    return this.createOrAdopt(task, create, sandboxId);
  }

  /** Starts the container; one already running is fine. */
  async start(containerId: string): Promise<Result<void, ExecutorError>> {
    try {
      await this.engine.getContainer(containerId).start();
      return ok(undefined);
    } catch (e) {
      return engineStatusCode(e) === 304 ? ok(undefined) : err(executorError(e));
    }
  }

  /** Removes the container and its anonymous volumes; a missing one is fine. */
  async remove(containerId: string): Promise<Result<void, ExecutorError>> {
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

  private async waitGone(containerId: string): Promise<Result<void, ExecutorError>> {
    for (let waitedMs = 0; waitedMs < REMOVAL_WAIT_MS; waitedMs += REMOVAL_POLL_MS) {
      try {
        await this.engine.getContainer(containerId).inspect();
      } catch (e) {
        if (engineStatusCode(e) === 404) return ok(undefined);
        return err(executorError(e));
      }
      await new Promise((resolve) => setTimeout(resolve, REMOVAL_POLL_MS));
    }
    return err({ message: `container ${containerId} is still being removed after ${REMOVAL_WAIT_MS} ms`, transient: true });
  }

  private async create(options: Docker.ContainerCreateOptions): Promise<Result<string, CreateFailure>> {
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
