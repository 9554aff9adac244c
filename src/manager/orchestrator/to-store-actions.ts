// Turns reconciler actions into the StoreActions of one batch, for the
// leader's proposer. Versioned UPDATEs make a stale reconcile fail as a
// whole ('conflict'); the shell then reads again and reconciles again.
import type { StoreAction } from '../../gen/index.js';
import { unreachable } from '../../common/assert.js';
import type { Action } from './actions.js';

/** The store actions for a reconcile's actions (wake-ats are for the shell's timer, not the store). */
export function toStoreActions(actions: readonly Action[]): StoreAction[] {
  const out: StoreAction[] = [];
  for (const action of actions) {
    switch (action.kind) {
      case 'create-task':
        out.push({ kind: 'CREATE', object: { task: action.task } });
        break;
      case 'update-task':
        out.push({ kind: 'UPDATE', object: { task: action.task } });
        break;
      case 'remove-task':
        out.push({ kind: 'REMOVE', object: { task: { id: action.taskId, serviceId: '', slot: 0, nodeId: '', desiredState: 'NEW', networks: [] } } });
        break;
      case 'update-service':
        out.push({ kind: 'UPDATE', object: { service: action.service } });
        break;
      case 'wake-at':
        break;
      default:
        unreachable(action, 'orchestrator action');
    }
  }
  return out;
}
