// Raft membership of the managers: joining (learner, then voter), leaving,
// removal of a down manager, demotion (a demoted manager leaves Raft here:
// reconcileRoles), and what a forced new cluster does to the others.
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { JoinRaftRequest, JoinRaftResponse, LeaveRaftRequest, LeaveRaftResponse, StoreAction } from '../gen/index.js';
import { RpcError, type CallContext } from '../rpc/index.js';
import { RaftNodeError, type GrpcTransport, type RaftNode } from '../raft/index.js';
import type { Propose } from './leader/ports.js';
import type { LeaderForwarder } from './leader-forwarding.js';
import { raftFailure } from './raft-failure.js';
import type { MemoryStore } from './store/index.js';

/** Bound on a manager leaving the Raft group: handing leadership over, then the leader removing it. */
const LEAVE_TIMEOUT_MS = 10_000;

/** A Raft member another manager told this one about (a joining manager's store is empty until it catches up). */
export interface KnownPeer {
  raftId: number;
  nodeId: string;
  addr: string;
}

/** What membership needs from its manager; raft and transport are read when used (they start after it is built). */
export interface MembershipDeps {
  nodeId: string;
  raftId: number;
  peers: readonly KnownPeer[];
  store: MemoryStore;
  raft(): RaftNode;
  transport(): GrpcTransport;
  propose: Propose;
  forwarder: LeaderForwarder;
  isLeader(): boolean;
  leaderAddr(): string | undefined;
  /** Node IDs connected to this manager's dispatcher; undefined while it does not lead. */
  connectedNodes(): string[] | undefined;
  log: Logger;
}

/** The managers' Raft group as this manager changes it. */
export class RaftMembership {
  private reconcilingRoles = false;

  constructor(private readonly deps: MembershipDeps) {}

  /** The Raft ID of a manager node, as far as this manager knows it. */
  raftIdOf(nodeId: string): number | undefined {
    if (nodeId === this.deps.nodeId) return this.deps.raftId;
    // Until a joining manager has caught up, its store does not know the others: the join answer does.
    return this.deps.store.get('node', nodeId)?.managerStatus?.raftId || this.deps.peers.find((p) => p.nodeId === nodeId)?.raftId || undefined;
  }

  /** The node of a Raft member, if known. */
  nodeIdOf(raftId: number): string | undefined {
    if (raftId === this.deps.raftId) return this.deps.nodeId;
    return this.deps.store.list('node').find((n) => n.managerStatus?.raftId === raftId)?.id;
  }

  /**
   * Raft.Join on the leader: a manager node (its certificate says so) asks
   * for a Raft ID and is added as a learner; once it has caught up it asks
   * again with `promote` and becomes a voter. Followers forward to the leader.
   */
  async joinRaft(req: JoinRaftRequest, ctx: CallContext): Promise<JoinRaftResponse> {
    const { store, forwarder } = this.deps;
    if (ctx.peer.kind !== 'node' || ctx.peer.nodeId !== req.nodeId) throw new RpcError('permission-denied', 'a node may only join Raft as itself');
    if (!this.deps.isLeader()) return forwarder.viaLeader((addr) => forwarder.withRaftClient(addr, (c) => c.join(req, { deadlineMs: 15_000 })), () => this.joinRaft(req, ctx));
    let raftId = 0;
    for (let attempt = 0; attempt < 5 && !raftId; attempt++) {
      const node = store.get('node', req.nodeId);
      if (!node || node.spec?.desiredRole !== 'MANAGER') throw new RpcError('failed-precondition', `node ${req.nodeId} is not a manager of this swarm`);
      if (node.managerStatus?.raftId) {
        raftId = node.managerStatus.raftId;
        break;
      }
      const candidate = randomInt(1, 2 ** 31);
      const result = await this.deps.propose([{ kind: 'UPDATE', object: { node: { ...node, role: 'MANAGER', managerStatus: { raftId: candidate, addr: req.addr, leader: false, reachability: 'REACHABLE' } } } }]);
      if (result.ok) raftId = candidate;
    }
    if (!raftId) throw new RpcError('unavailable', 'could not record the new manager (the store kept changing); retry');
    const conf = this.deps.raft().confState();
    const context = Buffer.from(JSON.stringify({ nodeId: req.nodeId, addr: req.addr }));
    try {
      if (req.promote) {
        if (!conf.voters.includes(raftId)) await this.changeMembership({ type: 'PROMOTE', nodeId: raftId, context }, 8_000);
      } else if (!conf.voters.includes(raftId) && !conf.learners.includes(raftId)) {
        await this.changeMembership({ type: 'ADD_LEARNER', nodeId: raftId, context }, 8_000);
      }
    } catch (error) {
      throw raftFailure(error);
    }
    const members = store.list('node').flatMap((n) => (n.managerStatus?.raftId ? [{ raftId: n.managerStatus.raftId, nodeId: n.id, addr: n.managerStatus.addr }] : []));
    return { raftId, members, removed: [], commitIndex: this.deps.raft().status().commit };
  }

