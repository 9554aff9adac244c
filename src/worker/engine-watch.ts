// How the agent learns that a container changed: the engine's event stream
// for this node's containers (reopened with bounded backoff when it ends,
// after which every task looks again, as events may have been missed), and
// a periodic resync as a safety net besides it. Each only "kicks" task
// runners; they inspect the container themselves.
import type { Logger } from '../common/log.js';
import type { CancelTimer, Clock } from '../common/clock.js';
import type { Executor, Subscription } from './executor.js';

const EVENTS_RECONNECT_BASE_MS = 1_000;
const EVENTS_RECONNECT_MAX_MS = 30_000;

/** What an EngineWatch needs from its agent. */
export interface EngineWatchDeps {
  executor: Executor;
  nodeId: string;
  clock: Clock;
  log: Logger;
  resyncPeriodMs: number;
  /** Something happened to this task's container. */
  kick(taskId: string): void;
  /** Every task should look again. */
  kickAll(): void;
}

/** Engine events and periodic resyncs, turned into kicks. */
export class EngineWatch {
  private subscription: Subscription | undefined;
  private cancelResync: CancelTimer | undefined;
  private cancelReconnect: CancelTimer | undefined;
  private reconnectAttempt = 0;
  private closed = false;

  constructor(private readonly deps: EngineWatchDeps) {}

  /** Subscribes to the engine's events and arms the resync timer. */
  start(): void {
    this.subscribe();
    this.armResync();
  }

  /** Stops both; no kick comes after this. */
  close(): void {
    this.closed = true;
    this.subscription?.close();
    this.cancelResync?.();
    this.cancelReconnect?.();
  }

  private subscribe(): void {
    if (this.closed) return;
    const { executor, nodeId, clock, log } = this.deps;
    this.subscription = executor.watch(
      nodeId,
      (event) => {
        this.reconnectAttempt = 0;
        this.deps.kick(event.taskId);
      },
      (error) => {
        if (this.closed) return;
        // The engine may be down for a while: back off, bounded, instead of spinning.
        const delayMs = Math.min(EVENTS_RECONNECT_MAX_MS, EVENTS_RECONNECT_BASE_MS * 2 ** Math.min(this.reconnectAttempt, 10));
        this.reconnectAttempt++;
        log.warn({ error, retryInMs: delayMs }, 'engine event stream ended; reconnecting');
        this.cancelReconnect = clock.setTimer(delayMs, () => {
          this.subscribe();
          // Events may have been missed while the stream was down.
          this.deps.kickAll();
        });
      },
    );
  }

  private armResync(): void {
    this.cancelResync = this.deps.clock.setTimer(this.deps.resyncPeriodMs, () => {
      if (this.closed) return;
      this.deps.kickAll();
      this.armResync();
    });
  }
}
