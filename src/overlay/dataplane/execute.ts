// Runs a plan: consecutive steps for the same namespace and tool go to the
// kernel as one `ip -batch -` / `bridge -batch -` process, which keeps a
// reconcile of hundreds of endpoints to a handful of forks.
import { CommandError, inNetns, runChecked, type CommandRunner } from './command-runner.js';
import { namedNetnsPath } from './observed-state.js';
import type { Step, StepTarget } from './plan.js';

function targetPath(target: StepTarget, nodeNetnsPath: string | undefined): string | undefined {
  switch (target.kind) {
    case 'node':
      return nodeNetnsPath;
    case 'overlay':
      return namedNetnsPath(target.name);
    case 'container':
      return target.path;
  }
}

function sameBatch(a: Step, b: Step): boolean {
  return a.tool === b.tool && a.mayFail !== true && b.mayFail !== true && a.endpoint === b.endpoint && JSON.stringify(a.target) === JSON.stringify(b.target);
}

/** An endpoint that could not be attached (its container may be gone); retried on the next reconcile. */
export interface EndpointFailure {
  readonly taskId: string;
  readonly networkId: string;
  readonly message: string;
}

/** Group consecutive compatible steps; each group becomes one batch process. Pure. */
export function batchSteps(steps: readonly Step[]): Step[][] {
  const batches: Step[][] = [];
  for (const step of steps) {
    const current = batches.at(-1);
    const head = current?.[0];
    if (current !== undefined && head !== undefined && sameBatch(head, step)) current.push(step);
    else batches.push([step]);
  }
  return batches;
}

/**
 * Run steps in order. A failed endpoint step skips the rest of that endpoint,
 * undoes it and is reported; any other failure throws CommandError (steps
 * marked mayFail are tolerated).
 */
export async function executeSteps(runner: CommandRunner, steps: readonly Step[], nodeNetnsPath: string | undefined): Promise<EndpointFailure[]> {
  const failures: EndpointFailure[] = [];
  const failedUnits = new Set<unknown>();
  for (const batch of batchSteps(steps)) {
    const head = batch[0];
    if (head === undefined || failedUnits.has(head.endpoint)) continue;
    try {
      await runBatch(runner, batch, nodeNetnsPath);
    } catch (error) {
      const unit = head.endpoint;
      if (unit === undefined || !(error instanceof CommandError)) throw error;
      failedUnits.add(unit);
      failures.push({ taskId: unit.taskId, networkId: unit.networkId, message: error.message });
      for (const undo of unit.undo) await runner.run(inNetns(targetPath(undo.target, nodeNetnsPath), [undo.tool, ...undo.args]));
    }
  }
  return failures;
}

async function runBatch(runner: CommandRunner, batch: readonly Step[], nodeNetnsPath: string | undefined): Promise<void> {
  const head = batch[0];
  if (head === undefined) return;
  const path = targetPath(head.target, nodeNetnsPath);
  if (head.mayFail === true) {
    await runner.run(inNetns(path, [head.tool, ...head.args]));
    return;
  }
  if (batch.length === 1) {
    await runChecked(runner, inNetns(path, [head.tool, ...head.args]));
    return;
  }
  const input = `${batch.map((s) => s.args.join(' ')).join('\n')}\n`;
  await runChecked(runner, inNetns(path, [head.tool, '-batch', '-']), input);
}