  /**
   * Raft.Leave on the leader: a manager leaving the swarm (`swarm leave
   * --force`) asks to be removed from the Raft group; its node record stays,
   * as a worker's, until `node rm`. Followers forward to the leader.
   */
  async leaveRaftFor(req: LeaveRaftRequest, ctx: CallContext): Promise<LeaveRaftResponse> {
    const { forwarder } = this.deps;
    if (ctx.peer.kind !== 'node' || !req.raftId || this.raftIdOf(ctx.peer.nodeId) !== req.raftId) throw new RpcError('permission-denied', 'a manager may only take itself out of Raft');
    const nodeId = ctx.peer.nodeId;
    if (!this.deps.isLeader()) return forwarder.viaLeader((addr) => forwarder.withRaftClient(addr, (c) => c.leave(req, { deadlineMs: LEAVE_TIMEOUT_MS })), () => this.leaveRaftFor(req, ctx));
    if (req.raftId === this.deps.raftId) throw new RpcError('failed-precondition', 'the leader cannot remove itself from Raft: it hands leadership over first');
    await this.removeFromRaft(nodeId, req.raftId);
    return {};
  }

  /**
   * `swarm leave --force` on this manager: hand leadership over if leading,
   * then have the leader remove this member, so the others keep a quorum
   * that counts only live managers. Bounded; says how it ended.
   */
  async leaveRaft(): Promise<'left' | 'last' | 'removed' | 'failed'> {
    const self = this.deps.raftId;
    const raft = this.deps.raft();
    if (raft.status().removed) return 'removed';
    const others = raft.confState().voters.filter((v) => v !== self);
    if (others.length === 0) return 'last';
    const deadline = Date.now() + LEAVE_TIMEOUT_MS;
    const log = this.deps.log.child({ component: 'leave' });
    while (Date.now() < deadline) {
      try {
        if (this.deps.isLeader()) {
          // Prefer a voter whose node is connected: it is alive and likely caught up.
          const connected = new Set(this.deps.connectedNodes() ?? []);
          const ranked = [...others].sort((a, b) => Number(connected.has(this.nodeIdOf(b) ?? '')) - Number(connected.has(this.nodeIdOf(a) ?? '')));
          await raft.transferLeadership(ranked[0] ?? others[0] ?? self);
          await sleep(300);
          continue;
        }
        const addr = this.deps.leaderAddr();
        if (addr) {
          await this.deps.forwarder.withRaftClient(addr, (c) => c.leave({ raftId: self }, { deadlineMs: Math.max(1_000, deadline - Date.now()) }));
          log.info('left the Raft group');
          return 'left';
        }
      } catch (error) {
        log.warn({ err: error }, 'leaving the Raft group did not work yet; retrying');
      }
      await sleep(200);
    }
    return 'failed';
  }

  /**
   * `node rm --force` of a manager (on the leader): only one that is gone
   * (no session with the dispatcher) is taken out of Raft; a live one is
   * demoted first, as Docker asks.
   */
  async removeManager(nodeId: string): Promise<void> {
    const node = this.deps.store.get('node', nodeId);
    const name = node?.description?.hostname || nodeId;
    if (nodeId === this.deps.nodeId) throw new RpcError('failed-precondition', `node ${name} is the leader: run "shoal node rm" from another manager once it is down, or "shoal swarm leave --force" on it`);
    const connected = new Set(this.deps.connectedNodes() ?? []);
    if (connected.has(nodeId)) {
      throw new RpcError('failed-precondition', `node ${name} is a manager that is still reachable: demote it first ("shoal node demote ${name}"), then remove it`);
    }
    const raftId = node?.managerStatus?.raftId;
    if (!raftId) return;
    // Never take the quorum away: the voters left must have a majority that is alive (has a session).
    const conf = this.deps.raft().confState();
    const voters = conf.voters.filter((v) => v !== raftId);
    const live = voters.filter((v) => v === this.deps.raftId || connected.has(this.nodeIdOf(v) ?? '')).length;
    if (conf.voters.includes(raftId) && live < Math.floor(voters.length / 2) + 1) {
      throw new RpcError('failed-precondition', `removing node ${name} would leave ${live} reachable managers out of ${voters.length}, too few for a quorum: bring managers back first`);
    }
    await this.removeFromRaft(nodeId, raftId);
  }

