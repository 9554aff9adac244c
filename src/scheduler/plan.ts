// What the scheduler decides: the caller commits assignments through Raft
// (task.nodeId = nodeId, status ASSIGNED) and writes `reason` into the
// status of tasks that stay pending, as Swarm does.
import type { NodeId, TaskId } from '../common/ids.js';

/** Put this task on this node. */
export interface Assignment {
  readonly taskId: TaskId;
  readonly nodeId: NodeId;
}

/** This task cannot be placed now, and why, in words users can act on. */
export interface Unplaceable {
  readonly taskId: TaskId;
  /** e.g. "no suitable node (2 nodes lack 512MiB memory; 1 node does not satisfy constraint node.labels.zone==eu)". */
  readonly reason: string;
}

/** The scheduler's decisions for one pass. */
export interface Plan {
  readonly assignments: Assignment[];
  readonly unplaceable: Unplaceable[];
}
