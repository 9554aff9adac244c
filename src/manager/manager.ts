import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CAService, codec, ControlService, DispatcherService, LogsService, RaftService, type Node, type StoreAction } from '../gen/index.js';
import { RpcError, type CallContext, type Handlers, type RpcServer, type TlsMaterial } from '../rpc/index.js';
import { GrpcTransport, LevelStorage, RaftNode, describeStorageError, seededRandom } from '../raft/index.js';
import { caAuthorizer, logsAuthorizer, managersOnly, membersOnly, type MembershipView } from './authorize.js';
import { caHandlers } from './ca/index.js';
import { raftTimingOf } from './cluster-defaults.js';
import { controlDeps, OpenedSecrets } from './control-deps.js';
import { controlHandlers, Serializer } from './control/index.js';
import { withIngressNetwork } from './leader/bootstrap-ingress.js';
import { LeaderForwarder, leaderDispatcher } from './leader-forwarding.js';
import { Leadership } from './leader-term.js';
import { logsHandlers } from './logs/index.js';
import { RaftMembership, type KnownPeer } from './membership.js';
import { newObjectId } from './object-id.js';
import { raftFailure } from './raft-failure.js';
import { SecretKeyring } from './secrets/index.js';
import { StoreStateMachine } from './state-machine.js';
import { encodeBatch, MemoryStore, type ApplyResult } from './store/index.js';

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
  peers?: readonly KnownPeer[] | undefined;
}

/**
 * One manager: the Raft member and the store it drives, wired to its
 * parts: membership (membership.ts), leader forwarding
 * (leader-forwarding.ts), the leader's term (leader-term.ts) and Control
 * (control-deps.ts). Serves Control, Raft, CA, Dispatcher and Logs on the
 * node's TCP server.
 */
export class Manager {
  readonly store = new MemoryStore();
  private raft!: RaftNode;
  private storage!: LevelStorage;
  private transport!: GrpcTransport;
  /** Seals secrets before they reach Raft and opens them for the dispatcher; the data key stays in memory. */
  private readonly keyring = new SecretKeyring(randomBytes);
  private readonly secrets: OpenedSecrets;
  private readonly leadership: Leadership;
  /** Control's allocating writes (networks, service endpoints) run one at a time. */
  private readonly allocationWrites = new Serializer();
  private readonly forwarder: LeaderForwarder;
  private readonly membership: RaftMembership;
  /** The Control API on this manager: served here when leading, forwarded to the leader otherwise. */
  readonly control: Handlers<typeof ControlService>;
  /** The Logs service (the broker lives on the leader). */
  readonly logs: Handlers<typeof LogsService> = logsHandlers(() => this.leadership.current()?.broker);
  private bootstrapPending: StoreAction[] | undefined;
  /** After a forced new cluster: the other managers' nodes become workers once this manager leads. */
  private forcedDemotionsPending: boolean;
  private stopped = false;

