import { initialProgressState, progressInterruptedLines, progressStep, upToDateTasks, type ProgressState } from './format/index.js';
import type { CliContext } from './context.js';
import { activeNodeIds } from './resolve.js';
import { CliError } from './errors.js';

const POLL_MS = 200;
/** Give up waiting (the service keeps converging in the background) after this long. */
const MAX_WAIT_MS = 10 * 60 * 1000;

/**
 * Waits for a service to converge, drawing Docker's progress display: redrawn
 * in place on a terminal, line by line otherwise. Ctrl-C stops waiting, not
 * the service.
 */
export async function waitForConvergence(ctx: CliContext, serviceId: string, label: string): Promise<void> {
  const control = ctx.control();
  const tty = process.stdout.isTTY === true;
  let state: ProgressState = initialProgressState();
  let drawn = 0;
  let printed = new Set<string>();
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onInterrupt);
  const deadline = Date.now() + MAX_WAIT_MS;
  try {
    for (;;) {
      if (interrupted || Date.now() > deadline) {
        for (const line of progressInterruptedLines(label)) ctx.output.err(line);
        return;
      }
      const [{ service }, { tasks }, { nodes }] = await Promise.all([
        control.getService({ serviceId, insertDefaults: false }),
        control.listTasks({ filter: { serviceIds: [serviceId], ids: [], names: [], labels: {}, nodeIds: [], namespace: '', desiredStates: [] } }),
        control.listNodes({}),
      ]);
      if (!service) throw new CliError(`service ${label} disappeared while converging`);
      const upToDate = upToDateTasks(service, tasks);
      const step = progressStep(state, { service, tasks: upToDate, activeNodeIds: activeNodeIds(nodes), nowMs: Date.now(), serviceLabel: label, terminalWidth: process.stdout.columns ?? 200 });
      state = step.state;
      if (tty) {
        if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
        for (const line of step.screen) process.stdout.write(`\x1b[2K${line}\n`);
        drawn = step.screen.length;
      } else {
        // Not a terminal (a log, a pipe): each line once, as it changes.
        for (const line of step.screen) if (!printed.has(line)) ctx.output.out(line);
        printed = new Set(step.screen);
      }
      if (step.outcome === 'done') return;
      if (step.outcome === 'failed') throw new CliError(step.error ?? 'service failed to converge');
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
