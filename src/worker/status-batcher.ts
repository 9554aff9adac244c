// Status reports leave the agent in batches, at our own pace (TigerBeetle
// style): changes within `batchDelayMs` coalesce per task to the latest, and
// a batch holds at most `maxBatchSize` updates. While the managers are
// unreachable nothing is sent; the agent re-reports everything when they return.
import type { TaskStatus, TaskStatusUpdate } from '../gen/index.js';
import type { CancelTimer, Clock } from '../common/clock.js';

/** Receives batches of status updates (the dispatcher client forwards them). */
export type StatusListener = (updates: TaskStatusUpdate[]) => void;

/** Coalesces and batches task status updates. */
export class StatusBatcher {
  private readonly pending = new Map<string, TaskStatus>();
  private readonly listeners = new Set<StatusListener>();
  private held = false;
  private cancelFlush: CancelTimer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly batchDelayMs = 50,
    private readonly maxBatchSize = 500,
  ) {}

  /** Adds a listener; returns its removal. */
  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a task's latest status, replacing one not sent yet. */
  push(taskId: string, status: TaskStatus): void {
    this.pending.set(taskId, status);
    this.schedule();
  }

  /** Holds reports (managers unreachable) or lets them go again. */
  setHeld(held: boolean): void {
    this.held = held;
    if (held) {
      this.cancelFlush?.();
      this.cancelFlush = undefined;
    } else {
      this.schedule();
    }
  }

  /** Sends what is pending now, in batches; drops nothing. */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    while (!this.held && this.pending.size > 0) {
      const batch: TaskStatusUpdate[] = [];
      for (const [taskId, status] of this.pending) {
        if (batch.length >= this.maxBatchSize) break;
        batch.push({ taskId, status });
      }
      for (const update of batch) this.pending.delete(update.taskId);
      for (const listener of this.listeners) listener(batch);
    }
  }

  /** Stops the timer; pending updates stay pending. */
  close(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
  }

  private schedule(): void {
    if (this.held || this.cancelFlush !== undefined || this.pending.size === 0) return;
    this.cancelFlush = this.clock.setTimer(this.batchDelayMs, () => {
      this.cancelFlush = undefined;
      this.flush();
    });
  }
}
