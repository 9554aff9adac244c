import { join } from 'node:path';
import { arch, platform } from 'node:os';
import type { Logger } from 'pino';
import { codec, type Node, type NodeDescription, type StoreAction } from '../gen/index.js';
import { RpcError, RpcServer } from '../rpc/index.js';
import { Manager, type ManagerOptions } from '../manager/index.js';
import { Agent, DockerExecutor, describeEngine, type Engine, type OverlayAttacher } from '../worker/index.js';
import { AgentSession } from './agent-session.js';
import { LogPublisher } from './log-publisher.js';
import type { StoredNode } from './node-identity.js';
import { startNodeOverlay } from './node-overlay.js';
import type { DaemonOptions } from './options.js';

/** What the components tell the swarm membership around them. */
export interface NodeComponentsEvents {
  /** The managers named the current manager set. */
  onManagers(addrs: string[]): void;
  /** The managers changed this node's object (role, availability, attachments). */
  onNode(node: Node): void;
}

/** How a manager starts besides the node's identity. */
export type ManagerStart = Pick<ManagerOptions, 'peers' | 'forceNewCluster'> & { bootstrapObjects?: StoreAction[] | undefined };

/**
 * The processes a node runs for its swarm membership, each started and
 * stopped as one part: the manager with the TCP port other nodes reach,
 * and the agent with its overlay and its session with the dispatcher.
 */
export class NodeComponents {
  private server: RpcServer | undefined;
  private manager: Manager | undefined;
  private agent: Agent | undefined;
  private overlay: { attacher: OverlayAttacher; close(): Promise<void> } | undefined;
  private session: AgentSession | undefined;

  constructor(
    private readonly options: DaemonOptions,
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly events: NodeComponentsEvents,
  ) {}

  /** The manager now running, if any (read at each use: it changes across role changes). */
  currentManager(): Manager | undefined {
    return this.manager;
  }

  /** Starts this node's manager and the TCP port it serves other nodes on. */
  async startManager(stored: StoredNode, start: ManagerStart = {}): Promise<void> {
    const { identity, tls } = stored;
    this.server = new RpcServer({ tls, allowAnonymous: true, logger: this.log.child({ component: 'node-api' }) });
    this.manager = await Manager.start(
      {
        dataRoot: this.options.dataRoot, nodeId: identity.nodeId, clusterId: identity.clusterId, raftId: identity.raftId, advertiseAddr: identity.advertiseAddr, tls, log: this.log,
        bootstrap: start.bootstrapObjects ? { objects: start.bootstrapObjects } : undefined, peers: start.peers, forceNewCluster: start.forceNewCluster ?? false,
      },
      this.server,
    );
    try {
      await this.server.listen(identity.listenAddr);
    } catch (error) {
      throw new RpcError('failed-precondition', `${(error as Error).message}: is another swarm manager listening there? use --listen-addr`);
    }
    this.log.info({ listen: identity.listenAddr, advertise: identity.advertiseAddr }, 'manager listening');
  }

  /** Stops the manager and closes its port; the Raft data stays. */
  async stopManager(): Promise<void> {
    await this.manager?.stop();
    this.manager = undefined;
    await this.server?.close(500);
    this.server = undefined;
  }

  /** Starts the agent, its overlay and its session with the managers. */
  async startAgent(stored: StoredNode): Promise<void> {
    const { identity, tls } = stored;
    const overlay = startNodeOverlay({ identity, engine: this.engine, log: this.log, localTasks: () => this.agent?.localTasks() ?? [] });
    this.overlay = overlay;
    const executor = new DockerExecutor({ engine: this.engine, logger: this.log, attacher: overlay.attacher });
    const agent = new Agent({ nodeId: identity.nodeId, executor, dataDir: join(this.options.dataRoot, 'worker'), logger: this.log, managersReachable: false });
    this.agent = agent;
    agent.onResources((resources) => overlay.attacher.setResources(resources));
    agent.onStatus(() => overlay.attacher.refresh());
    agent.onTasks(() => overlay.attacher.refresh());
    await agent.start();
    const publisher = new LogPublisher(identity.nodeId, { tasks: () => this.session?.assignedTasks() ?? [], logs: (taskId, options) => agent.logs(taskId, options) }, this.log.child({ component: 'logs' }));
    this.session = new AgentSession({
      logPublisher: publisher,
      managers: identity.managerAddrs,
      tls,
      description: () => this.describe(),
      dataPathAddr: identity.dataPathAddr,
      livenessPort: this.options.livenessPort ?? 0,
      agent,
      log: this.log.child({ component: 'session' }),
      onManagers: (addrs) => this.events.onManagers(addrs),
      onRemoved: (reason) => this.log.warn({ reason }, 'this node was removed from the swarm; run "shoal swarm leave" to reset it'),
      onNode: (node) => {
        overlay.attacher.setNodeAttachments(node.attachments);
        this.events.onNode(node);
      },
    });
    this.session.start();
  }

  /**
   * Stops the session, the agent and the overlay. Containers and the
   * kernel's overlay state stay (live-restore): running tasks keep their
   * networks. `restarting` tells the leader to wait for this node's return.
   */
  async stopAgent(options: { restarting?: boolean } = {}): Promise<void> {
    await this.session?.stop(options);
    this.session = undefined;
    await this.agent?.close();
    this.agent = undefined;
    await this.overlay?.close();
    this.overlay = undefined;
  }

  /** Leaving the swarm: the agent drops its tasks and no namespace, link, nftables table or FDB entry stays behind. */
  async dropWorkload(): Promise<void> {
    await this.agent?.setAssignments([]);
    await this.agent?.idle();
    await this.overlay?.attacher.shutdown();
  }

  /** Stops every part. */
  async stopAll(options: { restarting?: boolean } = {}): Promise<void> {
    await this.stopAgent(options);
    await this.stopManager();
  }

  /** This node as the managers see it (hostname, platform, engine resources). */
  async describe(): Promise<NodeDescription> {
    const engine = await describeEngine(this.engine);
    return codec.NodeDescription.fromPartial({
      hostname: this.options.nodeName,
      platform: { os: platform(), architecture: arch() === 'x64' ? 'x86_64' : arch() },
      resources: engine.ok ? { nanoCpus: engine.ncpu * 1e9, memoryBytes: engine.memTotalBytes } : {},
      engineVersion: engine.ok ? engine.version : '',
      engineLabels: engine.ok ? engine.labels : {},
    });
  }
}
