// Runs a plan: consecutive steps for the same namespace and tool go to the
// kernel as one `ip -batch -` / `bridge -batch -` process, which keeps a
// reconcile of hundreds of endpoints to a handful of forks.
import { inNetns, runChecked, type CommandRunner } from './command-runner.js';
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
  return a.tool === b.tool && a.mayFail !== true && b.mayFail !== true && JSON.stringify(a.target) === JSON.stringify(b.target);
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

/** Run steps in order; throws CommandError on the first failed batch (steps marked mayFail are tolerated). */
export async function executeSteps(runner: CommandRunner, steps: readonly Step[], nodeNetnsPath: string | undefined): Promise<void> {
  for (const batch of batchSteps(steps)) {
    const head = batch[0];
    if (head === undefined) continue;
    const path = targetPath(head.target, nodeNetnsPath);
    if (head.mayFail === true) {
      await runner.run(inNetns(path, [head.tool, ...head.args]));
      continue;
    }
    if (batch.length === 1) {
      await runChecked(runner, inNetns(path, [head.tool, ...head.args]));
      continue;
    }
    const input = `${batch.map((s) => s.args.join(' ')).join('\n')}\n`;
    await runChecked(runner, inNetns(path, [head.tool, '-batch', '-']), input);
  }
}
