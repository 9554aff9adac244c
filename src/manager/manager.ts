import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CAService, codec, ControlService, DispatcherService, LogsService, RaftService, type JoinRaftRequest, type JoinRaftResponse, type LeaveRaftRequest, type LeaveRaftResponse, type Node, type Secret, type StoreAction } from '../gen/index.js';
import { objectIdFromBytes } from '../common/ids.js';
import { createClient, RpcError, type CallContext, type Handlers, type RpcClient, type RpcServer, type TlsMaterial } from '../rpc/index.js';
import { LevelStorage, RaftNode, RaftNodeError, describeStorageError, seededRandom, type SoftState } from '../raft/index.js';
import { GrpcTransport } from '../raft/transport-grpc.js';
import { nodeSatisfiesPlacement, validatePlacement } from '../scheduler/index.js';
import { caDigest, caHandlers, generateJoinToken, MANAGER_ROLE } from './ca/index.js';
import { controlHandlers, type ControlDeps } from './control/index.js';
import { Dispatcher, tcpLivenessProbe, type DispatcherWriter } from './dispatcher/index.js';
import { caAuthorizer, logsAuthorizer, managersOnly, membersOnly, type MembershipView } from './authorize.js';
import { LogBroker, logsHandlers } from './logs/index.js';
import { StoreDispatcherView } from './leader/dispatcher-view.js';
import { OrchestratorLoop } from './leader/orchestrator-loop.js';
import { systemLoopClock } from './leader/ports.js';
import { systemClock } from '../common/clock.js';
import { SchedulerLoop } from './leader/scheduler-loop.js';
import { AllocatorLoop } from './leader/allocator-loop.js';
import { withIngressNetwork } from './leader/bootstrap-ingress.js';
import { Serializer } from './control/index.js';
import { statusWriter } from './leader/status-writer.js';
import { StoreStateMachine } from './state-machine.js';
import { encodeBatch, MemoryStore, type ApplyResult } from './store/index.js';
import { randomServiceName } from './names.js';
import { classifyForwardFailure } from './forwarding.js';
import { SecretKeyring } from './secrets/index.js';

/** Docker's words when no leader can be found. */
export const NO_LEADER = 'The swarm does not have a leader. It\'s possible that too few managers are online. Make sure more than half of the managers are online: restore quorum, or run "shoal swarm init --force-new-cluster" on a surviving manager.';

/** How a follower's dispatcher refuses a node's session, naming the leader (the agent goes there next). */
export const NOT_LEADER_PREFIX = 'this manager is not the leader; the leader is at ';

/** What a manager removed from the Raft group answers (it can neither lead nor reach the leader). */
export const REMOVED_MANAGER = 'This node is no longer one of the swarm\'s managers (another manager forced a new cluster, or removed it): run "shoal swarm leave --force" on it, then join the swarm again.';

/** Raft timing: 100 ms ticks, elections after 1-2 s of silence (Swarm's default takes about 10 s). */
const TICK_MS = 100;
const ELECTION_TICKS = 10;
/** How long a follower waits for an election to name a leader before answering "no leader": longer than one election (1-2 s). */
const LEADER_WAIT_MS = 3_000;
/** Bound on a manager leaving the Raft group: handing leadership over, then the leader removing it. */
const LEAVE_TIMEOUT_MS = 10_000;
/** Raft snapshot interval until the cluster object says otherwise (ClusterSpec.raft.snapshotInterval). */
const DEFAULT_SNAPSHOT_INTERVAL = 10_000;

/** How a manager starts. */
export interface ManagerOptions {
  dataRoot: string;
  nodeId: string;
  clusterId: string;
  raftId: number;
  /** This manager's address for other managers and nodes (host:port). */
  advertiseAddr: string;
  tls: TlsMaterial;
  log: Logger;
  /** A brand-new cluster: bootstrap Raft with this node alone and write these objects once leading. */
  bootstrap?: { objects: StoreAction[] } | undefined;
  /** Disaster recovery (`swarm init --force-new-cluster`): keep this member's committed state and become the only voter. */
  forceNewCluster?: boolean | undefined;
  /** Known Raft members, for a manager joining an existing cluster (its store is empty until it catches up). */
  peers?: readonly { raftId: number; nodeId: string; addr: string }[] | undefined;
}

