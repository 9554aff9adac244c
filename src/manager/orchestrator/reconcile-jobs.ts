// Jobs run to completion: a replicated job wants `totalCompletions` COMPLETE
// tasks, at most `maxConcurrent` at once (slot k is the k-th completion); a
// global job one COMPLETE task per eligible node. Their tasks are wanted with
// desired state COMPLETE, as in swarmkit; COMPLETE tasks are never restarted.
// A spec change (e.g. `--force`) starts the job over: only tasks of the
// current spec count.
import type { Node, RestartPolicy, Service, Task } from '../../gen/index.js';
import type { Action } from './actions.js';
import { pruneSlot } from './reconcile-history.js';
import { type DesiredService, type ObservedService, type ReconcileDeps, groupBy } from './reconcile-inputs.js';
import { globalPlacement, sortedNodes } from './reconcile-global.js';
import { decideRestart, historyToKeep, restartPolicyOf } from './reconcile-restart.js';
import { wantsStop } from '../../common/task-state.js';
import { byAge, isDirty, isTerminal, newTask, nodeCanHoldTasks, setDesired } from './reconcile-tasks.js';

/** How one job slot (or node) stands. */
type JobSlot = 'done' | 'active' | 'given-up' | 'pending';

interface JobContext {
  service: Service;
  nodes: ReadonlyMap<string, Node>;
  nowMs: number;
  deps: ReconcileDeps;
}

/** One pass over a replicated job. */
export function reconcileReplicatedJob(service: Service, desired: DesiredService, observed: ObservedService, nowMs: number, deps: ReconcileDeps): Action[] {
  const mode = service.spec?.mode;
  const maxConcurrent = mode?.maxConcurrent || 1;
  const total = mode?.totalCompletions || maxConcurrent;
  const ctx: JobContext = { service, nodes: observed.nodes, nowMs, deps };
  const actions: Action[] = retireOldIterations(observed.tasks, service);
  const bySlot = groupBy(observed.tasks.filter((t) => !isDirty(t, service)), (t) => t.slot);
  let running = 0;
  const pending: number[] = [];
  for (let slot = 1; slot <= total; slot++) {
    const state = reconcileJobSlot(slot, '', bySlot.get(slot) ?? [], ctx, actions);
    if (state === 'active') running++;
    if (state === 'pending') pending.push(slot);
  }
  for (const slot of pending.slice(0, Math.max(0, maxConcurrent - running))) {
    actions.push({ kind: 'create-task', task: newTask(service, { slot, nodeId: '', desiredState: 'COMPLETE' }, nowMs, deps.newId) });
  }
  // Slots beyond a lowered total: stop what still runs there.
  for (const [slot, tasks] of bySlot) if (slot < 1 || slot > total) stopLive(tasks, actions);
  const keep = historyToKeep(restartPolicyOf(service), desired.taskHistoryLimit);
  for (const tasks of groupBy(observed.tasks, (t) => t.slot).values()) actions.push(...pruneSlot(tasks, keep, observed.nodes));
  return actions;
}

/** One pass over a global job. */
export function reconcileGlobalJob(service: Service, desired: DesiredService, observed: ObservedService, nowMs: number, deps: ReconcileDeps): Action[] {
  const ctx: JobContext = { service, nodes: observed.nodes, nowMs, deps };
  const actions: Action[] = retireOldIterations(observed.tasks, service);
  const byNode = groupBy(observed.tasks.filter((t) => !isDirty(t, service)), (t) => t.nodeId);
  for (const node of sortedNodes(observed.nodes)) {
    const tasks = byNode.get(node.id) ?? [];
    const { keep, start } = globalPlacement(node, service, deps);
    if (!keep) {
      stopLive(tasks, actions);
      continue;
    }
    const state = reconcileJobSlot(0, node.id, tasks, ctx, actions);
    if (state === 'pending' && start) {
      actions.push({ kind: 'create-task', task: newTask(service, { slot: 0, nodeId: node.id, desiredState: 'COMPLETE' }, nowMs, deps.newId) });
    }
  }
  for (const [nodeId, tasks] of byNode) if (!observed.nodes.has(nodeId)) stopLive(tasks, actions);
  const keep = historyToKeep(restartPolicyOf(service), desired.taskHistoryLimit);
  for (const tasks of groupBy(observed.tasks, (t) => t.nodeId).values()) actions.push(...pruneSlot(tasks, keep, observed.nodes));
  return actions;
}

