// The one entry point: a service's desired state and its tasks in, actions
// out. Pure: everything comes in as arguments (STYLE.md).
import { assert } from '../../common/assert.js';
import type { Action } from './actions.js';
import type { DesiredService, ObservedService, ReconcileDeps } from './reconcile-inputs.js';
import { reconcileGlobal } from './reconcile-global.js';
import { reconcileGlobalJob, reconcileReplicatedJob } from './reconcile-jobs.js';
import { reconcileReplicated } from './reconcile-replicated.js';
import { byAge, isTerminal, nodeIsGone, setDesired } from './reconcile-tasks.js';

/**
 * Reconciles one service at `nowMs`. Apply the actions as one batch; after
 * any change to the service, its tasks or the nodes, call again. At most one
 * wake-at comes back (the earliest): call again at that time even if nothing
 * changed.
 */
export function reconcileService(desired: DesiredService, observed: ObservedService, nowMs: number, deps: ReconcileDeps): Action[] {
  const service = desired.service;
  let actions: Action[];
  if (service === undefined) {
    actions = reconcileRemovedService(desired, observed);
  } else {
    switch (service.spec?.mode?.kind ?? 'REPLICATED') {
      case 'REPLICATED':
        actions = reconcileReplicated(service, desired, observed, nowMs, deps);
        break;
      case 'GLOBAL':
        actions = reconcileGlobal(service, desired, observed, nowMs, deps);
        break;
      case 'REPLICATED_JOB':
        actions = reconcileReplicatedJob(service, desired, observed, nowMs, deps);
        break;
      case 'GLOBAL_JOB':
        actions = reconcileGlobalJob(service, desired, observed, nowMs, deps);
        break;
    }
  }
  assertOneWritePerTask(actions);
  return earliestWake(actions);
}

/** Two writes to one task in a batch would make it conflict with itself forever: a bug here. */
function assertOneWritePerTask(actions: readonly Action[]): void {
  const seen = new Set<string>();
  for (const action of actions) {
    const id = action.kind === 'update-task' ? action.task.id : action.kind === 'remove-task' ? action.taskId : undefined;
    if (id === undefined) continue;
    assert(!seen.has(id), `reconcile: task ${id} written twice in one pass`);
    seen.add(id);
  }
}

/** A removed service: its tasks are told to go (desired REMOVE), then deleted once dead. */
function reconcileRemovedService(desired: DesiredService, observed: ObservedService): Action[] {
  const actions: Action[] = [];
  for (const task of [...observed.tasks].sort(byAge)) {
    if (task.serviceId !== desired.serviceId) continue;
    // Nothing left to stop: it ended, never got a node, or its node is gone.
    if (isTerminal(task) || task.nodeId === '' || nodeIsGone(observed.nodes, task.nodeId)) {
      actions.push({ kind: 'remove-task', taskId: task.id });
    } else if (task.desiredState !== 'REMOVE') {
      actions.push(setDesired(task, 'REMOVE'));
    }
  }
  return actions;
}

/** Keeps only the earliest wake-at, after all other actions. */
function earliestWake(actions: readonly Action[]): Action[] {
  const others = actions.filter((a) => a.kind !== 'wake-at');
  const wakes = actions.flatMap((a) => (a.kind === 'wake-at' ? [a] : []));
  const first = wakes.reduce<(typeof wakes)[number] | undefined>((min, a) => (min === undefined || a.atMs < min.atMs ? a : min), undefined);
  return first === undefined ? others : [...others, first];
}