/**
 * One manager: the Raft member, the store it drives, and (while leading)
 * the dispatcher, orchestrators and scheduler. Serves Control (forwarding
 * to the leader when it is not), Raft, CA and Dispatcher on the node's
 * TCP server.
 */
export class Manager {
  readonly store = new MemoryStore();
  private raft!: RaftNode;
  private storage!: LevelStorage;
  private transport!: GrpcTransport;
  /** Seals secrets before they reach Raft and opens them for the dispatcher; the data key stays in memory. */
  private readonly keyring = new SecretKeyring(randomBytes);
  /**
   * Opened secrets by their (immutable) stored object, so the dispatcher's per-node
   * recomputation does not decrypt each time; an entry goes when its object leaves the store.
   */
  private readonly openedSecrets = new WeakMap<Secret, Secret>();
  private leading: { dispatcher: Dispatcher; view: StoreDispatcherView; orchestrator: OrchestratorLoop; scheduler: SchedulerLoop; allocator: AllocatorLoop; broker: LogBroker; term: { over: boolean } } | undefined;
  /** Control's allocating writes (networks, service endpoints) run one at a time. */
  private readonly allocationWrites = new Serializer();
  private readonly dispatcherHandlers: Handlers<typeof DispatcherService>;
  private leaderClients = new Map<string, RpcClient<typeof ControlService>>();
  /** The Control API on this manager: served here when leading, forwarded to the leader otherwise. */
  readonly control: Handlers<typeof ControlService>;
  /** The Logs service (the broker lives on the leader). */
  readonly logs: Handlers<typeof LogsService> = logsHandlers(() => this.leading?.broker);
  private bootstrapPending: StoreAction[] | undefined;
  /** After a forced new cluster: the other managers' nodes become workers once this manager leads. */
  private forcedDemotionsPending: boolean;
  private stopRoleWatch: (() => void) | undefined;
  private reconcilingRoles = false;
  private stopped = false;

  private constructor(private readonly options: ManagerOptions) {
    // A new cluster starts with its ingress network, in the same batch as the cluster object.
    this.bootstrapPending = options.bootstrap ? withIngressNetwork(options.bootstrap.objects, newObjectId) : undefined;
    this.forcedDemotionsPending = options.forceNewCluster === true;
    // Dispatcher calls reach whichever Dispatcher leads now; others are refused.
    // Async, so the refusal is a rejected promise the server answers with: a synchronous
    // throw would escape grpc-js and leave the agent's session stream hanging unanswered.
    const route = <K extends keyof Handlers<typeof DispatcherService>>(name: K): Handlers<typeof DispatcherService>[K] =>
      (async (...args: unknown[]) => {
        const d = this.leading?.dispatcher;
        if (!d) {
          // Name the leader: an agent whose list of managers is stale still finds it through any manager.
          const leader = this.leaderAddr();
          throw new RpcError('unavailable', leader && !this.isLeader() ? `${NOT_LEADER_PREFIX}${leader}` : 'this manager is not the leader; try another manager');
        }
        return (d.handlers()[name] as (...a: unknown[]) => Promise<unknown>)(...args);
      }) as Handlers<typeof DispatcherService>[K];
    this.control = this.controlRouter();
    this.dispatcherHandlers = { session: route('session'), heartbeat: route('heartbeat'), updateTaskStatus: route('updateTaskStatus'), assignments: route('assignments') };
  }

  /** Opens the Raft data under the data root and starts the member. */
  static async start(options: ManagerOptions, server: RpcServer): Promise<Manager> {
    const manager = new Manager(options);
    await manager.startRaft();
    manager.register(server);
    return manager;
  }

