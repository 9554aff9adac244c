import type { Logger } from 'pino';
import type { CancelTimer, Clock } from '../../common/clock.js';

/**
 * Collects items and hands them to `flush` at our own pace: at most every
 * `intervalMs`, at most `maxItems` at once, one flush in flight at a time.
 * Thousands of agents reporting at once become a few Raft proposals.
 */
export class Batcher<T> {
  private queue: T[] = [];
  private cancelTimer: CancelTimer | undefined;
  private flushing = false;
  /** Bumped by clear(): a flush that was in flight then must not put its items back. */
  private generation = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalMs = 25,
    private readonly maxItems = 2000,
  ) {}

  /** Queues items; they are flushed within about intervalMs. */
  add(...items: T[]): void {
    this.queue.push(...items);
    this.schedule();
  }

  private schedule(): void {
    if (this.cancelTimer || this.flushing || this.queue.length === 0) return;
    this.cancelTimer = this.clock.setTimer(this.intervalMs, () => {
      this.cancelTimer = undefined;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    this.flushing = true;
    const generation = this.generation;
    const items = this.queue.splice(0, this.maxItems);
    try {
      await this.flush(items);
    } catch (error) {
      // Reports are idempotent (statuses only move forward): keep them for the
      // next flush, unless the batcher was cleared meanwhile (leadership lost:
      // the agents report again to the next leader).
      if (generation === this.generation) {
        this.log.warn({ err: error, items: items.length }, 'flushing batched updates failed; will retry');
        this.queue.unshift(...items);
      }
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  /** Drops whatever is queued (the dispatcher stopped leading). */
  clear(): void {
    this.generation++;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.queue = [];
  }
}
