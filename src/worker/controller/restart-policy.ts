// Local restarts while the managers are unreachable ("managers down, workers
// go on"). Normally the orchestrator replaces a failed task with a new one;
// cut off from it, the agent restarts the same container itself, counting
// attempts the way Docker's orchestrator does (restart.go): only restarts
// inside the window count towards max attempts, and 0 means unlimited.
import type { RestartPolicy } from '../../gen/index.js';

/** Whether to restart an exited container, and when. */
export type RestartDecision = { restart: true; atMs: number } | { restart: false; reason: string };

/** Docker's default when a spec carries no restart policy: any exit, 5 s delay, unlimited. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { condition: 'ANY', delayMs: 5_000, maxAttempts: 0, windowMs: 0 };

/**
 * Decides about a container that exited with `exitCode` at `nowMs`, given the
 * times of the restarts already made for this task (`restartsAtMs`).
 */
export function decideRestart(policy: RestartPolicy, exitCode: number, restartsAtMs: readonly number[], nowMs: number): RestartDecision {
  switch (policy.condition) {
    case 'NONE':
      return { restart: false, reason: 'restart condition is none' };
    case 'ON_FAILURE':
      if (exitCode === 0) return { restart: false, reason: 'exited cleanly and restart condition is on-failure' };
      break;
    case 'ANY':
      break;
  }
  if (policy.maxAttempts > 0) {
    const counted = policy.windowMs > 0 ? restartsAtMs.filter((t) => t > nowMs - policy.windowMs) : restartsAtMs;
    if (counted.length >= policy.maxAttempts) return { restart: false, reason: `reached ${policy.maxAttempts} restart attempts` };
  }
  return { restart: true, atMs: nowMs + Math.max(0, policy.delayMs) };
}