/** Tasks of an earlier run of the job: running ones stop, finished ones become history. */
function retireOldIterations(tasks: readonly Task[], service: Service): Action[] {
  return [...tasks].sort(byAge).filter((t) => isDirty(t, service) && !wantsStop(t.desiredState)).map((t) => setDesired(t, 'SHUTDOWN'));
}

/** Keeps one job slot's current-spec tasks right and says how it stands; appends its actions. */
function reconcileJobSlot(slot: number, nodeId: string, tasks: readonly Task[], ctx: JobContext, actions: Action[]): JobSlot {
  const sorted = [...tasks].sort(byAge);
  const wanted = sorted.filter((t) => !wantsStop(t.desiredState));
  const ended = wanted.filter(isTerminal);
  if (sorted.some((t) => t.status?.state === 'COMPLETE')) {
    stopLive(sorted.filter((t) => t.status?.state !== 'COMPLETE'), actions);
    for (const t of ended) if (t.status?.state !== 'COMPLETE') actions.push(setDesired(t, 'SHUTDOWN'));
    return 'done';
  }
  const live = wanted.filter((t) => !isTerminal(t) && nodeCanHoldTasks(ctx.nodes, t.nodeId));
  const lost = wanted.filter((t) => !isTerminal(t) && !nodeCanHoldTasks(ctx.nodes, t.nodeId));
  const create = (): void => {
    actions.push({ kind: 'create-task', task: newTask(ctx.service, { slot, nodeId, desiredState: 'COMPLETE' }, ctx.nowMs, ctx.deps.newId) });
  };
  for (const t of lost) actions.push(setDesired(t, 'SHUTDOWN'));
  if (live.length > 0) {
    stopLive(live.slice(0, -1), actions);
    for (const t of ended) actions.push(setDesired(t, 'SHUTDOWN'));
    return 'active';
  }
  const policy = restartPolicyOf(ctx.service);
  const last = ended.at(-1);
  if (last !== undefined) {
    for (const t of ended.slice(0, -1)) actions.push(setDesired(t, 'SHUTDOWN'));
    const decision = decideRestart(last, sorted, policy, ctx.nowMs);
    switch (decision.kind) {
      case 'restart':
        actions.push(setDesired(last, 'SHUTDOWN'));
        create();
        return 'active';
      case 'wait':
        actions.push({ kind: 'wake-at', atMs: decision.atMs, reason: `restart delay of task ${last.id}` });
        return 'active';
      case 'give-up':
        actions.push(setDesired(last, 'SHUTDOWN'));
        return 'given-up';
    }
  }
  // A task lost with its node is replaced at once, in its slot.
  if (lost.length > 0) {
    create();
    return 'active';
  }
  const newest = sorted.at(-1);
  return newest !== undefined && gaveUp(newest, policy) ? 'given-up' : 'pending';
}

/** A task the restart policy let end: its failure is final for this run of the job. */
function gaveUp(task: Task, policy: RestartPolicy): boolean {
  if (!wantsStop(task.desiredState)) return false;
  const state = task.status?.state;
  return state === 'FAILED' || state === 'REJECTED' || (state === 'SHUTDOWN' && policy.condition === 'NONE');
}

function stopLive(tasks: readonly Task[], actions: Action[]): void {
  for (const t of tasks) if (!wantsStop(t.desiredState) && !isTerminal(t)) actions.push(setDesired(t, 'SHUTDOWN'));
}
