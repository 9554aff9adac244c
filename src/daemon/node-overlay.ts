// The daemon's overlay: an OverlayAttacher for the agent, with the embedded
// DNS served from this process (the daemon runs in its node's network
// namespace, so it binds each network's gateway address directly).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { EmbeddedDnsServer, NameTable, ProcessCommandRunner, parseResolvConf } from '../overlay/index.js';
import { joinedContainer, OverlayAttacher, type Engine } from '../worker/index.js';
import type { Task, TaskStatus } from '../gen/index.js';
import type { NodeIdentity } from './node-identity.js';

/** How long a forwarded query waits for each of the host's resolvers. */
const UPSTREAM_TIMEOUT_MS = 2_000;

/** What the daemon's overlay needs. */
export interface NodeOverlayWiring {
  readonly identity: NodeIdentity;
  readonly engine: Engine;
  readonly log: Logger;
  readonly localTasks: () => readonly { task: Task; status: TaskStatus }[];
}

/** The node tag in kernel object names: the node ID's first 12 characters (IDs are lowercase base 36). */
export function overlayNodeTag(nodeId: string): string {
  return nodeId.slice(0, 12).toLowerCase();
}

/** The host's resolvers, for names that are not the swarm's. */
function hostResolvers(log: Logger): ReturnType<typeof parseResolvConf> {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch (error) {
    log.warn({ error: String(error) }, 'cannot read /etc/resolv.conf; the embedded DNS answers only swarm names');
    return [];
  }
}

/**
 * The process whose network namespace a container uses: its sandbox's when it
 * joins one (sandbox.ts; the sandbox runs before the task container does),
 * else its own; 0 when that does not run.
 */
export async function namespacePid(engine: Engine, containerId: string): Promise<number> {
  const info = await engine.getContainer(containerId).inspect();
  const sandboxId = joinedContainer(info.HostConfig.NetworkMode);
  return sandboxId === undefined ? info.State.Pid : (await engine.getContainer(sandboxId).inspect()).State.Pid;
}

/** Builds the attacher and its DNS server; close() stops both and leaves the kernel state (live-restore). */
export function startNodeOverlay(wiring: NodeOverlayWiring): { attacher: OverlayAttacher; close(): Promise<void> } {
  const { identity, engine, log } = wiring;
  const table = new NameTable();
  const server = new EmbeddedDnsServer({ table, upstreams: hostResolvers(log), upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS });
  const attacher = new OverlayAttacher({
    runner: new ProcessCommandRunner(),
    nodeTag: overlayNodeTag(identity.nodeId),
    vtep: identity.dataPathAddr,
    dataPathPort: identity.dataPathPort,
    logger: log,
    containerPid: (containerId) => namespacePid(engine, containerId),
    localTasks: wiring.localTasks,
    dns: { server, table },
  });
  return {
    attacher,
    close: async () => {
      await attacher.close();
      await server.close();
    },
  };
}