  private async startRaft(): Promise<void> {
    const { options } = this;
    const opened = await LevelStorage.open(join(options.dataRoot, 'raft'), options.clusterId, options.raftId);
    if (!opened.ok) throw new Error(describeStorageError(opened.error));
    this.storage = opened.value;
    this.transport = new GrpcTransport({
      selfId: options.raftId,
      clusterId: options.clusterId,
      logger: options.log.child({ component: 'raft-transport' }),
      tls: options.tls,
      identify: (peer) => (peer.kind === 'node' ? this.raftIdOf(peer.nodeId) : undefined),
    });
    for (const p of options.peers ?? []) if (p.raftId !== options.raftId) this.transport.setPeer(p.raftId, p.addr);
    this.store.watch((changes) => {
      for (const e of changes.events) if (e.kind === 'node') this.syncPeer(e.action === 'remove' ? undefined : e.object, e.object.id);
    });
    this.raft = await RaftNode.start({
      id: options.raftId,
      storage: this.storage,
      transport: this.transport,
      stateMachine: new StoreStateMachine(this.store),
      logger: options.log.child({ component: 'raft' }),
      random: seededRandom(randomInt(2 ** 31)),
      tickMs: TICK_MS,
      core: { electionTicks: ELECTION_TICKS, heartbeatTicks: 1 },
      bootstrapVoters: options.bootstrap ? [options.raftId] : undefined,
      snapshotEveryEntries: () => this.store.list('cluster')[0]?.spec?.raft?.snapshotInterval || DEFAULT_SNAPSHOT_INTERVAL,
      forceNewCluster: options.forceNewCluster === true,
      onSoftState: (s) => this.onSoftState(s),
      onFatal: (e) => {
        options.log.fatal({ err: e }, 'raft storage failed; the manager stops');
        process.exitCode = 1;
      },
    });
    for (const n of this.store.list('node')) this.syncPeer(n, n.id);
  }

  private register(server: RpcServer): void {
    const view: MembershipView = { clusterId: () => this.options.clusterId, nodeExists: (id) => this.store.get('node', id) !== undefined || id === this.options.nodeId || (this.store.appliedIndex === 0 && this.options.peers?.some((p) => p.nodeId === id) === true) };
    server.addService(ControlService, this.control, managersOnly(view));
    server.addService(DispatcherService, this.dispatcherHandlers, membersOnly(view));
    server.addService(LogsService, this.logs, logsAuthorizer(view));
    server.addService(CAService, caHandlers({
      store: { cluster: () => this.store.list('cluster')[0], node: (id) => this.store.get('node', id) },
      newNodeId: () => newObjectId(),
      registerNode: async (n) => {
        const node: Node = { id: n.nodeId, role: n.role, spec: { desiredRole: n.role, availability: n.availability, annotations: { name: '', labels: {} } }, status: { state: 'UNKNOWN', message: '', addr: n.advertiseAddr }, dataPathAddr: '', attachments: [] };
        const result = await this.propose([{ kind: 'CREATE', object: { node } }]);
        if (!result.ok) throw new RpcError('internal', `registering node ${n.nodeId} failed: ${result.error.message}`);
      },
    }), caAuthorizer(view));
    server.addService(RaftService, {
      streamMessages: this.transport.streamHandler((m) => this.raft.step(m), (from) => this.raft.peerStreamClosed(from)),
      join: (req, ctx) => this.joinRaft(req, ctx),
      leave: (req, ctx) => this.leaveRaftFor(req, ctx),
    }, managersOnly(view));
  }

  /**
   * Raft.Join on the leader: a manager node (its certificate says so) asks
   * for a Raft ID and is added as a learner; once it has caught up it asks
   * again with `promote` and becomes a voter. Followers forward to the leader.
   */
  private async joinRaft(req: JoinRaftRequest, ctx: CallContext): Promise<JoinRaftResponse> {
    if (ctx.peer.kind !== 'node' || ctx.peer.nodeId !== req.nodeId) throw new RpcError('permission-denied', 'a node may only join Raft as itself');
    if (!this.isLeader()) return this.viaLeader((addr) => this.withRaftClient(addr, (c) => c.join(req, { deadlineMs: 15_000 })), () => this.joinRaft(req, ctx));
    let raftId = 0;
    for (let attempt = 0; attempt < 5 && !raftId; attempt++) {
      const node = this.store.get('node', req.nodeId);
      if (!node || node.spec?.desiredRole !== 'MANAGER') throw new RpcError('failed-precondition', `node ${req.nodeId} is not a manager of this swarm`);
      if (node.managerStatus?.raftId) {
        raftId = node.managerStatus.raftId;
        break;
      }
      const candidate = randomInt(1, 2 ** 31);
      const result = await this.propose([{ kind: 'UPDATE', object: { node: { ...node, role: 'MANAGER', managerStatus: { raftId: candidate, addr: req.addr, leader: false, reachability: 'REACHABLE' } } } }]);
      if (result.ok) raftId = candidate;
    }
    if (!raftId) throw new RpcError('unavailable', 'could not record the new manager (the store kept changing); retry');
    const conf = this.raft.confState();
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
    const members = this.store.list('node').flatMap((n) => (n.managerStatus?.raftId ? [{ raftId: n.managerStatus.raftId, nodeId: n.id, addr: n.managerStatus.addr }] : []));
    return { raftId, members, removed: [], commitIndex: this.raft.status().commit };
  }