  /**
   * The leader's role manager: a manager node demoted to worker is removed
   * from the Raft group and loses its manager status (its own daemon then
   * renews its certificate and stops its manager). A leader being demoted
   * first hands leadership to another voter, whose role manager finishes.
   */
  async reconcileRoles(): Promise<void> {
    if (this.reconcilingRoles || this.deps.connectedNodes() === undefined) return;
    const { store, log } = this.deps;
    this.reconcilingRoles = true;
    try {
      for (const node of store.list('node')) {
        const raftId = node.managerStatus?.raftId;
        if (!raftId || node.spec?.desiredRole !== 'WORKER') continue;
        const raft = this.deps.raft();
        if (raftId === this.deps.raftId) {
          const successor = raft.confState().voters.find((v) => v !== raftId);
          if (successor) await raft.transferLeadership(successor).catch((error: unknown) => log.warn({ err: error }, 'handing over leadership before demotion failed'));
          return;
        }
        const conf = raft.confState();
        if (conf.voters.includes(raftId) || conf.learners.includes(raftId)) {
          await this.changeMembership({ type: 'REMOVE', nodeId: raftId, context: new Uint8Array() }, 10_000);
        }
        const current = store.get('node', node.id);
        if (current) await this.deps.propose([{ kind: 'UPDATE', object: { node: { ...current, managerStatus: undefined, role: 'WORKER' } } }]);
        this.deps.transport().removePeer(raftId);
        log.info({ nodeId: node.id, raftId }, 'demoted manager removed from the Raft group');
      }
    } catch (error) {
      log.warn({ err: error }, 'reconciling manager roles failed; will retry on the next change');
    } finally {
      this.reconcilingRoles = false;
    }
  }

  /**
   * After a forced new cluster every other manager is out of Raft: their
   * nodes become workers (their daemons follow when they come back) and
   * can be promoted again.
   */
  async demoteFormerManagers(log: Logger): Promise<void> {
    const actions: StoreAction[] = this.deps.store
      .list('node')
      .filter((n) => n.id !== this.deps.nodeId && (n.spec?.desiredRole === 'MANAGER' || n.managerStatus))
      .map((n) => ({ kind: 'UPDATE', object: { node: { ...n, role: 'WORKER', spec: n.spec && { ...n.spec, desiredRole: 'WORKER' as const }, managerStatus: undefined } } }));
    if (actions.length === 0) return;
    const result = await this.deps.propose(actions).catch((error: unknown) => ({ ok: false as const, error: { kind: 'invalid' as const, message: String(error) } }));
    if (result.ok) log.warn({ nodes: actions.length }, 'forced a new cluster: the other managers are workers now; promote nodes to add managers again');
    else log.error({ error: result.error }, 'recording the former managers as workers failed');
  }

  /**
   * One membership change, waiting its turn: Raft takes one at a time, so
   * `node promote h2 h3` (or demote) has the second change refused as busy
   * while the first is applied, and a new leader takes none until its first
   * entry is applied. Those refusals are retried until the deadline.
   */
  private async changeMembership(change: Parameters<RaftNode['proposeConfChange']>[0], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.deps.raft().proposeConfChange(change, Math.max(1_000, deadline - Date.now()));
        return;
      } catch (error) {
        if (!(error instanceof RaftNodeError && error.kind === 'busy') || Date.now() + 100 > deadline) throw error;
        await sleep(100);
      }
    }
  }

  /** Takes a member out of the Raft group and records its node as a worker's. */
  private async removeFromRaft(nodeId: string, raftId: number): Promise<void> {
    const conf = this.deps.raft().confState();
    if (conf.voters.includes(raftId) || conf.learners.includes(raftId)) {
      try {
        await this.changeMembership({ type: 'REMOVE', nodeId: raftId, context: new Uint8Array() }, LEAVE_TIMEOUT_MS);
      } catch (error) {
        throw raftFailure(error);
      }
    }
    const current = this.deps.store.get('node', nodeId);
    if (current) {
      const spec = current.spec && { ...current.spec, desiredRole: 'WORKER' as const };
      const result = await this.deps.propose([{ kind: 'UPDATE', object: { node: { ...current, role: 'WORKER', spec, managerStatus: undefined } } }]);
      if (!result.ok) throw new RpcError('unavailable', `removed from Raft, but recording node ${nodeId} as a worker failed: ${result.error.message}; retry`);
    }
    this.deps.transport().removePeer(raftId);
    this.deps.log.info({ nodeId, raftId }, 'manager removed from the Raft group');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
