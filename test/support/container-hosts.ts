// Hosts as containers (testcontainers): each has its own dockerd, filesystem,
// hostname and IP on a user-defined network, which namespace hosts can't give
// (they share one engine and one filesystem). Nested dockerd works here without
// --privileged (that fails: CAP_SYS_RESOURCE is not in the bounding set) given
// every other capability, no seccomp/AppArmor confinement, the cgroup tree
// read-write, and tmpfs for its data root and /run.
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { dockerClient } from './docker-engine.js';
import { removeLabelledLeftovers } from './leftovers.js';
import { ensureNodeImage } from './node-image.js';
import { progress, timed } from './progress.js';
import { runShell, type CommandResult } from './run-command.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from './test-images.js';
import { TEST_PREFIX } from './underlay.js';
import { waitForAsync } from './wait.js';

/** Options for startContainerHosts. */
export interface ContainerHostsOptions {
  count: number;
  /** The outer engine; default process.env.DOCKER_HOST (set by the global setup). */
  dockerHost?: string;
  /** Node image; default: ensureNodeImage() (built from this checkout's dist/). */
  image?: string;
  /** Images copied from the outer engine into each host's dockerd; default [BUSYBOX_IMAGE]. */
  images?: string[];
  /** Host names are `${namePrefix}1..N`; default 'c'. */
  namePrefix?: string;
}

