import type { Logger } from 'pino';
import type { MemoryStore, StoreChangeSet } from '../store/index.js';
import type { Clock } from '../../common/clock.js';

/**
 * The shell the leader's scheduler and allocator share: follow the store in
 * commit order, coalesce wake-ups into one pass a few milliseconds later
 * (so a burst of commits costs one pass and one proposal), never run two
 * passes at once, and do nothing once stopped (leadership lost).
 */
export abstract class PassLoop {
  private unsubscribe: (() => void) | undefined;
  private scheduled = false;
  private running = false;
  protected stopped = false;

  constructor(
    protected readonly store: MemoryStore,
    protected readonly clock: Clock,
    protected readonly log: Logger,
    private readonly passIntervalMs: number,
    /** For the log line of a pass that threw. */
    private readonly name: string,
  ) {}

  /** Follows the store and runs a first pass. */
  start(): void {
    this.unsubscribe = this.store.watch((changes) => {
      if (this.follow(changes)) this.kick();
    });
    this.starting();
    this.kick();
  }

  /** Stops on leadership loss. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  /** Takes one commit's changes into the loop's state; true when a pass has work to do. */
  protected abstract follow(changes: StoreChangeSet): boolean;

  /** One pass over whatever waits. */
  protected abstract runPass(): Promise<void>;

  /** What is already waiting when leadership starts. */
  protected starting(): void {}

  /** Asks for a pass soon; many asks before it runs make one pass. */
  protected kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    this.clock.setTimer(this.passIntervalMs, () => {
      this.scheduled = false;
      void this.pass();
    });
  }

  /** Asks for a pass after a pause (a lost race or a failed proposal). */
  protected retryAfter(ms: number): void {
    if (!this.stopped) this.clock.setTimer(ms, () => this.kick());
  }

  private async pass(): Promise<void> {
    if (this.running || this.stopped) {
      if (!this.stopped) this.kick();
      return;
    }
    this.running = true;
    try {
      await this.runPass();
    } catch (error) {
      this.log.error({ err: error }, `${this.name} pass failed`);
    } finally {
      this.running = false;
    }
  }
}
