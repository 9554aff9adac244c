// Task history: each slot (or node, for global services) keeps at most the
// cluster's task-history-limit tasks; the oldest dead ones are removed.
import type { Node, Task } from '../../gen/index.js';
import type { Action } from './actions.js';
import { wantsStop } from '../../common/task-state.js';
import { byAge, isTerminal, nodeIsGone } from './reconcile-tasks.js';

/** Docker's default for `swarm update --task-history-limit`. */
export const DEFAULT_TASK_HISTORY_LIMIT = 5;

/** A task that is over and done: not wanted any more, and stopped (or its node is gone for good). */
export function isDead(task: Task, nodes: ReadonlyMap<string, Node>): boolean {
  if (!wantsStop(task.desiredState)) return false;
  return isTerminal(task) || task.nodeId === '' || nodeIsGone(nodes, task.nodeId);
}

/** Removes the oldest dead tasks of one slot beyond `keep` tasks in all; a negative keep keeps everything. */
export function pruneSlot(tasks: readonly Task[], keep: number, nodes: ReadonlyMap<string, Node>): Action[] {
  if (keep < 0 || tasks.length <= keep) return [];
  let excess = tasks.length - keep;
  const actions: Action[] = [];
  for (const task of [...tasks].sort(byAge)) {
    if (excess === 0) break;
    if (!isDead(task, nodes)) continue;
    actions.push({ kind: 'remove-task', taskId: task.id });
    excess--;
  }
  return actions;
}
