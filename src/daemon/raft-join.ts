import type { Logger } from 'pino';
import { RaftService } from '../gen/index.js';
import { createClient, RpcError } from '../rpc/index.js';
import { waitUntil } from '../common/wait-until.js';
import { MANAGER_ROLE } from '../manager/index.js';
import type { NodeComponents } from './node-components.js';
import { saveIdentity, type StoredNode } from './node-identity.js';

/** Bound on each Raft.Join call. */
const JOIN_TIMEOUT_MS = 10_000;
/** How long a new member may take to catch up with the log before asking to vote. */
const CATCH_UP_TIMEOUT_MS = 30_000;

/** What joining needs besides the node's identity. */
export interface RaftJoinContext {
  components: NodeComponents;
  dataRoot: string;
  log: Logger;
}

/**
 * A new manager joins the Raft group (the leader's side is
 * manager/membership.ts): it gets a Raft ID and joins as a learner, starts
 * its member and catches up, then asks to become a voter.
 */
export async function joinRaftGroup(stored: StoredNode, remote: string, context: RaftJoinContext): Promise<void> {
  const { identity, tls } = stored;
  const { components } = context;
  const raft = createClient(RaftService, remote, { tls, expect: { role: MANAGER_ROLE }, defaultDeadlineMs: JOIN_TIMEOUT_MS });
  try {
    const first = await raft.join({ addr: identity.advertiseAddr, nodeId: identity.nodeId, promote: false });
    identity.raftId = first.raftId;
    identity.managerAddrs = [...new Set([remote, ...first.members.map((m) => m.addr)])];
    saveIdentity(context.dataRoot, identity);
    await components.startManager(stored, { peers: first.members.filter((m) => m.raftId !== first.raftId) });
    const applied = (): number => components.currentManager()?.appliedIndex() ?? 0;
    await waitUntil(() => applied() >= first.commitIndex, {
      timeoutMs: CATCH_UP_TIMEOUT_MS, intervalMs: 50, timedOut: () => new RpcError('unavailable', `this manager did not catch up with the swarm's log within 30 s (applied ${applied()} of ${first.commitIndex})`),
    });
    await raft.join({ addr: identity.advertiseAddr, nodeId: identity.nodeId, promote: true });
    context.log.info({ raftId: first.raftId }, 'joined the managers as a voter');
  } finally {
    raft.close();
  }
}
