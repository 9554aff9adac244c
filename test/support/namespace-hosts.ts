// Many hosts on one machine: each host is a network namespace on the underlay
// bridge running its own `shoal daemon` (own data root and socket), all
// sharing the one test dockerd (CONTRACT.md "Install and run").
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DaemonProcess } from './daemon-process.js';
import { removeLabelledLeftovers } from './leftovers.js';
import { ensureDebianPackages } from './debian-packages.js';
import { dockerClient } from './docker-engine.js';
import { SHOAL_BIN } from './project-root.js';
import { progress, timed } from './progress.js';
import { runCommand, type CommandResult } from './run-command.js';
import { TEST_LABEL } from './test-images.js';
import { createFreeUnderlay, hostIp, listUnderlayResources, ownerDead, removeUnderlay, TEST_PREFIX } from './underlay.js';
import { overlayNodeTag } from '../../src/daemon/node-overlay.js';

/** Docker label shoal puts on every task container (CONTRACT.md "Names and labels"). */
export const NODE_ID_LABEL = 'com.docker.swarm.node.id';

/** Where one host's daemon lives; passed to a custom daemonCommand. */
export interface HostPaths {
  name: string;
  index: number;
  ip: string;
  netnsName: string;
  socketPath: string;
  dataRoot: string;
  dockerHost: string;
}

/** Options for createNamespaceHosts. */
export interface NamespaceHostsOptions {
  count: number;
  /** The shared engine; default process.env.DOCKER_HOST. */
  dockerHost?: string;
  /** argv of the daemon; default `node bin/shoal.js daemon --data-root .. -H unix://.. --node-name hN --docker-host ..`. */
  daemonCommand?: (host: HostPaths) => string[];
  /** Start the daemons (default true); with false, call host.start() yourself. */
  startDaemons?: boolean;
  /** Extra environment for daemons and CLI runs. */
  env?: NodeJS.ProcessEnv;
}

/** One simulated host. */
export interface NamespaceHost extends HostPaths {
  /** The daemon's log (stdout and stderr, appended across restarts). */
  logPath: string;
  /** Runs the shoal CLI against this host's daemon (`node bin/shoal.js -H unix://SOCK ...args`); never throws on exit code. */
  run(args: string[], timeoutMs?: number): Promise<CommandResult>;
  /** Runs `sh -c script` inside the host's network namespace; never throws on exit code. */
  exec(script: string, timeoutMs?: number): Promise<CommandResult>;
  /** Starts the daemon if it isn't running; resolves once its socket answers. */
  start(): Promise<void>;
  /** Signals the daemon; SIGTERM/SIGKILL/SIGINT wait until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the daemon (SIGTERM, then SIGKILL) and starts it again on the same data root. */
  restart(): Promise<void>;
  /** Whether the daemon process runs. */
  readonly running: boolean;
  /** Pid of the daemon, if running. */
  readonly pid: number | undefined;
}

/** A set of namespace hosts and the teardown that removes all of it. */
export interface NamespaceHosts {
  hosts: NamespaceHost[];
  /** The underlay bridge; its address is `${subnet}.1` (192.0.2.1 unless another set is live). */
  bridge: string;
  /** The underlay subnet's first three octets; host i is `${subnet}.${10 + i}`. */
  subnet: string;
  /** This set's id (owner pid + letter), in every name it created (netns `shoal-t-<id>-hN`, bridge `stb<id>`). */
  id: string;
  /** Value for the `shoal.test` label: containers a test labels `{ 'shoal.test': runLabel }` are removed by teardown. */
  runLabel: string;
  /** The run's temp directory (data roots, sockets, logs). */
  dir: string;
  dockerHost: string;
  docker: Docker;
  /** Kills daemons, removes their containers, namespaces, bridge, iptables rule and temp dir; safe to call twice. */
  teardown(): Promise<void>;
}

export { SHOAL_BIN } from './project-root.js';

