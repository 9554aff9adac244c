import type { Node, NodeDescription, NodeStatus, Task, TaskStatus, WeightedPeer } from '../../gen/index.js';
import type { NodeAssignmentItem } from './node-assignments.js';

/** What the dispatcher reads from the leader's store. */
export interface DispatcherStoreView {
  node(nodeId: string): Node | undefined;
  /** Every task assigned to the node that it must know about (not yet removed from the store). */
  tasksForNode(nodeId: string): Task[];
  /** The node's tasks and exactly the secrets, configs, networks, peers and services they use. */
  assignmentsForNode(nodeId: string): NodeAssignmentItem[];
  /** Calls `listener` after any store change that may concern the node's assignments. */
  watchNode(nodeId: string, listener: () => void): () => void;
  /** Managers' addresses, handed to agents so they can fail over. */
  managers(): WeightedPeer[];
  heartbeatPeriodMs(): number;
}

/** A node status change the dispatcher records. */
export interface NodeStatusUpdate {
  nodeId: string;
  status: NodeStatus;
  description?: NodeDescription | undefined;
  dataPathAddr?: string | undefined;
}

/** A task status reported by the node running it. */
export interface TaskStatusReport {
  taskId: string;
  status: TaskStatus;
}

/** How the dispatcher writes, through Raft (SET_STATUS actions). */
export interface DispatcherWriter {
  setNodeStatuses(updates: NodeStatusUpdate[]): Promise<void>;
  setTaskStatuses(updates: TaskStatusReport[]): Promise<void>;
}

/** What a connection to a node's liveness port found. */
export type ProbeResult =
  /** Nothing listens: the node's daemon process is gone (the kernel refused). */
  | 'refused'
  /** The kernel accepted: the daemon lives, though it may be stopped or starved. */
  | 'open'
  /** No answer in time (host down, cable cut, firewall): proves nothing either way. */
  | 'unknown';

/** Connects to a node's liveness port (host, port) once, bounded in time. */
export type LivenessProbe = (host: string, port: number) => Promise<ProbeResult>;