  /**
   * Raft.Leave on the leader: a manager leaving the swarm (`swarm leave
   * --force`) asks to be removed from the Raft group; its node record stays,
   * as a worker's, until `node rm`. Followers forward to the leader.
   */
  private async leaveRaftFor(req: LeaveRaftRequest, ctx: CallContext): Promise<LeaveRaftResponse> {
    if (ctx.peer.kind !== 'node' || !req.raftId || this.raftIdOf(ctx.peer.nodeId) !== req.raftId) throw new RpcError('permission-denied', 'a manager may only take itself out of Raft');
    const nodeId = ctx.peer.nodeId;
    if (!this.isLeader()) return this.viaLeader((addr) => this.withRaftClient(addr, (c) => c.leave(req, { deadlineMs: LEAVE_TIMEOUT_MS })), () => this.leaveRaftFor(req, ctx));
    if (req.raftId === this.options.raftId) throw new RpcError('failed-precondition', 'the leader cannot remove itself from Raft: it hands leadership over first');
    await this.removeFromRaft(nodeId, req.raftId);
    return {};
  }

  /**
   * `swarm leave --force` on this manager: hand leadership over if leading,
   * then have the leader remove this member, so the others keep a quorum
   * that counts only live managers. Bounded; says how it ended.
   */
  async leaveRaft(): Promise<'left' | 'last' | 'removed' | 'failed'> {
    const self = this.options.raftId;
    if (this.raft.status().removed) return 'removed';
    const others = this.raft.confState().voters.filter((v) => v !== self);
    if (others.length === 0) return 'last';
    const deadline = Date.now() + LEAVE_TIMEOUT_MS;
    const log = this.options.log.child({ component: 'leave' });
    while (Date.now() < deadline) {
      try {
        if (this.isLeader()) {
          // Prefer a voter whose node is connected: it is alive and likely caught up.
          const connected = new Set(this.leading?.dispatcher.connectedNodes() ?? []);
          const ranked = [...others].sort((a, b) => Number(connected.has(this.nodeIdOf(b) ?? '')) - Number(connected.has(this.nodeIdOf(a) ?? '')));
          await this.raft.transferLeadership(ranked[0] ?? others[0] ?? self);
          await sleep(300);
          continue;
        }
        const addr = this.leaderAddr();
        if (addr) {
          await this.withRaftClient(addr, (c) => c.leave({ raftId: self }, { deadlineMs: Math.max(1_000, deadline - Date.now()) }));
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
   * One membership change, waiting its turn: Raft takes one at a time, so
   * `node promote h2 h3` (or demote) has the second change refused as busy
   * while the first is applied, and a new leader takes none until its first
   * entry is applied. Those refusals are retried until the deadline.
   */
  private async changeMembership(change: Parameters<RaftNode['proposeConfChange']>[0], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.raft.proposeConfChange(change, Math.max(1_000, deadline - Date.now()));
        return;
      } catch (error) {
        if (!(error instanceof RaftNodeError && error.kind === 'busy') || Date.now() + 100 > deadline) throw error;
        await sleep(100);
      }
    }
  }

  /** Takes a member out of the Raft group and records its node as a worker's. */
  private async removeFromRaft(nodeId: string, raftId: number): Promise<void> {
    const conf = this.raft.confState();
    if (conf.voters.includes(raftId) || conf.learners.includes(raftId)) {
      try {
        await this.changeMembership({ type: 'REMOVE', nodeId: raftId, context: new Uint8Array() }, LEAVE_TIMEOUT_MS);
      } catch (error) {
        throw raftFailure(error);
      }
    }
    const current = this.store.get('node', nodeId);
    if (current) {
      const spec = current.spec && { ...current.spec, desiredRole: 'WORKER' as const };
      const result = await this.propose([{ kind: 'UPDATE', object: { node: { ...current, role: 'WORKER', spec, managerStatus: undefined } } }]);
      if (!result.ok) throw new RpcError('unavailable', `removed from Raft, but recording node ${nodeId} as a worker failed: ${result.error.message}; retry`);
    }
    this.transport.removePeer(raftId);
    this.options.log.info({ nodeId, raftId }, 'manager removed from the Raft group');
  }

  /**
   * `node rm --force` of a manager (on the leader): only one that is gone
   * (no session with the dispatcher) is taken out of Raft; a live one is
   * demoted first, as Docker asks.
   */
  private async removeManager(nodeId: string): Promise<void> {
    const node = this.store.get('node', nodeId);
    const name = node?.description?.hostname || nodeId;
    if (nodeId === this.options.nodeId) throw new RpcError('failed-precondition', `node ${name} is the leader: run "shoal node rm" from another manager once it is down, or "shoal swarm leave --force" on it`);
    if (this.leading?.dispatcher.connectedNodes().includes(nodeId)) {
      throw new RpcError('failed-precondition', `node ${name} is a manager that is still reachable: demote it first ("shoal node demote ${name}"), then remove it`);
    }
    const raftId = node?.managerStatus?.raftId;
    if (!raftId) return;
    // Never take the quorum away: the voters left must have a majority that is alive (has a session).
    const conf = this.raft.confState();
    const voters = conf.voters.filter((v) => v !== raftId);
    const connected = new Set(this.leading?.dispatcher.connectedNodes() ?? []);
    const live = voters.filter((v) => v === this.options.raftId || connected.has(this.nodeIdOf(v) ?? '')).length;
    if (conf.voters.includes(raftId) && live < Math.floor(voters.length / 2) + 1) {
      throw new RpcError('failed-precondition', `removing node ${name} would leave ${live} reachable managers out of ${voters.length}, too few for a quorum: bring managers back first`);
    }
    await this.removeFromRaft(nodeId, raftId);
  }

  /**
   * After a forced new cluster every other manager is out of Raft: their
   * nodes become workers (their daemons follow when they come back) and
   * can be promoted again.
   */
  private async demoteFormerManagers(log: Logger): Promise<void> {
    const actions: StoreAction[] = this.store
      .list('node')
      .filter((n) => n.id !== this.options.nodeId && (n.spec?.desiredRole === 'MANAGER' || n.managerStatus))
      .map((n) => ({ kind: 'UPDATE', object: { node: { ...n, role: 'WORKER', spec: n.spec && { ...n.spec, desiredRole: 'WORKER' as const }, managerStatus: undefined } } }));
    if (actions.length === 0) return;
    const result = await this.propose(actions).catch((error: unknown) => ({ ok: false as const, error: { kind: 'invalid' as const, message: String(error) } }));
    if (result.ok) log.warn({ nodes: actions.length }, 'forced a new cluster: the other managers are workers now; promote nodes to add managers again');
    else log.error({ error: result.error }, 'recording the former managers as workers failed');
  }

  private nodeIdOf(raftId: number): string | undefined {
    if (raftId === this.options.raftId) return this.options.nodeId;
    return this.store.list('node').find((n) => n.managerStatus?.raftId === raftId)?.id;
  }

  private async withRaftClient<T>(addr: string, fn: (client: RpcClient<typeof RaftService>) => Promise<T>): Promise<T> {
    const client = createClient(RaftService, addr, { tls: this.options.tls, expect: { role: MANAGER_ROLE } });
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  /**
   * Runs a call on the leader: here when leading, else sent to the leader,
   * waiting out an election (bounded by LEADER_WAIT_MS) while no leader is
   * known or the known one cannot be reached. A call the leader may have
   * received is never sent twice; transport failures are reworded so they
   * cannot pass for a failure of the caller's own connection.
   */
  private async viaLeader<T>(remote: (addr: string) => Promise<T>, local: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    let unreachable: string | undefined;
    for (;;) {
      if (this.raft.status().removed) throw new RpcError('failed-precondition', REMOVED_MANAGER);
      if (this.isLeader()) return local();
      const addr = this.leaderAddr();
      if (addr && addr !== unreachable) {
        try {
          return await remote(addr);
        } catch (error) {
          const e = RpcError.from(error);
          const failure = classifyForwardFailure(e);
          if (failure === 'answer') throw e;
          if (failure === 'cut') throw new RpcError('unavailable', `the leader (${addr}) stopped answering during the call, so it may or may not have taken effect: check, then retry if needed`);
          unreachable = addr;
          // A fresh channel next time: grpc-js would otherwise back off reconnecting for up to two minutes.
          this.leaderClients.get(addr)?.close();
          this.leaderClients.delete(addr);
        }
      }
      if (Date.now() >= deadline) throw new RpcError('unavailable', NO_LEADER);
      await sleep(100);
    }
  }

  /**
   * The leader's role manager: a manager node demoted to worker is removed
   * from the Raft group and loses its manager status (its own daemon then
   * renews its certificate and stops its manager). A leader being demoted
   * first hands leadership to another voter, whose role manager finishes.
   */
  private async reconcileRoles(): Promise<void> {
    if (this.reconcilingRoles || !this.leading) return;
    this.reconcilingRoles = true;
    try {
      for (const node of this.store.list('node')) {
        const raftId = node.managerStatus?.raftId;
        if (!raftId || node.spec?.desiredRole !== 'WORKER') continue;
        if (raftId === this.options.raftId) {
          const successor = this.raft.confState().voters.find((v) => v !== raftId);
          if (successor) await this.raft.transferLeadership(successor).catch((error: unknown) => this.options.log.warn({ err: error }, 'handing over leadership before demotion failed'));
          return;
        }
        const conf = this.raft.confState();
        if (conf.voters.includes(raftId) || conf.learners.includes(raftId)) {
          await this.changeMembership({ type: 'REMOVE', nodeId: raftId, context: new Uint8Array() }, 10_000);
        }
        const current = this.store.get('node', node.id);
        if (current) await this.propose([{ kind: 'UPDATE', object: { node: { ...current, managerStatus: undefined, role: 'WORKER' } } }]);
        this.transport.removePeer(raftId);
        this.options.log.info({ nodeId: node.id, raftId }, 'demoted manager removed from the Raft group');
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'reconciling manager roles failed; will retry on the next change');
    } finally {
      this.reconcilingRoles = false;
    }
  }

  /** Managers the leader reaches and does not reach, this one included (for `swarm leave`'s quorum warning). */
  async managerCounts(): Promise<{ reachable: number; unreachable: number }> {
    const ctx: CallContext = { peer: { kind: 'local' }, method: 'ListNodes', address: '', signal: new AbortController().signal };
    const { nodes } = await this.control.listNodes(codec.ListNodesRequest.fromPartial({}), ctx);
    const managers = nodes.filter((n) => n.managerStatus);
    const reachable = managers.filter((n) => n.managerStatus?.reachability === 'REACHABLE').length;
    return { reachable, unreachable: managers.length - reachable };
  }

  /** How far this member has applied the log. */
  appliedIndex(): number {
    return this.raft.status().applied;
  }

  /** Is this manager the Raft leader right now? */
  isLeader(): boolean {
    return this.raft.status().role === 'leader';
  }

  /** The leader's address (host:port), if one is known. */
  leaderAddr(): string | undefined {
    const leaderId = this.raft.status().leaderId;
    if (!leaderId) return undefined;
    if (leaderId === this.options.raftId) return this.options.advertiseAddr;
    return this.store.list('node').find((n) => n.managerStatus?.raftId === leaderId)?.managerStatus?.addr;
  }

  /** Addresses of every manager, for agents to fail over between. */
  managerAddrs(): string[] {
    const addrs = this.store.list('node').flatMap((n) => (n.managerStatus?.addr ? [n.managerStatus.addr] : []));
    return addrs.length > 0 ? addrs : [this.options.advertiseAddr];
  }

  /** Proposes one store batch; resolves with how the store applied it. */
  async propose(actions: StoreAction[]): Promise<ApplyResult> {
    const batch = { proposalId: randomUUID(), proposedAtMs: Date.now(), actions };
    try {
      return (await this.raft.propose(encodeBatch(batch))) as ApplyResult;
    } catch (error) {
      throw raftFailure(error);
    }
  }

  /** Stops leading, the Raft member and the transport. Tasks and data stay. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopLeading();
    await this.raft.stop();
    this.transport.close();
    for (const c of this.leaderClients.values()) c.close();
    await this.storage.close();
  }

  private raftIdOf(nodeId: string): number | undefined {
    if (nodeId === this.options.nodeId) return this.options.raftId;
    // Until a joining manager has caught up, its store does not know the others: the join answer does.
    return this.store.get('node', nodeId)?.managerStatus?.raftId || this.options.peers?.find((p) => p.nodeId === nodeId)?.raftId || undefined;
  }

  private syncPeer(node: Node | undefined, nodeId: string): void {
    if (nodeId === this.options.nodeId) return;
    const status = node?.managerStatus;
    if (status?.raftId && status.addr) this.transport.setPeer(status.raftId, status.addr);
  }

  private onSoftState(s: SoftState): void {
    if (this.stopped) return;
    if (s.role === 'leader' && !this.leading) void this.startLeading();
    else if (s.role !== 'leader' && this.leading) this.stopLeading();
  }

  private async startLeading(): Promise<void> {
    const log = this.options.log.child({ component: 'leader' });
    log.info('this manager is now the leader');
    if (this.bootstrapPending) {
      const objects = this.bootstrapPending;
      this.bootstrapPending = undefined;
      const result = await this.propose(objects).catch((error: unknown) => ({ ok: false as const, error: { kind: 'invalid' as const, message: String(error) } }));
      if (!result.ok) log.error({ error: result.error }, 'writing the new cluster\'s first objects failed');
    }
    if (this.forcedDemotionsPending) {
      this.forcedDemotionsPending = false;
      await this.demoteFormerManagers(log);
    }
    if (!this.isLeader() || this.leading) return;
    const propose = (actions: StoreAction[]): Promise<ApplyResult> => this.propose(actions);
    const view = new StoreDispatcherView(this.store, () => this.managerAddrs(), (sealed) => this.openSecret(sealed));
    const term = { over: false };
    const dispatcher = new Dispatcher(view, whileLeading(statusWriter(propose), term), systemClock, tcpLivenessProbe, this.options.log.child({ component: 'dispatcher' }));
    const orchestrator = new OrchestratorLoop(this.store, propose, systemLoopClock, { newId: newObjectId, isNodeEligible: nodeSatisfiesPlacement }, this.options.log.child({ component: 'orchestrator' }));
    const scheduler = new SchedulerLoop(this.store, propose, systemLoopClock, this.options.log.child({ component: 'scheduler' }));
    const allocator = new AllocatorLoop(this.store, propose, systemLoopClock, this.options.log.child({ component: 'allocator' }), (fn) => this.allocationWrites.run(fn));
    const broker = new LogBroker(
      {
        tasksOfService: (id) => this.store.tasksOfService(id),
        task: (id) => this.store.get('task', id),
        nodeName: (id) => this.store.get('node', id)?.description?.hostname || id,
      },
      this.options.log.child({ component: 'logs' }),
    );
    this.leading = { dispatcher, view, orchestrator, scheduler, allocator, broker, term };
    allocator.start();
    orchestrator.start();
    scheduler.start();
    dispatcher.expectNodes(this.store.list('node').filter((n) => n.status?.state !== 'DOWN').map((n) => n.id));
    // Demotions: a node whose desired role became worker leaves the Raft group.
    const unwatchRoles = this.store.watch((changes) => {
      if (changes.events.some((e) => e.kind === 'node')) void this.reconcileRoles();
    });
    this.stopRoleWatch = unwatchRoles;
    void this.reconcileRoles();
  }

  private stopLeading(): void {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.stopRoleWatch?.();
    this.stopRoleWatch = undefined;
    this.options.log.info('this manager is no longer the leader');
    leading.term.over = true;
    leading.dispatcher.stop();
    leading.view.close();
    leading.orchestrator.stop();
    leading.scheduler.stop();
    leading.allocator.stop();
  }

  /** Control on this manager: handled here when leading, forwarded to the leader otherwise. */
  private controlRouter(): Handlers<typeof ControlService> {
    const local = controlHandlers(this.controlDeps());
    const routed: Record<string, unknown> = {};
    for (const name of Object.keys(ControlService) as (keyof typeof ControlService)[]) {
      routed[name] = (req: unknown, ctx: unknown) =>
        this.viaLeader(
          (addr) => (this.leaderClient(addr)[name] as (r: unknown) => Promise<unknown>)(req),
          () => (local[name] as (r: unknown, c: unknown) => Promise<unknown>)(req, ctx),
        );
    }
    return routed as unknown as Handlers<typeof ControlService>;
  }

  private leaderClient(addr: string): RpcClient<typeof ControlService> {
    let client = this.leaderClients.get(addr);
    if (!client) this.leaderClients.set(addr, (client = createClient(ControlService, addr, { tls: this.options.tls, expect: { role: MANAGER_ROLE } })));
    return client;
  }

  /** A stored secret opened for the dispatcher; failures are logged by ID only, never with data. */
  private openSecret(sealed: Secret): Secret | undefined {
    const cached = this.openedSecrets.get(sealed);
    if (cached) return cached;
    try {
      const opened = this.keyring.open(this.store.list('cluster')[0], sealed);
      this.openedSecrets.set(sealed, opened);
      return opened;
    } catch (error) {
      this.options.log.error({ secretId: sealed.id, error: (error as Error).message }, 'cannot open a secret for a node; tasks using it will wait');
      return undefined;
    }
  }

  private controlDeps(): ControlDeps {
    return {
      store: this.store,
      keyring: this.keyring,
      propose: (actions) => this.propose(actions),
      readBarrier: async () => {
        try {
          await this.raft.readIndex(5_000);
        } catch (error) {
          throw raftFailure(error);
        }
      },
      newId: newObjectId,
      randomName: randomServiceName,
      allocation: () => (this.leading ? { book: this.leading.allocator.book, exclusive: (fn) => this.allocationWrites.run(fn) } : undefined),
      nowMs: () => Date.now(),
      managerStatus: (nodeId) => {
        const node = this.store.get('node', nodeId);
        const raftId = nodeId === this.options.nodeId ? this.options.raftId : node?.managerStatus?.raftId;
        if (!raftId) return undefined;
        const leaderId = this.raft.status().leaderId;
        const connected = nodeId === this.options.nodeId || this.leading?.dispatcher.connectedNodes().includes(nodeId) === true;
        return { raftId, leader: raftId === leaderId, reachable: connected, addr: node?.managerStatus?.addr ?? this.options.advertiseAddr };
      },
      validatePlacement: (constraints, preferences) => {
        const parsed = validatePlacement({ constraints: [...constraints], preferences: preferences.map((p) => ({ spreadDescriptor: p })), platforms: [], maxReplicas: 0, strategy: 'SPREAD' });
        return parsed.ok ? undefined : parsed.error.message;
      },
      removeManager: (nodeId) => this.removeManager(nodeId),
      newJoinToken: () => {
        const cluster = this.store.list('cluster')[0];
        return generateJoinToken(caDigest(cluster?.rootCa?.caCertPem ?? ''));
      },
    };
  }
}

/**
 * The dispatcher's writer for one term of leadership: once it ended, its
 * batched reports are dropped instead of failing (and being retried) forever;
 * agents report their statuses again to the next leader.
 */
function whileLeading(writer: DispatcherWriter, term: { over: boolean }): DispatcherWriter {
  return {
    setNodeStatuses: (updates) => (term.over ? Promise.resolve() : writer.setNodeStatuses(updates)),
    setTaskStatuses: (updates) => (term.over ? Promise.resolve() : writer.setTaskStatuses(updates)),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A Docker-style 25-character object ID. */
export function newObjectId(): string {
  return objectIdFromBytes(randomBytes(32));
}

/** Raft's failures as the Control API reports them. */
function raftFailure(error: unknown): RpcError {
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
