// A burst of new tasks (`service create --replicas 100`) must not become 100
// concurrent creates and starts on the engine: it does much of that work one
// at a time anyway (its own locks, the network setup per container), and
// with a bounded window the first containers run sooner, stragglers are not
// all late together, and the agent's event loop stays responsive. Only
// prepare (create) and start queue; inspect, stop and remove never wait
// behind them (a scale-down must not wait for a scale-up's starts).
import type { Result } from '../common/result.js';
import type { Task } from '../gen/index.js';
import type { ContainerObservation } from './controller/observation.js';
import type { ContainerEvent, Executor, ExecutorError, FileMount, LogLine, LogOptions, OwnedContainer, Subscription } from './executor.js';

/** Containers created or started at once by default. */
export const DEFAULT_ENGINE_CONCURRENCY = 12;

/** At most `limit` holders at a time; waiters are served first come, first served. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Runs `fn` once a slot is free; the slot is released however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same) or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Holders now, and callers waiting (tests, metrics). */
  load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}

/** An Executor whose creates and starts go through one bounded window. */
export class EngineLimitedExecutor implements Executor {
  private readonly slots: Semaphore;

  constructor(private readonly inner: Executor, maxConcurrent = DEFAULT_ENGINE_CONCURRENCY) {
    this.slots = new Semaphore(maxConcurrent);
  }

  prepare(task: Task, files: readonly FileMount[]): Promise<Result<{ containerId: string }, ExecutorError>> {
    return this.slots.run(() => this.inner.prepare(task, files));
  }

  start(containerId: string): Promise<Result<void, ExecutorError>> {
    return this.slots.run(() => this.inner.start(containerId));
  }

  inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>> {
    return this.inner.inspect(containerId);
  }

  stop(containerId: string, gracePeriodMs: number): Promise<Result<void, ExecutorError>> {
    return this.inner.stop(containerId, gracePeriodMs);
  }

  remove(containerId: string): Promise<Result<void, ExecutorError>> {
    return this.inner.remove(containerId);
  }

  listOwned(nodeId: string): Promise<Result<OwnedContainer[], ExecutorError>> {
    return this.inner.listOwned(nodeId);
  }

  watch(nodeId: string, onEvent: (event: ContainerEvent) => void, onEnd: (error: string) => void): Subscription {
    return this.inner.watch(nodeId, onEvent, onEnd);
  }

  logs(containerId: string, options: LogOptions): AsyncIterable<LogLine> {
    return this.inner.logs(containerId, options);
  }
}
