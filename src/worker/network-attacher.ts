// The seam for overlay networks, the one place the executor talks to
// networking. A task with overlay networks gets a sandbox (sandbox.ts): the
// executor creates and starts it, prepareSandbox plumbs the task's networks
// into its namespace, then the task container is created joining it, so the
// task's process has its networks from its first instruction. attach runs
// after the task container is created, started once its namespace exists
// (before a sandboxed container starts, after any other), detach before a
// container is removed. overlay-attacher.ts is the real one (src/overlay); the
// no-op leaves containers on the engine's default bridge, without sandboxes.
import { ok, type Result } from '../common/result.js';
import type { Task } from '../gen/index.js';

/** Connects a task's container to the task's networks (Task.networks). */
export interface NetworkAttacher {
  /** Called after create, before start; an error rejects the task. */
  attach(task: Task, containerId: string): Promise<Result<void, string>>;
  /** Undoes attach (or prepareSandbox, given the sandbox's ID); called before a container is removed, with only its ID (the task may be long gone). */
  detach(containerId: string): Promise<Result<void, string>>;
  /**
   * Called when the container's network namespace exists: before the engine
   * starts a container that joins a sandbox (again, after a local restart),
   * after it started any other. An error fails the task.
   */
  started?(containerId: string): Promise<Result<void, string>>;
  /** Nameservers the container should use (the embedded DNS), unless its spec names its own. */
  dnsServers?(task: Task): readonly string[] | undefined;
  /** The engine network mode for the task's container (its sandbox's, when it has one); undefined keeps the default bridge. */
  networkMode?(task: Task): string | undefined;
  /** Whether the task's container joins a sandbox's network namespace; absent or false: the container owns its namespace. */
  needsSandbox?(task: Task): boolean;
  /** The task's sandbox runs (its namespace exists) and its container does not yet: plumb its networks there. An error rejects the task. */
  prepareSandbox?(task: Task, sandboxId: string): Promise<Result<void, string>>;
}

/** Leaves containers on the default bridge; overlay attachments come from OverlayAttacher. */
export const bridgeOnlyAttacher: NetworkAttacher = {
  attach: () => Promise.resolve(ok(undefined)),
  detach: () => Promise.resolve(ok(undefined)),
};
