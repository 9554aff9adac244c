// A task's secret and config files, from the moment they are written to the
// moment they leave the node's memory. The task runner takes each step
// explicitly: prepare before the container is created, restore before a
// local restart, release when the container stopped, was removed or was
// never made. Which files and where is task-file-plan.ts (pure); the tmpfs
// they live on is memory-files.ts.
import { err, ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import type { FileMount } from './executor.js';
import type { MemoryFiles } from './memory-files.js';
import type { NodeResources } from './node-resources.js';
import { planTaskFiles } from './task-file-plan.js';

/** Which of a task's files this process wrote: in memory now, or released when the container stopped. */
type Held = 'written' | 'released-on-stop';

/** The secret and config files of this node's tasks. */
export class TaskFiles {
  /** By task ID. A task adopted after a daemon restart is absent: its files stay until its container is removed. */
  private readonly held = new Map<string, Held>();

  constructor(
    /** Where the files are kept (a tmpfs); only writing and removing a task's files are used. */
    private readonly memory: Pick<MemoryFiles, 'write' | 'release'>,
    /** The node's current secrets and configs (the agent's resources). */
    private readonly resources: () => NodeResources,
  ) {}

  /** Writes the task's files; returns what to bind-mount into its container (nothing when it uses no secret or config). */
  async prepare(task: Task): Promise<Result<FileMount[], string>> {
    const container = task.spec?.container;
    if ((container?.secrets.length ?? 0) === 0 && (container?.configs.length ?? 0) === 0) return ok([]);
    const plan = planTaskFiles(task, this.resources());
    if (!plan.ok) return plan;
    const written = await this.memory.write(task.nodeId, task.id, plan.value);
    if (written.ok) this.held.set(task.id, 'written');
    return written;
  }

  /** Before the container starts again (a local restart): files released when it stopped are written again. */
  async restore(task: Task): Promise<Result<void, string>> {
    if (this.held.get(task.id) !== 'released-on-stop') return ok(undefined);
    const written = await this.prepare(task);
    return written.ok ? ok(undefined) : err(written.error);
  }

  /** The task's container stopped: its files leave memory now, and come back only if it is restarted here. */
  releaseOnStop(task: Task): void {
    if (this.held.get(task.id) !== 'written') return;
    this.held.set(task.id, 'released-on-stop');
    this.memory.release(task.nodeId, task.id);
  }

  /** The task's container is gone, or was never made: its files go for good (also those of a task adopted after a restart). */
  release(nodeId: string, taskId: string): void {
    this.held.delete(taskId);
    this.memory.release(nodeId, taskId);
  }
}