/** Creates `count` namespace hosts on a fresh underlay and (by default) starts a daemon in each. */
export async function createNamespaceHosts(options: NamespaceHostsOptions): Promise<NamespaceHosts> {
  const dockerHost = options.dockerHost ?? process.env.DOCKER_HOST;
  if (dockerHost === undefined) throw new Error('no DOCKER_HOST: run under the vitest global setup or `engine-cli.ts start`');
  await ensureDebianPackages(['iproute2', 'iptables', 'util-linux']);
  const docker = dockerClient(dockerHost);
  await cleanLeftovers(docker);
  const preexisting = new Set((await docker.listContainers({ all: true, filters: { label: [NODE_ID_LABEL] } })).map((c) => c.Id));
  const names = await timed(`creating ${options.count} namespace hosts`, () => createFreeUnderlay(process.pid, options.count));
  // Sockets live here too; unix socket paths must stay under 108 bytes, so keep it short.
  const dir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}${names.id}-`));
  const env = { ...process.env, ...options.env, DOCKER_HOST: dockerHost };
  const hosts: NamespaceHost[] = [];
  let tornDown = false;
  const teardown = async (): Promise<void> => {
    if (tornDown) return;
    tornDown = true;
    await timed(`tearing down ${hosts.length} namespace hosts`, async () => {
      await Promise.all(hosts.map((h) => h.kill('SIGTERM').catch(() => h.kill('SIGKILL')).catch(() => undefined)));
      // Task containers the daemons started during this run (labelled with their node IDs), and the test's own.
      // Only our daemons' nodes: another run on the shared engine may be creating task containers right now.
      const ours = new Set(hosts.flatMap((h) => nodeIdsOf(h.dataRoot)));
      const created = (await docker.listContainers({ all: true, filters: { label: [NODE_ID_LABEL] } })).filter(
        (c) => !preexisting.has(c.Id) && ours.has(c.Labels[NODE_ID_LABEL] ?? ''),
      );
      const labelled = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${TEST_PREFIX}${names.id}`] } });
      await Promise.all([...created, ...labelled].map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      await removeOverlayNamespaces(ours);
      await removeUnderlay((r) => r.id === names.id);
      rmSync(dir, { recursive: true, force: true });
    });
  };
  try {
    progress(`namespace hosts ${names.netns(1)}.. on bridge ${names.bridge} (${names.net}.1/24), files in ${dir}`);
    for (let i = 1; i <= options.count; i++) {
      const paths: HostPaths = {
        name: `h${i}`,
        index: i,
        ip: hostIp(names, i),
        netnsName: names.netns(i),
        socketPath: join(dir, `h${i}.sock`),
        dataRoot: join(dir, `h${i}`),
        dockerHost,
      };
      mkdirSync(paths.dataRoot, { recursive: true });
      const argv = (options.daemonCommand ?? defaultDaemonCommand)(paths);
      hosts.push(namespaceHost(paths, new DaemonProcess({ netnsName: paths.netnsName, argv, socketPath: paths.socketPath, logPath: join(dir, `h${i}.log`), env }), env));
    }
    if (options.startDaemons !== false) {
      await timed(`starting ${options.count} daemons`, () => Promise.all(hosts.map((h) => h.start())));
    }
  } catch (e) {
    await teardown();
    throw e;
  }
  return { hosts, bridge: names.bridge, subnet: names.net, id: names.id, runLabel: `${TEST_PREFIX}${names.id}`, dir, dockerHost, docker, teardown };
}

/** Node IDs a host's daemon has had (its data root remembers the current one; a left node has none). */
function nodeIdsOf(dataRoot: string): string[] {
  try {
    const state = JSON.parse(readFileSync(join(dataRoot, 'swarm', 'state.json'), 'utf8')) as { nodeId?: string };
    return state.nodeId ? [state.nodeId] : [];
  } catch {
    return [];
  }
}

/**
 * The overlay namespaces (src/overlay: `shoal-<node tag>-<VNI>`) of our
 * daemons' nodes: killed without `swarm leave`, a daemon leaves them (as a
 * stopped daemon must, so its containers keep their networks).
 */
async function removeOverlayNamespaces(nodeIds: ReadonlySet<string>): Promise<void> {
  const tags = new Set([...nodeIds].map(overlayNodeTag));
  const list = await runCommand('ip', ['netns', 'list'], { allowFailure: true });
  for (const name of list.stdout.split('\n').map((l) => l.split(' ')[0] ?? '')) {
    const tag = /^shoal-([a-z0-9]{1,12})-\d+$/.exec(name)?.[1];
    if (tag !== undefined && tags.has(tag)) await runCommand('ip', ['netns', 'del', name], { allowFailure: true });
  }
}

/** The default daemon argv: this checkout's `shoal daemon` with the host's paths. */
export function defaultDaemonCommand(h: HostPaths): string[] {
  return [process.execPath, SHOAL_BIN, 'daemon', '--data-root', h.dataRoot, '-H', `unix://${h.socketPath}`, '--node-name', h.name, '--docker-host', h.dockerHost];
}

function namespaceHost(paths: HostPaths, daemon: DaemonProcess, env: NodeJS.ProcessEnv): NamespaceHost {
  return {
    ...paths,
    logPath: daemon.spec.logPath,
    run: (args, timeoutMs = 60_000) =>
      runCommand(process.execPath, [SHOAL_BIN, '-H', `unix://${paths.socketPath}`, ...args], { env, timeoutMs, allowFailure: true }),
    exec: (script, timeoutMs = 30_000) =>
      runCommand('nsenter', [`--net=/run/netns/${paths.netnsName}`, 'sh', '-c', script], { env, timeoutMs, allowFailure: true }),
    start: () => daemon.start(),
    kill: (signal) => daemon.kill(signal),
    restart: () => daemon.restart(),
    get running() {
      return daemon.running;
    },
    get pid() {
      return daemon.pid;
    },
  };
}

/** Removes what crashed earlier runs left: their namespaces (and processes), links, rules, temp dirs, containers. */
export async function cleanLeftovers(docker: Docker): Promise<void> {
  const before = await listUnderlayResources();
  const stale = [...before.namespaces, ...before.links, ...before.iptablesRules].filter(ownerDead).length;
  if (stale > 0) progress(`removing ${stale} namespaces/links/rules left by earlier test runs`);
  await removeUnderlay(ownerDead);
  // Task containers of crashed runs stay: nothing says which run made them, the engine may be shared with
  // other runs, and a daemon only ever touches containers labelled with its own node ID.
  const removed = await removeLabelledLeftovers(docker);
  if (removed > 0) progress(`removed ${removed} temp dirs/containers/networks left by earlier test runs`);
}
