// The order of task states, in one place: a task's state only moves forward
// (DESIGN.md step 8), so "is it over", "is it still wanted", "did it move on"
// are all comparisons in the wire order of TaskStatus.State. Every component
// asks here instead of ranking states itself.
import { TaskStatus_StateValues, type TaskStatus_State } from '../gen/index.js';

/** Wire order of a state: larger is later. */
export function stateRank(state: TaskStatus_State): number {
  return TaskStatus_StateValues[state];
}

/** Whether `a` comes strictly after `b`. */
export function isAfter(a: TaskStatus_State, b: TaskStatus_State): boolean {
  return stateRank(a) > stateRank(b);
}

/** Whether `a` is `b` or comes before it ("RUNNING or earlier"). */
export function isAtOrBefore(a: TaskStatus_State, b: TaskStatus_State): boolean {
  return stateRank(a) <= stateRank(b);
}

/** Terminal states (COMPLETE or later): the task never runs again (its container may still exist). */
export function isTerminal(state: TaskStatus_State): boolean {
  return stateRank(state) >= stateRank('COMPLETE');
}

/** Whether a desired state asks the task to run (RUNNING or earlier). */
export function wantsRun(desired: TaskStatus_State): boolean {
  return isAtOrBefore(desired, 'RUNNING');
}

/** Whether a desired state asks the task to stop (SHUTDOWN, REMOVE...). */
export function wantsStop(desired: TaskStatus_State): boolean {
  return stateRank(desired) >= stateRank('SHUTDOWN');
}
