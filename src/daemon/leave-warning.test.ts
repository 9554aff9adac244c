import { describe, expect, it } from 'vitest';
import { managerLeaveWarning } from './leave-warning.js';

const PREFIX = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
const TAIL = 'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';

describe('managerLeaveWarning (Docker\'s words)', () => {
  it('warns that the last manager erases the swarm', () => {
    expect(managerLeaveWarning({ reachable: 1, unreachable: 0 })).toBe(`${PREFIX}Removing the last manager erases all current state of the swarm. Use \`--force\` to ignore this message.`);
  });

  it('counts what is left when leaving would lose quorum', () => {
    expect(managerLeaveWarning({ reachable: 2, unreachable: 0 })).toBe(`${PREFIX}Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. ${TAIL}`);
    expect(managerLeaveWarning({ reachable: 3, unreachable: 1 })).toBe(`${PREFIX}Removing this node leaves 2 managers out of 4. Without a Raft quorum your swarm will be inaccessible. ${TAIL}`);
    expect(managerLeaveWarning({ reachable: 4, unreachable: 3 })).toBe(`${PREFIX}Removing this node leaves 3 managers out of 7. Without a Raft quorum your swarm will be inaccessible. ${TAIL}`);
  });

  it('gives only the general warning when quorum survives, or when the leader cannot be asked', () => {
    expect(managerLeaveWarning({ reachable: 3, unreachable: 0 })).toBe(`${PREFIX}${TAIL}`);
    expect(managerLeaveWarning({ reachable: 5, unreachable: 2 })).toBe(`${PREFIX}${TAIL}`);
    expect(managerLeaveWarning(undefined)).toBe(`${PREFIX}${TAIL}`);
  });
});
