// One slot of a replicated service, or one node of a global service: keep
// exactly one wanted task of it alive, replacing tasks that ended (restart
// policy) or sit on a lost node, and say how the slot stands for the updater.
import type { Node, RestartPolicy, Service, Task } from '../../gen/index.js';
import { assert } from '../../common/assert.js';
import type { Action } from './actions.js';
import { decideRestart } from './reconcile-restart.js';
import { byAge, isDirty, isRunning, isTerminal, newTask, nodeCanHoldTasks, setDesired, wantsRunning } from './reconcile-tasks.js';

/** Everything a slot's reconciliation reads. */
export interface SlotContext {
  service: Service;
  policy: RestartPolicy;
  nodes: ReadonlyMap<string, Node>;
  nowMs: number;
  newId: () => string;
}

/** Which slot, and whether a new task may be started in it now. */
export interface SlotPlace {
  slot: number;
  /** '' for replicated slots (the scheduler places), the node for global ones. */
  nodeId: string;
  /** False on a paused node: existing tasks stay, no new ones start. */
  mayStart: boolean;
}

/**
 * How the slot stands after this pass, for the rolling updater:
 * settled: a current-spec task runs; starting: a current-spec task is on its
 * way up (or just created); stopping: waiting for an old task to stop before
 * starting a new one; dirty: its live task, or its finished one, has an old
 * spec; waiting: a restart is delayed; finished: the restart policy let it
 * end; empty: nothing may start here.
 */
export type SlotStatus =
  | { kind: 'settled'; task: Task }
  | { kind: 'starting' }
  | { kind: 'stopping' }
  | { kind: 'dirty'; task: Task; live: boolean }
  | { kind: 'waiting' }
  | { kind: 'finished' }
  | { kind: 'empty' };

/** The slot's actions for this pass and its status afterwards. */
export interface SlotOutcome {
  actions: Action[];
  status: SlotStatus;
}

