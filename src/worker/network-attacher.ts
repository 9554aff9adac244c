// The seam for overlay networks (src/overlay, a later issue): the agent calls
// attach after it creates a task's container and before it starts it, and
// detach before it removes it. Until overlays exist task containers run on the
// engine's default bridge, and the no-op attacher says so instead of faking it.
import { ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';

/** Connects a task's container to the task's networks (Task.networks). */
export interface NetworkAttacher {
  /** Called after create, before start; an error rejects the task. */
  attach(task: Task, containerId: string): Promise<Result<void, string>>;
  /** Undoes attach; called before the container is removed, with only its ID (the task may be long gone). */
  detach(containerId: string): Promise<Result<void, string>>;
}

/** Leaves containers on the default bridge; overlay attachments arrive with the overlay work (issue #6). */
export const bridgeOnlyAttacher: NetworkAttacher = {
  attach: () => Promise.resolve(ok(undefined)),
  detach: () => Promise.resolve(ok(undefined)),
};
