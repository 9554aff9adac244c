import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CAService, ControlService, DispatcherService, LogsService, RaftService, type JoinRaftRequest, type JoinRaftResponse, type Node, type StoreAction } from '../gen/index.js';
import { objectIdFromBytes } from '../common/ids.js';
import { createClient, RpcError, type CallContext, type Handlers, type RpcClient, type RpcServer, type TlsMaterial } from '../rpc/index.js';
import { LevelStorage, RaftNode, RaftNodeError, describeStorageError, seededRandom, type SoftState } from '../raft/index.js';
import { GrpcTransport } from '../raft/transport-grpc.js';
import { nodeSatisfiesPlacement, validatePlacement } from '../scheduler/index.js';
import { caDigest, caHandlers, generateJoinToken, MANAGER_ROLE } from './ca/index.js';
import { controlHandlers, type ControlDeps } from './control/index.js';
import { Dispatcher, realTimers } from './dispatcher/index.js';
import { caAuthorizer, logsAuthorizer, managersOnly, membersOnly, type MembershipView } from './authorize.js';
import { LogBroker, logsHandlers } from './logs/index.js';
import { StoreDispatcherView } from './leader/dispatcher-view.js';
import { OrchestratorLoop } from './leader/orchestrator-loop.js';
import { systemLoopClock } from './leader/ports.js';
import { SchedulerLoop } from './leader/scheduler-loop.js';
import { statusWriter } from './leader/status-writer.js';
import { StoreStateMachine } from './state-machine.js';
import { encodeBatch, MemoryStore, type ApplyResult } from './store/index.js';
import { randomServiceName } from './names.js';

/** Docker's words when no leader can be found. */
export const NO_LEADER = 'The swarm does not have a leader. It\'s possible that too few managers are online. Make sure more than half of the managers are online: restore quorum, or run "shoal swarm init --force-new-cluster" on a surviving manager.';

