// Simulated worker nodes for scale tests and the scale benchmark (issue #20):
// each is the real agent with its real mutual-TLS session to the real
// managers (joined with a real token and certificate), with only the engine
// replaced by a MemoryExecutor. Hundreds or thousands live in one process.
// Never shipped and never a node mode: it lives under test/.
import { createServer, type Server } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { codec } from '../../src/gen/index.js';
import { RpcError } from '../../src/rpc/index.js';
import { Agent } from '../../src/worker/index.js';
import { AgentSession } from '../../src/daemon/agent-session.js';
import { fetchPinnedRoot, requestCertificate } from '../../src/daemon/node-certificate.js';
import { MemoryExecutor, type MemoryExecutorOptions } from './memory-executor.js';

/** How to start a set of simulated nodes. */
export interface SimulatedNodesOptions {
  /** Manager addresses (host:port); the first takes the joins. */
  managers: string[];
  /** A worker join token of the swarm. */
  joinToken: string;
  count: number;
  /** Node names are PREFIX-N (the HOSTNAME column). */
  namePrefix: string;
  /** Address the nodes claim as theirs (advertise and data path); the managers see their real source address. */
  address: string;
  /** Where each node's agent keeps its task database (DIR/NAME). */
  dataDir: string;
  executor?: MemoryExecutorOptions;
  log: Logger;
  /** Joins at once (each costs the CA a signature and Raft a write). */
  joinConcurrency?: number;
}

/** One simulated node. */
export interface SimulatedNode {
  name: string;
  nodeId: string;
  executor: MemoryExecutor;
  agent: Agent;
  session: AgentSession;
  /** Its liveness port, as a daemon has; closed when the node is killed. */
  liveness: Server;
  killed: boolean;
}

/** A running set of simulated nodes. */
export class SimulatedNodes {
  private constructor(readonly nodes: SimulatedNode[]) {}

  /** Joins `count` nodes to the swarm and starts their agents and sessions. */
  static async start(options: SimulatedNodesOptions): Promise<SimulatedNodes> {
    const tokenDigest = /^SWMTKN-1-([0-9a-z]+)-/.exec(options.joinToken)?.[1] ?? '';
    const first = options.managers[0] ?? '';
    const caPem = await fetchPinnedRoot(first, tokenDigest);
    const nodes: SimulatedNode[] = [];
    let next = 0;
    const joinOne = async (): Promise<void> => {
      for (let i = next++; i < options.count; i = next++) nodes.push(await startNode(options, caPem, `${options.namePrefix}-${i + 1}`));
    };
    await Promise.all(Array.from({ length: Math.min(options.joinConcurrency ?? 16, options.count) }, joinOne));
    return new SimulatedNodes(nodes);
  }

  /** Containers running on the simulated nodes still alive (a killed node's are as good as gone). */
  runningContainers(): number {
    return this.nodes.reduce((n, node) => n + (node.killed ? 0 : node.executor.runningCount()), 0);
  }

  /**
   * Kills nodes as SIGKILL kills a daemon: the session's connection and the
   * liveness port go at once, with no notice to the managers.
   */
  async kill(nodes: readonly SimulatedNode[]): Promise<void> {
    await Promise.all(nodes.map(async (node) => {
      if (node.killed) return;
      node.killed = true;
      await new Promise<void>((resolve) => node.liveness.close(() => resolve()));
      await node.session.stop();
      await node.agent.close();
    }));
  }

  /** Stops every node (as killed). */
  async stop(): Promise<void> {
    await this.kill(this.nodes);
  }
}

/** Joins a busy CA can time out while thousands queue; each is tried again a few times. */
const JOIN_ATTEMPTS = 4;

async function startNode(options: SimulatedNodesOptions, caPem: string, name: string): Promise<SimulatedNode> {
  let cert: Awaited<ReturnType<typeof requestCertificate>> | undefined;
  for (let attempt = 1; !cert; attempt++) {
    try {
      cert = await requestCertificate(options.managers[0] ?? '', caPem, { joinToken: options.joinToken, advertiseAddr: options.address, nodeName: name });
    } catch (error) {
      const kind = RpcError.from(error).kind;
      if (attempt >= JOIN_ATTEMPTS || (kind !== 'deadline-exceeded' && kind !== 'unavailable')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  const dataDir = join(options.dataDir, name);
  mkdirSync(dataDir, { recursive: true });
  const log = options.log.child({ simNode: name });
  const executor = new MemoryExecutor(options.executor);
  const agent = new Agent({ nodeId: cert.nodeId, executor, dataDir, taskFilesRoot: join(dataDir, 'task-files'), logger: log, managersReachable: false });
  await agent.start();
  const liveness = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => liveness.listen(0, '0.0.0.0', resolve));
  const address = liveness.address();
  const livenessPort = typeof address === 'object' && address ? address.port : 0;
  const description = codec.NodeDescription.fromPartial({ hostname: name, platform: { os: 'linux', architecture: 'x86_64' }, resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 }, engineVersion: 'simulated' });
  const session = new AgentSession({ managers: options.managers, tls: cert.tls, description: async () => description, dataPathAddr: options.address, livenessPort, agent, log });
  session.start();
  return { name, nodeId: cert.nodeId, executor, agent, session, liveness, killed: false };
}
