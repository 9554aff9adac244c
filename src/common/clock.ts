// The one Clock port: time and timers are injected so unit tests drive them
// by hand (STYLE.md: no Date.now() or setTimeout in logic under test). Every
// shell that waits (agent, dispatcher, leader loops, Raft ticks) takes one.

/** Cancels a timer set with Clock.setTimer. */
export type CancelTimer = () => void;

/** Wall-clock time and one-shot timers. */
export interface Clock {
  nowMs(): number;
  setTimer(delayMs: number, fire: () => void): CancelTimer;
}

/** The real clock. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer: (delayMs, fire) => {
    const timer = setTimeout(fire, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when a test calls `advance`. */
export class ManualClock implements Clock {
  private timers: { atMs: number; fire: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs;
  }

  setTimer(delayMs: number, fire: () => void): CancelTimer {
    const id = this.nextId++;
    this.timers.push({ atMs: this.currentMs + delayMs, fire, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /**
   * Moves time forward by `ms` without firing anything, as when this process
   * was stopped or starved: the next `advance` fires what fell due, late.
   */
  stall(ms: number): void {
    this.currentMs += ms;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.currentMs + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.atMs <= target).sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.currentMs = Math.max(this.currentMs, due.atMs);
      due.fire();
    }
    this.currentMs = target;
  }
}

/** Calls `fire` every `periodMs` on `clock` until the returned function is called. */
export function repeatEvery(clock: Clock, periodMs: number, fire: () => void): CancelTimer {
  let cancel: CancelTimer | undefined;
  let stopped = false;
  const arm = (): void => {
    cancel = clock.setTimer(periodMs, () => {
      if (stopped) return;
      arm();
      fire();
    });
  };
  arm();
  return () => {
    stopped = true;
    cancel?.();
  };
}
