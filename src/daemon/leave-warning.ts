/** Managers as the leader sees them, this one included. */
export interface ManagerCounts {
  reachable: number;
  unreachable: number;
}

/**
 * Docker's refusal of `swarm leave` (without --force) on a manager, word for
 * word: the quorum arithmetic when the leader could be asked (`counts`), the
 * general warning otherwise.
 */
export function managerLeaveWarning(counts: ManagerCounts | undefined): string {
  let msg = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
  // Docker's removingManagerCausesLossOfQuorum: what stays reachable is no longer a majority.
  if (counts && counts.reachable - 2 <= counts.unreachable) {
    if (counts.reachable === 1 && counts.unreachable === 0) return `${msg}Removing the last manager erases all current state of the swarm. Use \`--force\` to ignore this message.`;
    msg += `Removing this node leaves ${counts.reachable - 1} managers out of ${counts.reachable + counts.unreachable}. Without a Raft quorum your swarm will be inaccessible. `;
  }
  return `${msg}The only way to restore a swarm that has lost consensus is to reinitialize it with \`--force-new-cluster\`. Use \`--force\` to suppress this message.`;
}