/** Raft timing: 100 ms ticks, elections after 1-2 s of silence (Swarm's default takes about 10 s). */
const TICK_MS = 100;
const ELECTION_TICKS = 10;

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
  private leading: { dispatcher: Dispatcher; view: StoreDispatcherView; orchestrator: OrchestratorLoop; scheduler: SchedulerLoop; broker: LogBroker } | undefined;
  private readonly dispatcherHandlers: Handlers<typeof DispatcherService>;
  private leaderClients = new Map<string, RpcClient<typeof ControlService>>();
  /** The Control API on this manager: served here when leading, forwarded to the leader otherwise. */
  readonly control: Handlers<typeof ControlService>;
  /** The Logs service (the broker lives on the leader). */
  readonly logs: Handlers<typeof LogsService> = logsHandlers(() => this.leading?.broker);
  private bootstrapPending: StoreAction[] | undefined;
  private stopRoleWatch: (() => void) | undefined;
  private reconcilingRoles = false;
  private stopped = false;

  private constructor(private readonly options: ManagerOptions) {
    this.bootstrapPending = options.bootstrap?.objects;
    // Dispatcher calls reach whichever Dispatcher leads now; others are refused.
    const route = <K extends keyof Handlers<typeof DispatcherService>>(name: K): Handlers<typeof DispatcherService>[K] =>
      ((...args: unknown[]) => {
        const d = this.leading?.dispatcher;
        if (!d) throw new RpcError('unavailable', 'this manager is not the leader; try another manager');
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
        const node: Node = { id: n.nodeId, role: n.role, spec: { desiredRole: n.role, availability: n.availability, annotations: { name: '', labels: {} } }, status: { state: 'UNKNOWN', message: '', addr: n.advertiseAddr }, dataPathAddr: '' };
        const result = await this.propose([{ kind: 'CREATE', object: { node } }]);
        if (!result.ok) throw new RpcError('internal', `registering node ${n.nodeId} failed: ${result.error.message}`);
      },
    }), caAuthorizer(view));
    server.addService(RaftService, {
      streamMessages: this.transport.streamHandler((m) => this.raft.step(m), (from) => this.raft.peerStreamClosed(from)),
      join: (req, ctx) => this.joinRaft(req, ctx),
      leave: async () => {
        throw new RpcError('unimplemented', 'leaving the Raft group is not built yet (issue #5): demote the node instead');
      },
    }, managersOnly(view));
  }

  /**
   * Raft.Join on the leader: a manager node (its certificate says so) asks
   * for a Raft ID and is added as a learner; once it has caught up it asks
   * again with `promote` and becomes a voter. Followers forward to the leader.
   */
  private async joinRaft(req: JoinRaftRequest, ctx: CallContext): Promise<JoinRaftResponse> {
    if (ctx.peer.kind !== 'node' || ctx.peer.nodeId !== req.nodeId) throw new RpcError('permission-denied', 'a node may only join Raft as itself');
    if (!this.isLeader()) {
      const addr = this.leaderAddr();
      if (!addr) throw new RpcError('unavailable', NO_LEADER);
      const client = createClient(RaftService, addr, { tls: this.options.tls, expect: { role: MANAGER_ROLE } });
      try {
        return await client.join(req, { deadlineMs: 15_000 });
      } finally {
        client.close();
      }
    }
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
        if (!conf.voters.includes(raftId)) await this.raft.proposeConfChange({ type: 'PROMOTE', nodeId: raftId, context }, 10_000);
      } else if (!conf.voters.includes(raftId) && !conf.learners.includes(raftId)) {
        await this.raft.proposeConfChange({ type: 'ADD_LEARNER', nodeId: raftId, context }, 10_000);
      }
    } catch (error) {
      throw raftFailure(error);
    }
    const members = this.store.list('node').flatMap((n) => (n.managerStatus?.raftId ? [{ raftId: n.managerStatus.raftId, nodeId: n.id, addr: n.managerStatus.addr }] : []));
    return { raftId, members, removed: [], commitIndex: this.raft.status().commit };
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
          await this.raft.proposeConfChange({ type: 'REMOVE', nodeId: raftId, context: new Uint8Array() }, 10_000);
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
    if (!this.isLeader() || this.leading) return;
    const propose = (actions: StoreAction[]): Promise<ApplyResult> => this.propose(actions);
    const view = new StoreDispatcherView(this.store, () => this.managerAddrs());
    const dispatcher = new Dispatcher(view, statusWriter(propose), realTimers, this.options.log.child({ component: 'dispatcher' }));
    const orchestrator = new OrchestratorLoop(this.store, propose, systemLoopClock, { newId: newObjectId, isNodeEligible: nodeSatisfiesPlacement }, this.options.log.child({ component: 'orchestrator' }));
    const scheduler = new SchedulerLoop(this.store, propose, systemLoopClock, this.options.log.child({ component: 'scheduler' }));
    const broker = new LogBroker(
      {
        tasksOfService: (id) => this.store.tasksOfService(id),
        task: (id) => this.store.get('task', id),
        nodeName: (id) => this.store.get('node', id)?.description?.hostname || id,
      },
      this.options.log.child({ component: 'logs' }),
    );
    this.leading = { dispatcher, view, orchestrator, scheduler, broker };
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
    leading.dispatcher.stop();
    leading.view.close();
    leading.orchestrator.stop();
    leading.scheduler.stop();
  }

  /** Control on this manager: handled here when leading, forwarded to the leader otherwise. */
  private controlRouter(): Handlers<typeof ControlService> {
    const local = controlHandlers(this.controlDeps());
    const routed: Record<string, unknown> = {};
    for (const name of Object.keys(ControlService) as (keyof typeof ControlService)[]) {
      routed[name] = async (req: unknown, ctx: unknown) => {
        if (this.isLeader()) return (local[name] as (r: unknown, c: unknown) => Promise<unknown>)(req, ctx);
        const addr = this.leaderAddr();
        if (!addr) throw new RpcError('unavailable', NO_LEADER);
        let client = this.leaderClients.get(addr);
        if (!client) this.leaderClients.set(addr, (client = createClient(ControlService, addr, { tls: this.options.tls, expect: { role: MANAGER_ROLE } })));
        return (client[name] as (r: unknown) => Promise<unknown>)(req);
      };
    }
    return routed as unknown as Handlers<typeof ControlService>;
  }

  private controlDeps(): ControlDeps {
    return {
      store: this.store,
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
      removeManager: async () => {
        throw new RpcError('unimplemented', 'removing a manager from Raft is not built yet (issue #5): demote it first');
      },
      newJoinToken: () => {
        const cluster = this.store.list('cluster')[0];
        return generateJoinToken(caDigest(cluster?.rootCa?.caCertPem ?? ''));
      },
    };
  }
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
