// Task status transitions: the one place that enforces "task state only moves
// forward" (DESIGN.md step 8), so a late engine event can never resurrect a
// finished task or undo a report the managers already committed.
import { isAfter } from '../../common/task-state.js';
import { codec, type TaskStatus, type TaskStatus_State } from '../../gen/index.js';

/** The fields a transition may set besides the state. */
export type StatusPatch = Partial<Pick<TaskStatus, 'message' | 'err' | 'containerId' | 'exitCode' | 'pid' | 'health'>>;

/** A fresh status in `state` at `nowMs`. */
export function initialStatus(state: TaskStatus_State, nowMs: number): TaskStatus {
  return codec.TaskStatus.fromPartial({ state, timestampMs: nowMs });
}

/**
 * Moves `status` to `state` with `patch` applied. Moving backwards is refused
 * (the old status is returned unchanged); staying in the same state updates the
 * details (health, pid) and keeps the timestamp unless something changed.
 */
export function advance(status: TaskStatus, state: TaskStatus_State, nowMs: number, patch: StatusPatch = {}): TaskStatus {
  if (isAfter(status.state, state)) return status;
  const next: TaskStatus = { ...status, ...patch, state };
  if (state === status.state && sameDetails(status, next)) return status;
  return { ...next, timestampMs: nowMs };
}

function sameDetails(a: TaskStatus, b: TaskStatus): boolean {
  return a.message === b.message && a.err === b.err && a.containerId === b.containerId && a.exitCode === b.exitCode && a.pid === b.pid && a.health === b.health;
}
