// Waiting after `stack deploy --detach=false -q` and `stack rm --detach=false`,
// by polling the Control API; the clock and sleep are injected.
import { isTerminal } from '../../common/task-state.js';
import { CliError } from '../errors.js';
import { listFilter, type StackControl } from './control.js';
import type { Removal } from './remove.js';

/** How long and how often to look. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly nowMs: () => number;
}

/** Waits until every task of the removed services has stopped, as Docker's waitOnTasks; gives up with an error after the timeout. */
export async function waitForStackGone(control: StackControl, removals: readonly Removal[], opts: WaitOptions): Promise<void> {
  const serviceIds = removals.filter((r) => r.kind === 'service').map((r) => r.id);
  if (serviceIds.length === 0) return;
  const deadline = opts.nowMs() + opts.timeoutMs;
  for (;;) {
    const { tasks } = await control.listTasks({ filter: listFilter({ serviceIds }) });
    const live = tasks.filter((t) => !isTerminal(t.status?.state ?? 'NEW'));
    if (live.length === 0) return;
    if (opts.nowMs() > deadline) throw new CliError(`${live.length} task(s) of the removed stack still running after ${Math.round(opts.timeoutMs / 1000)}s; check "shoal node ls" for unreachable nodes`);
    await opts.sleep(opts.pollMs);
  }
}

/** `stack deploy -q --detach=false`: waits, without progress output, until every service runs all its desired tasks. */
export async function waitForServicesRunning(control: StackControl, serviceIds: readonly string[], opts: WaitOptions): Promise<void> {
  if (serviceIds.length === 0) return;
  const deadline = opts.nowMs() + opts.timeoutMs;
  for (;;) {
    const { statuses } = await control.listServices({ filter: listFilter({ ids: [...serviceIds] }) });
    const behind = serviceIds.filter((id) => {
      const s = statuses[id];
      return s === undefined || s.runningTasks < s.desiredTasks;
    });
    if (behind.length === 0) return;
    if (opts.nowMs() > deadline) throw new CliError(`${behind.length} service(s) of the stack did not converge in ${Math.round(opts.timeoutMs / 1000)}s; see "shoal stack ps"`);
    await opts.sleep(opts.pollMs);
  }
}
