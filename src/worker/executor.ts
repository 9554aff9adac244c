// The Executor port: everything the agent asks of a container engine. The
// Docker implementation is docker-executor.ts; the agent never sees dockerode.
import type { Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import type { ContainerObservation } from './controller/observation.js';

/** An engine failure; `transient` ones (engine unreachable) are retried, the rest fail the task. */
export interface ExecutorError {
  /** Docker's own error text, e.g. "No such image: foo:latest". */
  message: string;
  transient: boolean;
}

/** A file on the node bind-mounted read-only into a task's container (its secrets and configs: task-files.ts). */
export interface FileMount {
  readonly hostPath: string;
  /** Absolute path inside the container. */
  readonly containerPath: string;
}

/** A container on the engine labelled with our node ID. */
export interface OwnedContainer {
  containerId: string;
  taskId: string;
  name: string;
  running: boolean;
  /** A task's network sandbox (sandbox.ts), not its container. */
  sandbox?: boolean;
}

/** Something happened to one of our containers; the agent re-inspects it. */
export interface ContainerEvent {
  containerId: string;
  taskId: string;
  action: string;
}

/** A live subscription; close() ends it. */
export interface Subscription {
  close(): void;
}

/** What `service logs` asks for. */
export interface LogOptions {
  follow: boolean;
  /** Last N lines; undefined for all. */
  tail?: number | undefined;
  /** Only lines at or after this time (Unix ms). */
  sinceMs?: number | undefined;
  stdout?: boolean | undefined;
  stderr?: boolean | undefined;
}

/** One line of a container's output, without its trailing newline. */
export interface LogLine {
  timestampMs: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** Runs task containers on one engine. */
export interface Executor {
  /** Makes sure the image is there and creates the task's container with `files` mounted, or finds the one made before (names are unique). */
  prepare(task: Task, files: readonly FileMount[]): Promise<Result<{ containerId: string }, ExecutorError>>;
  /** Starts a created or exited container. */
  start(containerId: string): Promise<Result<void, ExecutorError>>;
  /** The container as the engine sees it now. */
  inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>>;
  /** Sends the stop signal, then SIGKILL after the grace period (0: the container's own StopTimeout). */
  stop(containerId: string, gracePeriodMs: number): Promise<Result<void, ExecutorError>>;
  /** Removes the container (and its anonymous volumes), running or not; a missing one is fine. */
  remove(containerId: string): Promise<Result<void, ExecutorError>>;
  /** Every container labelled with this node ID (task containers and their sandboxes), and only those. */
  listOwned(nodeId: string): Promise<Result<OwnedContainer[], ExecutorError>>;
  /** Start/die/health/destroy events of this node's containers; `onError` when the stream ends. */
  watch(nodeId: string, onEvent: (event: ContainerEvent) => void, onEnd: (error: string) => void): Subscription;
  /** A container's output, oldest first; ends at the end unless following. */
  logs(containerId: string, options: LogOptions): AsyncIterable<LogLine>;
}