/** One container host. */
export interface ContainerHost {
  name: string;
  /** Its address on the hosts' network. */
  ip: string;
  containerId: string;
  /** Runs `sh -c script` in the host; never throws on a non-zero exit. */
  exec(script: string): Promise<CommandResult>;
  /** Runs the host's own docker CLI (against its own dockerd). */
  docker(args: string[]): Promise<CommandResult>;
  /** Starts `shoal daemon` in the background (log: /var/log/shoal.log; socket SHOAL_SOCKET_IN_HOST). */
  startDaemon(extraArgs?: string[]): Promise<void>;
  /** Signals the daemon started by startDaemon; SIGTERM/SIGKILL wait (bounded) until it has exited. */
  stopDaemon(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Runs the shoal CLI in the host against its local daemon. */
  shoal(args: string[]): Promise<CommandResult>;
}

/** A set of container hosts on one network. */
export interface ContainerHosts {
  hosts: ContainerHost[];
  networkName: string;
  /** Stops and removes the hosts (with everything inside them) and the network. */
  teardown(): Promise<void>;
}

/** Control socket of the daemon inside a container host. */
export const SHOAL_SOCKET_IN_HOST = '/run/shoal/shoal.sock';
const DAEMON_PIDFILE = '/run/shoal/daemon.pid';
const DOCKERD_TIMEOUT_MS = 60_000;
const DAEMON_TIMEOUT_MS = 30_000;

/** Starts `count` container hosts, each with a working dockerd holding the test images. */
export async function startContainerHosts(options: ContainerHostsOptions): Promise<ContainerHosts> {
  // The reaper image can't be pulled here; teardown() cleans up instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const dockerHost = options.dockerHost ?? process.env.DOCKER_HOST;
  if (dockerHost === undefined) throw new Error('no DOCKER_HOST: run under the vitest global setup or `engine-cli.ts start`');
  process.env.DOCKER_HOST = dockerHost; // testcontainers reads it
  const docker = dockerClient(dockerHost);
  await removeLabelledLeftovers(docker);
  const image = options.image ?? (await ensureNodeImage(docker));
  // Owner pid first, so a later run can recognise this set's leftovers if this process dies.
  const runLabel = `${TEST_PREFIX}${process.pid}-c${++setCount}`;
  const started: StartedTestContainer[] = [];
  let networkId: string | undefined;
  let tornDown = false;
  const teardown = async (): Promise<void> => {
    if (tornDown) return;
    tornDown = true;
    // Killing the inner containers first keeps the stop quick (busybox httpd as PID 1 ignores SIGTERM) while
    // still letting each inner dockerd remove their cgroups, which live in the host's bind-mounted cgroup tree.
    await Promise.all(started.map(async (c) => {
      await c.exec(['sh', '-c', 'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids']).catch(() => undefined);
      await c.stop({ timeout: 10_000, remove: true, removeVolumes: true }).catch(() => undefined);
    }));
    if (networkId !== undefined) await docker.getNetwork(networkId).remove().catch(() => undefined);
  };
  try {
    // A user-defined network: hosts get addresses and resolve each other by name, as on a LAN.
    const network = await docker.createNetwork({ Name: runLabel, Driver: 'bridge', Labels: { [TEST_LABEL]: runLabel } });
    networkId = network.id;
    const prefix = options.namePrefix ?? 'c';
    const hosts = await timed(`starting ${options.count} container hosts from ${image}`, () =>
      Promise.all(Array.from({ length: options.count }, async (_, i) => {
        const container = await hostContainer(image, `${prefix}${i + 1}`, runLabel).start();
        started.push(container);
        return container;
      })));
    const result: ContainerHost[] = [];
    for (const [i, container] of hosts.entries()) {
      const host = wrapHost(`${prefix}${i + 1}`, container, runLabel, dockerHost);
      await waitForDockerd(host);
      for (const img of options.images ?? [BUSYBOX_IMAGE]) await copyImage(dockerHost, img, host);
      result.push(host);
    }
    progress(`container hosts up: ${result.map((h) => `${h.name}=${h.ip}`).join(' ')}`);
    return { hosts: result, networkName: runLabel, teardown };
  } catch (e) {
    await teardown();
    throw e;
  }
}

let setCount = 0;

function hostContainer(image: string, name: string, networkName: string): GenericContainer {
  return new GenericContainer(image)
    .withName(`${networkName}-${name}`)
    .withHostname(name)
    .withNetworkMode(networkName)
    .withNetworkAliases(name)
    .withAddedCapabilities('ALL')
    .withDroppedCapabilities('SYS_RESOURCE')
    .withSecurityOpt('seccomp=unconfined', 'apparmor=unconfined')
    .withBindMounts([{ source: '/sys/fs/cgroup', target: '/sys/fs/cgroup', mode: 'rw' }])
    // Docker's tmpfs default is noexec; the inner engine runs binaries from both.
    .withTmpFs({ '/var/lib/docker': 'rw,exec', '/run': 'rw,exec' })
    .withLabels({ [TEST_LABEL]: networkName });
}

function wrapHost(name: string, container: StartedTestContainer, networkName: string, outerDockerHost: string): ContainerHost {
  const exec = async (script: string): Promise<CommandResult> => {
    const r = await container.exec(['sh', '-c', script]);
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
  const quote = (args: string[]): string => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const host: ContainerHost = {
    name,
    ip: container.getIpAddress(networkName),
    containerId: container.getId(),
    exec,
    docker: (args) => exec(`docker ${quote(args)}`),
    shoal: (args) => exec(`shoal -H unix://${SHOAL_SOCKET_IN_HOST} ${quote(args)}`),
    async startDaemon(extraArgs = []) {
      // Detached exec through the outer engine: the daemon outlives this call.
      const cmd = `mkdir -p /run/shoal && echo $$ > ${DAEMON_PIDFILE} && exec shoal daemon --data-root /var/lib/shoal -H unix://${SHOAL_SOCKET_IN_HOST} --node-name ${name} --docker-host unix:///var/run/docker.sock ${quote(extraArgs)} >>/var/log/shoal.log 2>&1`;
      const ex = await dockerClient(outerDockerHost).getContainer(container.getId()).exec({ Cmd: ['sh', '-c', cmd], AttachStdout: false, AttachStderr: false });
      await ex.start({ Detach: true });
      const up = await waitForAsync(async () => (await exec(`test -S ${SHOAL_SOCKET_IN_HOST}`)).code === 0, DAEMON_TIMEOUT_MS);
      if (!up) throw new Error(`shoal daemon in ${name} made no socket within ${DAEMON_TIMEOUT_MS}ms; log:\n${(await exec('tail -n 30 /var/log/shoal.log')).stdout}`);
    },
    async stopDaemon(signal = 'SIGTERM') {
      const seconds = Math.ceil(DAEMON_TIMEOUT_MS / 1000);
      // The pidfile holds the daemon's pid (the shell exec'd into it); wait until /proc no longer has it.
      const r = await exec(`pid=$(cat ${DAEMON_PIDFILE} 2>/dev/null) || exit 0; kill -${signal.slice(3)} $pid 2>/dev/null || exit 0; `
        + `for i in $(seq 1 ${seconds * 10}); do [ -d /proc/$pid ] || exit 0; sleep 0.1; done; exit 1`);
      if (r.code !== 0) throw new Error(`shoal daemon in ${name} still runs ${seconds}s after ${signal}`);
    },
  };
  return host;
}

async function waitForDockerd(host: ContainerHost): Promise<void> {
  const up = await waitForAsync(async () => (await host.exec('docker info >/dev/null 2>&1')).code === 0, DOCKERD_TIMEOUT_MS);
  if (!up) throw new Error(`dockerd in container host ${host.name} did not answer within ${DOCKERD_TIMEOUT_MS}ms; log:\n${(await host.exec('tail -n 30 /var/log/dockerd.log')).stdout}`);
}

async function copyImage(outerDockerHost: string, image: string, host: ContainerHost): Promise<void> {
  // No registry: the image goes from the outer engine straight into the host's engine.
  await runShell(`docker save '${image}' | docker exec -i '${host.containerId}' docker load -q`, {
    env: { ...process.env, DOCKER_HOST: outerDockerHost },
    timeoutMs: 120_000,
  });
}