/** Reconciles one wanted slot (all of `tasks` belong to it). */
export function reconcileSlot(place: SlotPlace, tasks: readonly Task[], ctx: SlotContext): SlotOutcome {
  const actions: Action[] = [];
  const sorted = [...tasks].sort(byAge);
  const live: Task[] = [];
  const ended: Task[] = [];
  const finished: Task[] = [];
  let stopping = false;
  for (const task of sorted) {
    const placed = nodeCanHoldTasks(ctx.nodes, task.nodeId);
    if (wantsRunning(task) && !isTerminal(task)) {
      // A task on a Down, drained or removed node is replaced at once.
      if (placed) live.push(task);
      else actions.push(setDesired(task, 'SHUTDOWN'));
    } else if (wantsRunning(task)) {
      ended.push(task);
    } else if (task.desiredState === 'COMPLETE' && isTerminal(task)) {
      finished.push(task);
    } else if (!isTerminal(task) && task.nodeId !== '' && placed) {
      stopping = true;
    }
  }
  const retire = (list: readonly Task[]) => list.forEach((t) => actions.push(setDesired(t, 'SHUTDOWN')));
  const current = live.filter((t) => !isDirty(t, ctx.service));
  const old = live.filter((t) => isDirty(t, ctx.service));

  if (current.length > 0) {
    const keep = best(current);
    retire(current.filter((t) => t !== keep));
    retire(ended);
    retire(finished);
    if (!isRunning(keep)) return { actions, status: { kind: 'starting' } };
    retire(old); // start-first: the new task runs, so the old one may go
    return { actions, status: { kind: 'settled', task: keep } };
  }
  if (old.length > 0) {
    const keep = best(old);
    retire(old.filter((t) => t !== keep));
    retire(finished);
    const lastNew = ended.at(-1);
    if (lastNew === undefined || isDirty(lastNew, ctx.service)) {
      retire(ended);
      return { actions, status: { kind: 'dirty', task: keep, live: true } };
    }
    // Start-first and the new task ended: its restart policy applies (no
    // tight loop through the updater); the old task keeps serving meanwhile.
    retire(ended.slice(0, -1));
    const decision = decideRestart(lastNew, sorted, ctx.policy, ctx.nowMs);
    switch (decision.kind) {
      case 'restart':
        actions.push(setDesired(lastNew, 'SHUTDOWN'), create(place, ctx));
        return { actions, status: { kind: 'starting' } };
      case 'wait':
        actions.push({ kind: 'wake-at', atMs: decision.atMs, reason: `restart delay of task ${lastNew.id}` });
        return { actions, status: { kind: 'starting' } };
      case 'give-up':
        // Issue 7 (failure action) decides what an update does about this.
        actions.push(setDesired(lastNew, 'SHUTDOWN'));
        return { actions, status: { kind: 'waiting' } };
    }
  }
  const lastEnded = ended.at(-1);
  if (lastEnded !== undefined) {
    retire(ended.slice(0, -1));
    retire(finished);
    const decision = decideRestart(lastEnded, sorted, ctx.policy, ctx.nowMs);
    switch (decision.kind) {
      case 'restart':
        actions.push(setDesired(lastEnded, 'SHUTDOWN'));
        if (!place.mayStart) return { actions, status: { kind: 'empty' } };
        actions.push(create(place, ctx));
        return { actions, status: { kind: 'starting' } };
      case 'wait':
        actions.push({ kind: 'wake-at', atMs: decision.atMs, reason: `restart delay of task ${lastEnded.id}` });
        // An old-spec task is the updater's to replace now (an update or
        // rollback does not wait out the restart delay); if the update is
        // paused, the restart still comes at the wake-up.
        if (isDirty(lastEnded, ctx.service)) return { actions, status: { kind: 'dirty', task: lastEnded, live: false } };
        return { actions, status: { kind: 'waiting' } };
      case 'give-up':
        // An old-spec task is the updater's to replace (one write per task
        // per batch, or the batch would conflict with itself).
        if (isDirty(lastEnded, ctx.service)) return { actions, status: { kind: 'dirty', task: lastEnded, live: false } };
        // Desired COMPLETE marks "ended by policy": the slot stays filled.
        actions.push(setDesired(lastEnded, 'COMPLETE'));
        return { actions, status: { kind: 'finished' } };
    }
  }
  const lastFinished = finished.at(-1);
  if (lastFinished !== undefined) {
    retire(finished.slice(0, -1));
    return { actions, status: isDirty(lastFinished, ctx.service) ? { kind: 'dirty', task: lastFinished, live: false } : { kind: 'finished' } };
  }
  if (stopping) return { actions, status: { kind: 'stopping' } };
  if (!place.mayStart) return { actions, status: { kind: 'empty' } };
  actions.push(create(place, ctx));
  return { actions, status: { kind: 'starting' } };
}

/** Shuts down every task of a slot that is no longer wanted (scaled away, node drained). */
export function retireSlot(tasks: readonly Task[]): Action[] {
  const actions: Action[] = [];
  for (const task of [...tasks].sort(byAge)) {
    if (wantsRunning(task) || task.desiredState === 'COMPLETE') actions.push(setDesired(task, 'SHUTDOWN'));
  }
  return actions;
}

/** A new current-spec task in this slot. */
export function create(place: SlotPlace, ctx: SlotContext): Action {
  return { kind: 'create-task', task: newTask(ctx.service, { slot: place.slot, nodeId: place.nodeId, desiredState: 'RUNNING' }, ctx.nowMs, ctx.newId) };
}

/** The task to keep among duplicates: a running one, else the newest. */
function best(tasks: readonly Task[]): Task {
  const running = tasks.filter(isRunning);
  const pool = running.length > 0 ? running : tasks;
  const last = pool.at(-1);
  assert(last !== undefined, 'reconcile-slot: best() of no tasks');
  return last;
}
