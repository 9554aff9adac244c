// What reconcilers ask for. Values only: the leader's shell turns them into
// one StoreBatch (see to-store-actions.ts) and proposes it through Raft.
import type { Service, Task } from '../../gen/index.js';

/** A change the orchestrator wants made to the store, or a time to look again. */
export type Action =
  /** A new task, desired RUNNING (COMPLETE for jobs), not yet on a node unless global. */
  | { kind: 'create-task'; task: Task }
  /** The task as read, with a later desired state; proposed as a versioned UPDATE. */
  | { kind: 'update-task'; task: Task }
  /** Delete a dead task from the store (history pruning, removed services). */
  | { kind: 'remove-task'; taskId: string }
  /** The service as read, with a new updateStatus; proposed as a versioned UPDATE. */
  | { kind: 'update-service'; service: Service }
  /** Reconcile this service again at `atMs` (restart delay, update delay). */
  | { kind: 'wake-at'; atMs: number; reason: string };

/** The kinds of Action, for exhaustive switches. */
export type ActionKind = Action['kind'];
