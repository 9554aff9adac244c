import type { StoreAction } from '../../gen/index.js';
import type { ApplyResult } from '../store/index.js';

/** Proposes one batch through Raft; resolves with how every store applied it. */
export type Propose = (actions: StoreAction[]) => Promise<ApplyResult>;

/** Wall-clock time and timers for the leader's loops (the pure parts take `now` as an argument). */
export interface LoopClock {
  nowMs(): number;
  /** Calls fn after ms; the handle cancels it. */
  after(ms: number, fn: () => void): { cancel(): void };
}

/** The real clock. */
export const systemLoopClock: LoopClock = {
  nowMs: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
