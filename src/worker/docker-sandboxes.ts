// The engine side of network sandboxes (sandbox.ts): make the image on first
// need, create or adopt a task's sandbox and start it, tell which sandbox a
// task container joined, remove it. Used by DockerExecutor only.
import type Docker from 'dockerode';
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import { engineMessage, engineStatusCode, executorError } from './docker-errors.js';
import type { Engine } from './engine.js';
import type { ExecutorError } from './executor.js';
import { LABELS } from './names.js';
import { ensureSandboxImage, isSandboxArch } from './sandbox-image.js';
import { isSandbox, joinedContainer } from './sandbox.js';

/** A sandbox as the engine shows it now. */
export type SandboxState = 'running' | 'stopped' | 'missing';

/** A task's sandbox containers on one engine. */
export class DockerSandboxes {
  /** The sandbox image's name once it is known to exist (made at most once per process). */
  private image: Promise<string> | undefined;
  /** Task container ID → the sandbox it joined ('' for none); a container's network mode never changes. */
  private readonly joined = new Map<string, string>();

  constructor(private readonly engine: Engine) {}

  /** Creates the task's sandbox (or adopts the one a previous run made) and starts it; returns its ID. */
  async start(task: Task, create: Docker.ContainerCreateOptions): Promise<Result<string, ExecutorError>> {
    if (!isSandboxArch(process.arch)) return err({ message: `no network sandbox program for CPU ${process.arch}: tasks on overlay networks cannot run on this node`, transient: false });
    let image: string;
    try {
      this.image ??= ensureSandboxImage(this.engine).catch((e: unknown) => {
        this.image = undefined;
        throw e;
      });
      image = await this.image;
    } catch (e) {
      return err({ message: `cannot make the network sandbox image: ${engineMessage(e)}`, transient: executorError(e).transient });
    }
    let sandboxId: string;
    try {
      sandboxId = (await this.engine.createContainer({ ...create, Image: image })).id;
    } catch (e) {
      if (engineStatusCode(e) !== 409) return err(executorError(e));
      const adopted = await this.adopt(task, create.name ?? '');
      if (!adopted.ok) return adopted;
      sandboxId = adopted.value;
    }
    const started = await this.startExisting(sandboxId);
    return started.ok ? ok(sandboxId) : started;
  }

  /** Starts a stopped sandbox again (its namespace is new: its networks must be plumbed again). */
  async startExisting(sandboxId: string): Promise<Result<void, ExecutorError>> {
    try {
      await this.engine.getContainer(sandboxId).start();
      return ok(undefined);
    } catch (e) {
      return engineStatusCode(e) === 304 ? ok(undefined) : err(executorError(e));
    }
  }

  /** Records which sandbox a container joined, from its inspect data; returns it. */
  noteJoined(containerId: string, info: Docker.ContainerInspectInfo): string | undefined {
    const sandboxId = joinedContainer(info.HostConfig.NetworkMode) ?? '';
    this.joined.set(containerId, sandboxId);
    return sandboxId === '' ? undefined : sandboxId;
  }

  /** The sandbox a task container joined, if it joined one; asks the engine once per container. */
  async of(containerId: string): Promise<Result<string | undefined, ExecutorError>> {
    const known = this.joined.get(containerId);
    if (known !== undefined) return ok(known === '' ? undefined : known);
    try {
      return ok(this.noteJoined(containerId, await this.engine.getContainer(containerId).inspect()));
    } catch (e) {
      return engineStatusCode(e) === 404 ? ok(undefined) : err(executorError(e));
    }
  }

  /** Whether the sandbox runs. */
  async state(sandboxId: string): Promise<Result<SandboxState, ExecutorError>> {
    try {
      return ok((await this.engine.getContainer(sandboxId).inspect()).State.Running ? 'running' : 'stopped');
    } catch (e) {
      return engineStatusCode(e) === 404 ? ok('missing') : err(executorError(e));
    }
  }

  /** Kills and removes a sandbox (it never stops by itself); a missing one is fine. */
  async remove(sandboxId: string): Promise<Result<void, ExecutorError>> {
    for (const [containerId, joined] of this.joined) if (joined === sandboxId) this.joined.delete(containerId);
    try {
      await this.engine.getContainer(sandboxId).remove({ force: true, v: true });
      return ok(undefined);
    } catch (e) {
      const code = engineStatusCode(e);
      // 409: a removal is already in progress.
      return code === 404 || code === 409 ? ok(undefined) : err(executorError(e));
    }
  }

  /** Forgets a removed task container. */
  forget(containerId: string): void {
    this.joined.delete(containerId);
  }

  // A sandbox by this name exists: ours from before a restart (adopt it), or
  // someone else's (refuse to touch it).
  private async adopt(task: Task, name: string): Promise<Result<string, ExecutorError>> {
    try {
      const info = await this.engine.getContainer(name).inspect();
      const labels = info.Config.Labels;
      if (!isSandbox(labels) || labels[LABELS.taskId] !== task.id || labels[LABELS.nodeId] !== task.nodeId) {
        return err({ message: `a container named ${name} exists and is not the network sandbox of task ${task.id} on node ${task.nodeId}`, transient: false });
      }
      return ok(info.Id);
    } catch (e) {
      return err(executorError(e));
    }
  }
}
