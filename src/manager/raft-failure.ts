import { RpcError } from '../rpc/index.js';
import { RaftNodeError } from '../raft/index.js';

/** Docker's words when no leader can be found. */
export const NO_LEADER = 'The swarm does not have a leader. It\'s possible that too few managers are online. Make sure more than half of the managers are online: restore quorum, or run "shoal swarm init --force-new-cluster" on a surviving manager.';

/** Raft's failures as the Control API reports them. */
export function raftFailure(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof RaftNodeError) {
    switch (error.kind) {
      case 'not-leader':
      case 'no-leader':
      case 'timeout':
      case 'unknown':
        return new RpcError('unavailable', NO_LEADER);
      case 'dropped':
        return new RpcError('unavailable', 'the change was lost to a leader election before it committed; retry');
      default:
        return new RpcError('unavailable', `raft: ${error.message}`);
    }
  }
  return new RpcError('internal', error instanceof Error ? error.message : String(error));
}
