// The seam for overlay networks: the executor calls attach after it creates a
// task's container and before it starts it, started once the engine started
// it (its network namespace exists only then), and detach before it removes
// it. overlay-attacher.ts is the real one (src/overlay); the no-op leaves
// containers on the engine's default bridge.
import { ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';

/** Connects a task's container to the task's networks (Task.networks). */
export interface NetworkAttacher {
  /** Called after create, before start; an error rejects the task. */
  attach(task: Task, containerId: string): Promise<Result<void, string>>;
  /** Undoes attach; called before the container is removed, with only its ID (the task may be long gone). */
  detach(containerId: string): Promise<Result<void, string>>;
  /** Called after the engine started the container (again); an error fails the task. */
  started?(containerId: string): Promise<Result<void, string>>;
  /** Nameservers the container should use (the embedded DNS), unless its spec names its own. */
  dnsServers?(task: Task): readonly string[] | undefined;
  /** The engine network mode for the task's container; undefined keeps the default bridge. */
  networkMode?(task: Task): string | undefined;
}

/** Leaves containers on the default bridge; overlay attachments arrive with the overlay work (issue #6). */
export const bridgeOnlyAttacher: NetworkAttacher = {
  attach: () => Promise.resolve(ok(undefined)),
  detach: () => Promise.resolve(ok(undefined)),
};
