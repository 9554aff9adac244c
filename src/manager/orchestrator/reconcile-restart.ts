// Restart policy (Docker's --restart-*): whether, and when, a task that ended
// on its own gets a replacement in its slot.
import type { RestartPolicy, Service, Task } from '../../gen/index.js';
import { changedAtMs } from './reconcile-tasks.js';

/** swarmkit's defaults when a service gives no restart policy. */
export const DEFAULT_RESTART_DELAY_MS = 5_000;

/** What to do about a task that ended while it was wanted. */
export type RestartDecision = { kind: 'restart' } | { kind: 'wait'; atMs: number } | { kind: 'give-up'; reason: string };

/** The service's restart policy, with Docker's defaults (jobs restart on failure only). */
export function restartPolicyOf(service: Service): RestartPolicy {
  const policy = service.spec?.task?.restart;
  if (policy !== undefined) return policy;
  const kind = service.spec?.mode?.kind;
  const job = kind === 'REPLICATED_JOB' || kind === 'GLOBAL_JOB';
  return { condition: job ? 'ON_FAILURE' : 'ANY', delayMs: DEFAULT_RESTART_DELAY_MS, maxAttempts: 0, windowMs: 0 };
}

/**
 * Decides for `ended` (a wanted task whose status is final), given every task
 * of its slot. Attempts are the slot's tasks that ended on their own
 * (FAILED, REJECTED, COMPLETE) within the window; the history pruner keeps
 * enough of them (historyToKeep) for this count to stay right.
 */
export function decideRestart(ended: Task, slotTasks: readonly Task[], policy: RestartPolicy, nowMs: number): RestartDecision {
  const state = ended.status?.state;
  if (policy.condition === 'NONE') return { kind: 'give-up', reason: 'restart condition is none' };
  if (policy.condition === 'ON_FAILURE' && state === 'COMPLETE') return { kind: 'give-up', reason: 'task completed' };
  if (policy.maxAttempts > 0) {
    const since = policy.windowMs > 0 ? nowMs - policy.windowMs : -Infinity;
    const attempts = slotTasks.filter((t) => endedOnItsOwn(t) && changedAtMs(t) >= since).length;
    if (attempts > policy.maxAttempts) return { kind: 'give-up', reason: `reached ${policy.maxAttempts} restart attempts` };
  }
  const atMs = changedAtMs(ended) + policy.delayMs;
  return nowMs >= atMs ? { kind: 'restart' } : { kind: 'wait', atMs };
}

/** How many tasks per slot pruning must keep so decideRestart can count attempts. */
export function historyToKeep(policy: RestartPolicy, historyLimit: number): number {
  return policy.maxAttempts > 0 ? Math.max(historyLimit, policy.maxAttempts + 1) : historyLimit;
}

function endedOnItsOwn(task: Task): boolean {
  const state = task.status?.state;
  return state === 'FAILED' || state === 'REJECTED' || state === 'COMPLETE';
}
