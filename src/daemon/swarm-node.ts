import { randomInt, X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { arch, platform } from 'node:os';
import type { Logger } from 'pino';
import { CAService, ControlService, LogsService, RaftService, codec, type Node, type NodeDescription, type SwarmInfo, type SwarmInitRequest, type SwarmInitResponse, type SwarmJoinRequest, type SwarmJoinResponse } from '../gen/index.js';
import { createClient, RpcError, RpcServer, type Handlers } from '../rpc/index.js';
import { caDigest, createKeyAndCsr, createRootCA, digestToBase36, generateJoinToken, issueNodeTls, Manager, MANAGER_ROLE, newObjectId, parseJoinToken } from '../manager/index.js';
import { Agent, describeEngine, type Engine, type OverlayAttacher } from '../worker/index.js';
import { startNodeOverlay } from './node-overlay.js';
import { AgentSession } from './agent-session.js';
import { LogPublisher } from './log-publisher.js';
import { managerLeaveWarning } from './leave-warning.js';
import { chooseAdvertiseAddr, hostOf, localAddressTowards, withDefaultPort } from './addresses.js';
import { forgetSwarm, loadNode, saveIdentity, saveNode, type NodeIdentity, type StoredNode } from './node-identity.js';
import { NOT_A_MANAGER } from './no-swarm-control.js';
import type { DaemonOptions } from './options.js';

/** Docker's words for a worker asked to manage the cluster. */
export const WORKER_NOT_MANAGER = 'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.';
const ALREADY_IN_SWARM = 'This node is already part of a swarm. Use "shoal swarm leave" to leave this swarm and join another one.';
const JOIN_TIMEOUT_MS = 10_000;
const ROLE_RETRY_MS = 3_000;

/**
 * This host's membership in a swarm and the components it runs for it:
 * always the worker agent and its dispatcher session; on managers also the
 * Manager and the TCP listener other nodes reach. Remembers everything in
 * the data root, so a restarted daemon comes back as it was.
 */
export class SwarmNode {
  private stored: StoredNode | undefined;
  private server: RpcServer | undefined;
  private manager: Manager | undefined;
  private agent: Agent | undefined;
  private overlay: { attacher: OverlayAttacher; close(): Promise<void> } | undefined;
  private session: AgentSession | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private roleChanging = false;
  private latestNode: Node | undefined;
  private roleRetry: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: DaemonOptions,
    private readonly engine: Engine,
    private readonly log: Logger,
  ) {}

  /** Comes back into the swarm this node belonged to before a restart, if any. */
  async resume(): Promise<void> {
    this.stored = loadNode(this.options.dataRoot);
    if (!this.stored) return;
    const { identity } = this.stored;
    this.log.info({ nodeId: identity.nodeId, role: identity.role }, 'resuming swarm membership');
    if (identity.role === 'manager') await this.startManager(undefined);
    await this.startAgent();
  }

  /** `swarm init`: a new cluster with this node as its first manager. */
  init(req: SwarmInitRequest): Promise<SwarmInitResponse> {
    return this.exclusive(async () => {
      // As in Docker: with no swarm state to recover, --force-new-cluster is a plain init.
      if (req.forceNewCluster && this.stored) return this.forceNewCluster();
      if (this.stored) throw new RpcError('failed-precondition', ALREADY_IN_SWARM);
      const listenAddr = withDefaultPort(req.listenAddr || '0.0.0.0:2377');
      let advertiseAddr: string;
      try {
        advertiseAddr = chooseAdvertiseAddr(req.advertiseAddr, listenAddr);
      } catch (error) {
        throw new RpcError('invalid-argument', (error as Error).message);
      }
      const nodeId = newObjectId();
      const clusterId = newObjectId();
      const raftId = randomInt(1, 2 ** 31);
      const ca = await createRootCA();
      const tls = await issueNodeTls(ca, { nodeId, role: MANAGER_ROLE, clusterId });
      const digest = caDigest(ca.certPem);
      const tokens = { worker: generateJoinToken(digest), manager: generateJoinToken(digest) };
      const identity: NodeIdentity = { formatVersion: 1, nodeId, clusterId, role: 'manager', raftId, advertiseAddr, listenAddr, dataPathAddr: hostOf(advertiseAddr), dataPathPort: req.dataPathPort || 4789, managerAddrs: [advertiseAddr] };
      const description = await this.describe();
      const cluster = codec.Cluster.fromPartial({
        id: clusterId,
        spec: { annotations: { name: 'default' }, taskHistoryRetentionLimit: 5, heartbeatPeriodMs: 1000, raft: { snapshotInterval: 10_000, keepOldSnapshots: 0, logEntriesForSlowFollowers: 500, heartbeatTick: 1, electionTick: 10 }, defaultAddrPool: req.defaultAddrPool.length ? req.defaultAddrPool : ['10.0.0.0/8'], subnetSize: req.subnetSize || 24, dataPathPort: req.dataPathPort || 4789 },
        rootCa: { caCertPem: ca.certPem, caKeyPem: Buffer.from(ca.keyPem), caCertDigest: digest, joinTokens: tokens },
      });
      const self = codec.Node.fromPartial({
        id: nodeId,
        role: 'MANAGER',
        spec: { desiredRole: 'MANAGER', availability: 'ACTIVE' },
        description,
        status: { state: 'READY', addr: hostOf(advertiseAddr) },
        managerStatus: { raftId, addr: advertiseAddr, leader: true, reachability: 'REACHABLE' },
        dataPathAddr: identity.dataPathAddr,
      });
      this.stored = { identity, tls };
      try {
        saveNode(this.options.dataRoot, this.stored);
        await this.startManager([{ kind: 'CREATE', object: { cluster } }, { kind: 'CREATE', object: { node: self } }]);
        await this.waitForCluster();
      } catch (error) {
        await this.stopComponents();
        this.stored = undefined;
        forgetSwarm(this.options.dataRoot);
        throw error instanceof RpcError ? error : new RpcError('internal', `swarm init failed: ${(error as Error).message}`);
      }
      await this.startAgent();
      return { nodeId, workerJoinCommand: `shoal swarm join --token ${tokens.worker} ${advertiseAddr}`, unlockKey: '' };
    });
  }

  /**
   * `swarm init --force-new-cluster` on a manager that lost quorum: its
   * Raft member restarts as the only voter with everything it had committed
   * (services, tasks, nodes kept); the other managers are no longer members
   * (their nodes become workers, which can be promoted again).
   */
  private async forceNewCluster(): Promise<SwarmInitResponse> {
    const stored = this.stored;
    if (!stored || stored.identity.role !== 'manager') {
      throw new RpcError('failed-precondition', 'This node is a worker: --force-new-cluster recovers a swarm from a manager\'s state; run it on a surviving manager (nothing was changed)');
    }
    await this.stopComponents();
    stored.identity.managerAddrs = [stored.identity.advertiseAddr];
    saveIdentity(this.options.dataRoot, stored.identity);
    await this.startManager(undefined, undefined, true);
    await this.waitForLeadership();
    await this.startAgent();
    const manager = this.currentManager();
    const worker = manager?.store.list('cluster')[0]?.rootCa?.joinTokens?.worker ?? '';
    this.log.warn('forced a new cluster from this manager\'s state; the other managers are no longer members');
    return { nodeId: stored.identity.nodeId, workerJoinCommand: `shoal swarm join --token ${worker} ${stored.identity.advertiseAddr}`, unlockKey: '' };
  }

  /** The manager now running (read through a method: it changes across awaits). */
  private currentManager(): Manager | undefined {
    return this.manager;
  }

  private async waitForLeadership(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.currentManager()?.isLeader()) {
      if (Date.now() > deadline) throw new RpcError('unavailable', 'the forced cluster did not elect this manager within 15 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** `swarm join`: get a certificate from a manager with the token, then run as the token's role. */
  join(req: SwarmJoinRequest): Promise<SwarmJoinResponse> {
    return this.exclusive(async () => {
      if (this.stored) throw new RpcError('failed-precondition', ALREADY_IN_SWARM);
      const token = parseJoinToken(req.joinToken);
      if (!token.ok) throw new RpcError('invalid-argument', token.error);
      const remote = withDefaultPort(req.remoteAddrs[0] ?? '');
      if (!req.remoteAddrs[0]) throw new RpcError('invalid-argument', 'the address of a manager is required: shoal swarm join --token TOKEN HOST:PORT');
      // 1. Fetch the root without trusting it, then pin it by the token's digest.
      const bootstrap = createClient(CAService, remote, { bootstrap: true, defaultDeadlineMs: JOIN_TIMEOUT_MS });
      let caPem: string;
      try {
        caPem = (await bootstrap.getRootCACertificate({})).certificatePem;
      } catch (error) {
        throw new RpcError('unavailable', `could not reach a manager at ${remote} within ${JOIN_TIMEOUT_MS / 1000}s: ${RpcError.from(error).message}`);
      } finally {
        bootstrap.close();
      }
      if (digestToBase36(caDigest(caPem)) !== token.value.caDigest) {
        throw new RpcError('invalid-argument', `invalid join token: the swarm at ${remote} has a different root CA than the token names (wrong token, or not the manager you meant)`);
      }
      // 2. Ask for a certificate with the token, over TLS verified against the pinned root.
      const { keyPem, csrPem } = await createKeyAndCsr();
      const listenAddr = withDefaultPort(req.listenAddr || '0.0.0.0:2377');
      let advertiseAddr: string;
      try {
        const towardsManager = req.advertiseAddr ? undefined : await localAddressTowards(remote);
        advertiseAddr = chooseAdvertiseAddr(req.advertiseAddr || towardsManager || '', listenAddr);
      } catch (error) {
        throw new RpcError('invalid-argument', (error as Error).message);
      }
      const ca = createClient(CAService, remote, { tls: { caPem, certPem: '', keyPem: '' }, defaultDeadlineMs: JOIN_TIMEOUT_MS });
      let issued;
      try {
        issued = await ca.issueNodeCertificate({ csrPem, token: req.joinToken, availability: 'ACTIVE', advertiseAddr, nodeName: this.options.nodeName });
      } catch (error) {
        const e = RpcError.from(error);
        throw new RpcError(e.kind === 'unavailable' ? 'unavailable' : e.kind, e.kind === 'unavailable' ? `could not reach a manager at ${remote}: ${e.message}` : e.message);
      } finally {
        ca.close();
      }
      const role = issued.role === 'MANAGER' ? 'manager' : 'worker';
      const identity: NodeIdentity = { formatVersion: 1, nodeId: issued.nodeId, clusterId: clusterIdOf(issued.certificatePem), role, raftId: 0, advertiseAddr, listenAddr, dataPathAddr: hostOf(advertiseAddr), dataPathPort: 4789, managerAddrs: [remote] };
      this.stored = { identity, tls: { caPem, certPem: issued.certificatePem, keyPem } };
      saveNode(this.options.dataRoot, this.stored);
      if (role === 'manager') {
        try {
          await this.joinRaft(remote);
        } catch (error) {
          await this.stopComponents();
          this.stored = undefined;
          forgetSwarm(this.options.dataRoot);
          throw error instanceof RpcError ? error : new RpcError('internal', `joining the managers failed: ${(error as Error).message}`);
        }
      }
      await this.startAgent();
      return { nodeId: issued.nodeId, manager: role === 'manager' };
    });
  }

  /**
   * `swarm leave`: stop taking part, forget the swarm. A manager needs
   * --force (Docker's quorum warning otherwise); it then leaves the Raft
   * group first, so the others do not count it towards their quorum.
   */
  leave(force: boolean): Promise<void> {
    return this.exclusive(async () => {
      if (!this.stored) throw new RpcError('failed-precondition', 'This node is not part of a swarm');
      if (this.stored.identity.role === 'manager') {
        if (!force) throw new RpcError('failed-precondition', managerLeaveWarning(await this.manager?.managerCounts().catch(() => undefined)));
        const outcome = (await this.manager?.leaveRaft()) ?? 'last';
        if (outcome === 'failed') this.log.warn('could not leave the Raft group within the time limit (no quorum?); leaving anyway as --force asks: the other managers count this one until "shoal node rm --force" or "swarm init --force-new-cluster"');
      }
      await this.agent?.setAssignments([]);
      await this.agent?.idle();
      // Leaving: no namespace, link, nftables table or FDB entry stays behind.
      await this.overlay?.attacher.shutdown();
      await this.stopComponents();
      this.stored = undefined;
      forgetSwarm(this.options.dataRoot);
      this.log.info('left the swarm');
    });
  }

  /** What `shoal info` shows about the swarm. */
  info(): SwarmInfo {
    const identity = this.stored?.identity;
    if (!identity) return codec.SwarmInfo.fromPartial({ localNodeState: 'inactive' });
    const store = this.manager?.store;
    const nodes = store?.list('node') ?? [];
    return codec.SwarmInfo.fromPartial({
      localNodeState: 'active',
      nodeId: identity.nodeId,
      nodeAddr: identity.dataPathAddr,
      controlAvailable: identity.role === 'manager',
      clusterId: identity.clusterId,
      managers: nodes.filter((n) => n.spec?.desiredRole === 'MANAGER').length,
      nodes: nodes.length,
      remoteManagers: identity.managerAddrs,
    });
  }

  /** The Control API as the local socket serves it. */
  localControl(): Handlers<typeof ControlService> {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(ControlService)) {
      out[name] = (req: unknown, ctx: unknown) => {
        if (!this.stored) throw new RpcError('failed-precondition', NOT_A_MANAGER);
        const handlers = this.manager?.control;
        if (!handlers) throw new RpcError('failed-precondition', WORKER_NOT_MANAGER);
        return (handlers[name as keyof typeof handlers] as (r: unknown, c: unknown) => Promise<unknown>)(req, ctx);
      };
    }
    return out as unknown as Handlers<typeof ControlService>;
  }

  /** The Logs service as the local socket serves it (the CLI's `service logs`). */
  localLogs(): Handlers<typeof LogsService> {
    const refuse = async (): Promise<never> => {
      throw new RpcError('permission-denied', 'nodes publish logs over their swarm connection, not the local socket');
    };
    return {
      subscribeLogs: (req, stream, ctx) => {
        if (!this.stored) throw new RpcError('failed-precondition', NOT_A_MANAGER);
        const logs = this.manager?.logs;
        if (!logs) throw new RpcError('failed-precondition', WORKER_NOT_MANAGER);
        return logs.subscribeLogs(req, stream, ctx);
      },
      listenSubscriptions: refuse,
      publishLogs: refuse,
    };
  }

  /** Stops every component; containers keep running (live-restore). */
  async close(): Promise<void> {
    clearTimeout(this.roleRetry);
    await this.busy.catch(() => undefined);
    await this.stopComponents({ restarting: true });
  }

  /**
   * A new manager joins the Raft group: it gets a Raft ID and joins as a
   * learner, starts its member and catches up, then asks to become a voter.
   */
  private async joinRaft(remote: string): Promise<void> {
    const stored = this.stored;
    if (!stored) throw new Error('no identity');
    const { identity, tls } = stored;
    const raft = createClient(RaftService, remote, { tls, expect: { role: MANAGER_ROLE }, defaultDeadlineMs: JOIN_TIMEOUT_MS });
    try {
      const first = await raft.join({ addr: identity.advertiseAddr, nodeId: identity.nodeId, promote: false });
      identity.raftId = first.raftId;
      identity.managerAddrs = [...new Set([remote, ...first.members.map((m) => m.addr)])];
      saveIdentity(this.options.dataRoot, identity);
      await this.startManager(undefined, first.members.filter((m) => m.raftId !== first.raftId));
      const deadline = Date.now() + 30_000;
      while ((this.manager?.appliedIndex() ?? 0) < first.commitIndex) {
        if (Date.now() > deadline) throw new RpcError('unavailable', `this manager did not catch up with the swarm's log within 30 s (applied ${this.manager?.appliedIndex() ?? 0} of ${first.commitIndex})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await raft.join({ addr: identity.advertiseAddr, nodeId: identity.nodeId, promote: true });
      this.log.info({ raftId: first.raftId }, 'joined the managers as a voter');
    } finally {
      raft.close();
    }
  }

  /**
   * Promotion or demotion, as the managers decided: a certificate for the
   * new role first (the CA issues by the desired role), then start or stop
   * this node's manager; the agent's session restarts with the new certificate.
   */
  private async changeRole(wanted: 'manager' | 'worker'): Promise<void> {
    const stored = this.stored;
    if (!stored || stored.identity.role === wanted) return;
    const { identity } = stored;
    const { keyPem, csrPem } = await createKeyAndCsr();
    // Other managers first: this node's own manager may be a stale one (removed from Raft).
    const candidates = [...identity.managerAddrs.filter((a) => a !== identity.advertiseAddr), ...identity.managerAddrs.filter((a) => a === identity.advertiseAddr)];
    let renewed;
    let remote: string | undefined;
    let lastError: unknown = new Error('no manager address known');
    for (const addr of candidates) {
      const ca = createClient(CAService, addr, { tls: stored.tls, expect: { role: MANAGER_ROLE }, defaultDeadlineMs: JOIN_TIMEOUT_MS });
      try {
        const answer = await ca.renewNodeCertificate({ csrPem });
        if ((answer.role === 'MANAGER' ? 'manager' : 'worker') !== wanted) throw new Error(`the CA at ${addr} still issues role ${answer.role}`);
        renewed = answer;
        remote = addr;
        break;
      } catch (error) {
        lastError = error;
      } finally {
        ca.close();
      }
    }
    if (!renewed || !remote) throw lastError;
    if ((renewed.role === 'MANAGER' ? 'manager' : 'worker') !== wanted) throw new Error(`the CA still issues role ${renewed.role}`);
    await this.session?.stop({ restarting: true });
    this.session = undefined;
    await this.agent?.close();
    this.agent = undefined;
    await this.overlay?.close();
    this.overlay = undefined;
    stored.tls = { ...stored.tls, certPem: renewed.certificatePem, keyPem };
    if (wanted === 'manager') {
      identity.role = 'manager';
      saveNode(this.options.dataRoot, stored);
      // The agent's session comes back first: joining Raft takes seconds
      // (catching up as a learner), and a node without a session for longer
      // than its heartbeat grace is marked Down and its tasks are replaced.
      await this.startAgent();
      try {
        await this.joinRaft(remote);
      } catch (error) {
        // Back to a worker's footing so followRole tries the whole change
        // again; the Raft data stays, and the retried join keeps its Raft ID.
        await this.manager?.stop();
        this.manager = undefined;
        await this.server?.close(500);
        this.server = undefined;
        identity.role = 'worker';
        saveNode(this.options.dataRoot, stored);
        throw error;
      }
      this.log.info('promoted: this node is now a manager');
      return;
    }
    await this.manager?.stop();
    this.manager = undefined;
    await this.server?.close(500);
    this.server = undefined;
    identity.role = 'worker';
    identity.raftId = 0;
    rmSync(join(this.options.dataRoot, 'raft'), { recursive: true, force: true });
    saveNode(this.options.dataRoot, stored);
    this.log.info('demoted: this node is now a worker');
    await this.startAgent();
  }

  private async startManager(bootstrapObjects: Parameters<Manager['propose']>[0] | undefined, peers?: { raftId: number; nodeId: string; addr: string }[], forceNewCluster = false): Promise<void> {
    const stored = this.stored;
    if (!stored) throw new Error('no identity');
    const { identity, tls } = stored;
    const raftId = identity.raftId;
    this.server = new RpcServer({ tls, allowAnonymous: true, logger: this.log.child({ component: 'node-api' }) });
    this.manager = await Manager.start(
      { dataRoot: this.options.dataRoot, nodeId: identity.nodeId, clusterId: identity.clusterId, raftId, advertiseAddr: identity.advertiseAddr, tls, log: this.log, bootstrap: bootstrapObjects ? { objects: bootstrapObjects } : undefined, peers, forceNewCluster },
      this.server,
    );
    try {
      await this.server.listen(identity.listenAddr);
    } catch (error) {
      throw new RpcError('failed-precondition', `${(error as Error).message}: is another swarm manager listening there? use --listen-addr`);
    }
    this.log.info({ listen: identity.listenAddr, advertise: identity.advertiseAddr }, 'manager listening');
  }

  private async startAgent(): Promise<void> {
    const stored = this.stored;
    if (!stored) return;
    const { identity, tls } = stored;
    const overlay = startNodeOverlay({ identity, engine: this.engine, log: this.log, localTasks: () => this.agent?.localTasks() ?? [] });
    this.overlay = overlay;
    this.agent = new Agent({ nodeId: identity.nodeId, engine: this.engine, dataDir: join(this.options.dataRoot, 'worker'), logger: this.log, managersReachable: false, attacher: overlay.attacher });
    this.agent.onResources((resources) => overlay.attacher.setResources(resources));
    this.agent.onStatus(() => overlay.attacher.refresh());
    this.agent.onTasks(() => overlay.attacher.refresh());
    await this.agent.start();
    const agent = this.agent;
    const publisher = new LogPublisher(identity.nodeId, { tasks: () => this.session?.assignedTasks() ?? [], logs: (taskId, options) => agent.logs(taskId, options) }, this.log.child({ component: 'logs' }));
    this.session = new AgentSession({
      logPublisher: publisher,
      managers: identity.managerAddrs,
      tls,
      description: () => this.describe(),
      dataPathAddr: identity.dataPathAddr,
      agent: this.agent,
      log: this.log.child({ component: 'session' }),
      onManagers: (addrs) => {
        if (!this.stored || addrs.join() === this.stored.identity.managerAddrs.join()) return;
        this.stored.identity.managerAddrs = addrs;
        saveIdentity(this.options.dataRoot, this.stored.identity);
      },
      onRemoved: (reason) => this.log.warn({ reason }, 'this node was removed from the swarm; run "shoal swarm leave" to reset it'),
      onNode: (node) => {
        overlay.attacher.setNodeAttachments(node.attachments);
        this.followRole(node);
      },
    });
    this.session.start();
  }

  /** Follows the role the managers want for this node; a failed change is tried again after a pause. */
  private followRole(node: Node): void {
    this.latestNode = node;
    const wanted = node.spec?.desiredRole === 'MANAGER' ? 'manager' : 'worker';
    if (!this.stored || wanted === this.stored.identity.role || this.roleChanging) return;
    this.roleChanging = true;
    clearTimeout(this.roleRetry);
    void this.exclusive(() => this.changeRole(wanted))
      .catch((error: unknown) => {
        this.log.warn({ err: error, wanted }, `changing role failed; trying again in ${ROLE_RETRY_MS / 1000} s`);
        this.roleRetry = setTimeout(() => this.latestNode && this.followRole(this.latestNode), ROLE_RETRY_MS);
      })
      .finally(() => (this.roleChanging = false));
  }

  private async stopComponents(options: { restarting?: boolean } = {}): Promise<void> {
    await this.session?.stop(options);
    this.session = undefined;
    await this.agent?.close();
    this.agent = undefined;
    // The kernel state stays (live-restore): running containers keep their networks.
    await this.overlay?.close();
    this.overlay = undefined;
    await this.manager?.stop();
    this.manager = undefined;
    await this.server?.close(500);
    this.server = undefined;
  }

  private async describe(): Promise<NodeDescription> {
    const engine = await describeEngine(this.engine);
    return codec.NodeDescription.fromPartial({
      hostname: this.options.nodeName,
      platform: { os: platform(), architecture: arch() === 'x64' ? 'x86_64' : arch() },
      resources: engine.ok ? { nanoCpus: engine.ncpu * 1e9, memoryBytes: engine.memTotalBytes } : {},
      engineVersion: engine.ok ? engine.version : '',
      engineLabels: engine.ok ? engine.labels : {},
    });
  }

  private async waitForCluster(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.manager?.store.list('cluster').length) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new RpcError('unavailable', 'the new swarm did not elect its first leader within 15 s');
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }
}

/** The cluster ID a node certificate names (its O field). */
function clusterIdOf(certPem: string): string {
  return /(?:^|\n)O=([^\n]*)/.exec(new X509Certificate(certPem).subject)?.[1] ?? '';
}