  private constructor(private readonly options: ManagerOptions) {
    // A new cluster starts with its ingress network, in the same batch as the cluster object.
    this.bootstrapPending = options.bootstrap ? withIngressNetwork(options.bootstrap.objects, newObjectId) : undefined;
    this.forcedDemotionsPending = options.forceNewCluster === true;
    this.secrets = new OpenedSecrets(this.keyring, this.store, options.log);
    this.forwarder = new LeaderForwarder({ tls: options.tls, isLeader: () => this.isLeader(), leaderAddr: () => this.leaderAddr(), removed: () => this.raft.status().removed });
    const propose = (actions: StoreAction[]): Promise<ApplyResult> => this.propose(actions);
    this.membership = new RaftMembership({
      nodeId: options.nodeId, raftId: options.raftId, peers: options.peers ?? [], store: this.store, propose, forwarder: this.forwarder, log: options.log,
      raft: () => this.raft, transport: () => this.transport,
      isLeader: () => this.isLeader(), leaderAddr: () => this.leaderAddr(), connectedNodes: () => this.leadership.current()?.connectedNodes(),
    });
    this.leadership = new Leadership({
      store: this.store, propose, managerAddrs: () => this.managerAddrs(), openSecret: (sealed) => this.secrets.open(sealed), allocationWrites: this.allocationWrites,
      onNodesChanged: () => void this.membership.reconcileRoles(), log: options.log, isLeader: () => this.isLeader(), firstWrites: (log) => this.firstWrites(log),
    });
    this.control = this.forwarder.controlRouter(controlHandlers(controlDeps({
      nodeId: options.nodeId, raftId: options.raftId, advertiseAddr: options.advertiseAddr, store: this.store, keyring: this.keyring, propose,
      raft: () => this.raft, term: () => this.leadership.current(), removeManager: (nodeId) => this.membership.removeManager(nodeId),
    })));
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
      identify: (peer) => (peer.kind === 'node' ? this.membership.raftIdOf(peer.nodeId) : undefined),
    });
    for (const p of options.peers ?? []) if (p.raftId !== options.raftId) this.transport.setPeer(p.raftId, p.addr);
    this.store.watch((changes) => {
      for (const e of changes.events) if (e.kind === 'node') this.syncPeer(e.action === 'remove' ? undefined : e.object, e.object.id);
    });
    // Timing comes from the cluster spec: the one being bootstrapped, else the defaults it was built from.
    const timing = raftTimingOf(this.bootstrapPending?.find((a) => a.object?.cluster)?.object?.cluster);
    this.raft = await RaftNode.start({
      id: options.raftId,
      storage: this.storage,
      transport: this.transport,
      stateMachine: new StoreStateMachine(this.store),
      logger: options.log.child({ component: 'raft' }),
      random: seededRandom(randomInt(2 ** 31)),
      tickMs: timing.tickMs,
      core: { electionTicks: timing.electionTicks, heartbeatTicks: timing.heartbeatTicks },
      bootstrapVoters: options.bootstrap ? [options.raftId] : undefined,
      snapshotEveryEntries: () => raftTimingOf(this.store.list('cluster')[0]).snapshotIntervalEntries,
      forceNewCluster: options.forceNewCluster === true,
      onSoftState: (s) => this.leadership.follow(s),
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
    server.addService(DispatcherService, leaderDispatcher(() => this.leadership.current()?.dispatcher, { isLeader: () => this.isLeader(), leaderAddr: () => this.leaderAddr() }), membersOnly(view));
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
      join: (req, ctx) => this.membership.joinRaft(req, ctx),
      leave: (req, ctx) => this.membership.leaveRaftFor(req, ctx),
    }, managersOnly(view));
  }

  /** `swarm leave --force` on this manager: leave the Raft group (membership.ts); says how it ended. */
  leaveRaft(): Promise<'left' | 'last' | 'removed' | 'failed'> {
    return this.membership.leaveRaft();
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
    this.leadership.stop();
    await this.raft.stop();
    this.transport.close();
    this.forwarder.close();
    await this.storage.close();
  }

  private syncPeer(node: Node | undefined, nodeId: string): void {
    if (nodeId === this.options.nodeId) return;
    const status = node?.managerStatus;
    if (status?.raftId && status.addr) this.transport.setPeer(status.raftId, status.addr);
  }

  /** What a new leader writes before its loops start: a new cluster's objects, a forced cluster's demotions. */
  private async firstWrites(log: Logger): Promise<void> {
    if (this.bootstrapPending) {
      const objects = this.bootstrapPending;
      this.bootstrapPending = undefined;
      const result = await this.propose(objects).catch((error: unknown) => ({ ok: false as const, error: { kind: 'invalid' as const, message: String(error) } }));
      if (!result.ok) log.error({ error: result.error }, 'writing the new cluster\'s first objects failed');
    }
    if (this.forcedDemotionsPending) {
      this.forcedDemotionsPending = false;
      await this.membership.demoteFormerManagers(log);
    }
  }
}
