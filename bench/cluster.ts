// `npm run bench -- cluster [--skip-swarm] [--skip-shoal]`
// Docker Swarm mode (`docker swarm init` on the test engine, one node) and
// shoal (one namespace host, then three: one manager and two workers), side
// by side on the same dockerd, with the same image and command (busybox
// `sleep 3600`, no published ports), next to the engine alone (50 containers
// created and started straight through its API, the floor both stand on):
//   converge 50     `service create --replicas 50` until 50 task containers run
//   scale 50→100    `service scale` until 100 run
//   scale 100→10    `service scale` until only 10 containers of the service run
//   worker death    (shoal, 3 hosts) SIGKILL a worker's daemon and remove its task
//                   containers, until `service ps` shows the desired count running
//                   on the other nodes
//   manager restart (shoal, 1 host) SIGKILL the only manager's daemon, start it
//                   again, until `service ls` answers
//   leader failover (shoal, 3 hosts, after the worker death: h3 back, h2 and h3
//                   promoted in one command) SIGKILL the leader's daemon, until `service ls` on
//                   h2 answers (through whichever manager now leads)
// Every convergence is timed on the engine (running containers labelled
// com.docker.swarm.service.id=<service id>, the same label for both systems)
// and then confirmed through each system's own `service ls`.
// Each shoal daemon log is copied to $TMPDIR/shoal-cluster-bench-<pid>/ before teardown.
// Prints a table and, last, the summary line.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { dockerClient } from '../test/support/docker-engine.js';
import { leaseTestEngine, type EngineLease } from '../test/support/engine-lease.js';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../test/support/namespace-hosts.js';
import { runCommand } from '../test/support/run-command.js';
import { BUSYBOX_IMAGE, ensureTestImages } from '../test/support/test-images.js';

const SERVICE_ID_LABEL = 'com.docker.swarm.service.id';
const NODE_ID_LABEL = 'com.docker.swarm.node.id';
/** Every wait is bounded by this. */
const WAIT_MS = 180_000;
const POLL_MS = 100;
const TASK_CMD = ['sleep', '3600'];
/** Daemon logs are copied here before each teardown (teardown removes the hosts' temp dir). */
const LOG_DIR = join(tmpdir(), `shoal-cluster-bench-${process.pid}`);

function keepLogs(set: NamespaceHosts, label: string): void {
  mkdirSync(LOG_DIR, { recursive: true });
  for (const h of set.hosts) {
    if (existsSync(h.logPath)) copyFileSync(h.logPath, join(LOG_DIR, `${label}-${h.name}.log`));
  }
  log(`${label}: daemon logs kept in ${LOG_DIR}/${label}-h*.log`);
}

type Measure = 'converge50' | 'scaleUp' | 'scaleDown' | 'workerDeath' | 'managerRecovery' | 'leaderFailover' | 'nodeDowns';
/** Seconds, or a string saying why there is no number. */
type Cell = number | string;
type Column = Partial<Record<Measure, Cell>>;

const ROWS: [Measure, string][] = [
  ['converge50', 'converge 50 (service create)'],
  ['scaleUp', 'scale 50 → 100'],
  ['scaleDown', 'scale 100 → 10'],
  ['workerDeath', 'worker death → replacements running'],
  ['managerRecovery', 'only manager restarted → Control API answers'],
  ['leaderFailover', 'leader killed → Control API answers (3 managers)'],
  ['nodeDowns', 'nodes marked Down (by the phases without / with a kill)'],
];

/** How many times the managers marked a node Down, from the daemons' logs. */
function downMarks(set: NamespaceHosts): number {
  return set.hosts.reduce((n, h) => n + (existsSync(h.logPath) ? (readFileSync(h.logPath, 'utf8').match(/marking it down/g) ?? []).length : 0), 0);
}

const log = (msg: string): void => {
  process.stderr.write(`[cluster-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const now = (): number => performance.now();
const secs = (ms: number): number => ms / 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `observe` until `ok` holds; throws a clear error after WAIT_MS. Returns the time (performance.now) it first held. */
async function waitTill<T>(what: string, observe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = WAIT_MS): Promise<number> {
  const deadline = now() + timeoutMs;
  let last: T | undefined;
  let lastError = '';
  for (;;) {
    try {
      last = await observe();
      if (ok(last)) return now();
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(last)}${lastError ? `; last error: ${lastError}` : ''}`);
    }
    await sleep(POLL_MS);
  }
}

/** Running containers of a service on the engine (both systems label task containers with the service ID). */
async function runningContainers(docker: Docker, serviceId: string): Promise<number> {
  return (await containerCounts(docker, serviceId)).running;
}

async function allContainers(docker: Docker, serviceId: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [`${SERVICE_ID_LABEL}=${serviceId}`] } })).length;
}

/** Running and all (stopped included) containers of a service on the engine. */
async function containerCounts(docker: Docker, serviceId: string): Promise<{ running: number; all: number }> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${SERVICE_ID_LABEL}=${serviceId}`] } });
  return { running: list.filter((c) => c.State === 'running').length, all: list.length };
}

/**
 * Times `act` until exactly `count` containers of the service run on the engine. Returns
 * seconds from the start of `act`; logs when the first container change was seen.
 */
async function timeToRunning(docker: Docker, what: string, serviceId: () => string, count: number, act: () => Promise<void>): Promise<number> {
  const t0 = now();
  await act();
  const tAct = now();
  const before = await containerCounts(docker, serviceId());
  let firstChange: number | undefined;
  const t1 = await waitTill(`${what}: ${count} running containers`, () => containerCounts(docker, serviceId()), (c) => {
    if (firstChange === undefined && (c.running !== before.running || c.all !== before.all)) firstChange = now();
    return c.running === count;
  });
  log(`${what}: command returned after ${secs(tAct - t0).toFixed(2)} s, first container change seen after ${firstChange === undefined ? '?' : secs(firstChange - t0).toFixed(2)} s, done after ${secs(t1 - t0).toFixed(2)} s`);
  return secs(t1 - t0);
}

/** Notes for the output: things observed that the table does not show. */
const notes: string[] = [];
const LEFTOVER_WAIT_MS = 30_000;

/** After a scale-down reached `count` running: waits (bounded) until no other container of the service is left, and notes it if some stay. */
async function leftovers(label: string, docker: Docker, serviceId: string, count: number): Promise<void> {
  const t0 = now();
  try {
    await waitTill(`${label}: only ${count} containers of the service left`, () => allContainers(docker, serviceId), (n) => n === count, LEFTOVER_WAIT_MS);
    notes.push(`${label}: after scale 100 → 10, the stopped containers were removed ${secs(now() - t0).toFixed(2)} s after 10 were left running`);
    log(notes.at(-1) ?? '');
  } catch {
    const n = await allContainers(docker, serviceId);
    notes.push(`${label}: after scale 100 → 10, ${n - count} stopped containers of the service were still on the engine ${LEFTOVER_WAIT_MS / 1000} s after 10 were left running (not removed)`);
    log(notes.at(-1) ?? '');
  }
}

// ---------------------------------------------------------------- Docker Swarm

async function benchSwarm(docker: Docker, dockerHost: string, col: Column): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: dockerHost };
  const dockerCli = async (args: string[], allowFailure = false): Promise<string> =>
    (await runCommand('docker', args, { env, timeoutMs: 60_000, allowFailure })).stdout.trim();
  const state = await dockerCli(['info', '--format', '{{.Swarm.LocalNodeState}}']);
  if (state !== 'inactive') {
    log(`engine is in swarm state "${state}"; leaving it first`);
    await dockerCli(['swarm', 'leave', '--force']);
  }
  // By image ID: swarm's executor skips the registry pull only for an image referenced by ID
  // (this image exists only locally, and nothing may leave the machine).
  const imageId = (await docker.getImage(BUSYBOX_IMAGE).inspect()).Id;
  const name = `shoalbench${process.pid}`;
  let serviceId = '';
  try {
    await dockerCli(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    log('docker swarm init done');
    const replicasIn = async (): Promise<string> => dockerCli(['service', 'ls', '--filter', `name=${name}`, '--format', '{{.Replicas}}']);
    col.converge50 = await timeToRunning(docker, 'swarm converge 50', () => serviceId, 50, async () => {
      serviceId = await dockerCli(['service', 'create', '--detach', '--quiet', '--no-resolve-image', '--name', name, '--replicas', '50', imageId, ...TASK_CMD]);
    });
    await waitTill('swarm service ls 50/50', replicasIn, (r) => r === '50/50', 30_000);
    log(`swarm converge 50: ${col.converge50.toFixed(2)} s`);
    col.scaleUp = await timeToRunning(docker, 'swarm scale 100', () => serviceId, 100, async () => {
      await dockerCli(['service', 'scale', '--detach', `${name}=100`]);
    });
    await waitTill('swarm service ls 100/100', replicasIn, (r) => r === '100/100', 30_000);
    log(`swarm scale 50 → 100: ${col.scaleUp.toFixed(2)} s`);
    col.scaleDown = await timeToRunning(docker, 'swarm scale 10', () => serviceId, 10, async () => {
      await dockerCli(['service', 'scale', '--detach', `${name}=10`]);
    });
    await waitTill('swarm service ls 10/10', replicasIn, (r) => r === '10/10', 30_000);
    log(`swarm scale 100 → 10: ${col.scaleDown.toFixed(2)} s`);
    await leftovers('Docker Swarm', docker, serviceId, 10);
    col.workerDeath = 'n/a (single engine)';
    col.nodeDowns = 'n/a (single engine)';
    col.managerRecovery = 'n/a (single engine)';
    col.leaderFailover = 'n/a (single engine)';
  } finally {
    if (serviceId) {
      await dockerCli(['service', 'rm', serviceId], true);
      await waitTill('swarm service containers removed', () => allContainers(docker, serviceId), (n) => n === 0, 60_000).catch((e: Error) => log(e.message));
    }
    const left = await runCommand('docker', ['swarm', 'leave', '--force'], { env, timeoutMs: 60_000, allowFailure: true });
    log(`docker swarm leave --force: ${left.code === 0 ? 'done' : `exit ${left.code}: ${left.stderr.trim()}`}`);
  }
}

// ---------------------------------------------------------------- the engine alone

/**
 * The floor both orchestrators stand on: 50 containers of the same image and
 * command created and started straight through the engine API, all at once,
 * labelled like a service's so the same counter times them.
 */
async function benchEngineAlone(docker: Docker, col: Column): Promise<void> {
  const serviceId = `engine-floor-${process.pid}`;
  try {
    col.converge50 = await timeToRunning(docker, 'engine alone 50', () => serviceId, 50, async () => {
      await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const c = await docker.createContainer({ name: `shoal-bench-floor-${process.pid}-${i}`, Image: BUSYBOX_IMAGE, Cmd: TASK_CMD, Labels: { [SERVICE_ID_LABEL]: serviceId } });
        await c.start();
      }));
    });
    log(`engine alone: 50 created and started in ${col.converge50.toFixed(2)} s`);
  } finally {
    const list = await docker.listContainers({ all: true, filters: { label: [`${SERVICE_ID_LABEL}=${serviceId}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }
  for (const m of ['scaleUp', 'scaleDown', 'workerDeath', 'managerRecovery', 'leaderFailover', 'nodeDowns'] as const) col[m] = 'n/a';
}

// ---------------------------------------------------------------- shoal

async function shoal(host: NamespaceHost, args: string[]): Promise<string> {
  const r = await host.run(args, 60_000);
  if (r.code !== 0) throw new Error(`shoal ${args.join(' ')} on ${host.name} exited ${r.code}: ${(r.stderr || r.stdout).trim()} (daemon log ${host.logPath})`);
  return r.stdout;
}

async function serviceReplicas(host: NamespaceHost, name: string): Promise<string> {
  const out = await shoal(host, ['service', 'ls', '--format', 'json']);
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const row = JSON.parse(line) as { Name: string; Replicas: string };
    if (row.Name === name) return row.Replicas;
  }
  return 'absent';
}

interface TaskRow { Name: string; Node: string; DesiredState: string; CurrentState: string }

async function runningTasks(host: NamespaceHost, name: string): Promise<TaskRow[]> {
  const out = await shoal(host, ['service', 'ps', name, '--format', 'json']);
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TaskRow)
    .filter((r) => r.DesiredState === 'Running' && r.CurrentState.startsWith('Running'));
}

function nodeIdOf(host: NamespaceHost): string {
  const state = JSON.parse(readFileSync(join(host.dataRoot, 'swarm', 'state.json'), 'utf8')) as { nodeId?: string };
  if (!state.nodeId) throw new Error(`${host.name} has no node ID in its data root`);
  return state.nodeId;
}

/** converge 50, scale 100, scale 10 on a formed swarm whose manager is `mgr`; the service is left at 10 replicas. */
async function shoalServiceCycle(label: string, docker: Docker, mgr: NamespaceHost, name: string, col: Column): Promise<string> {
  let serviceId = '';
  col.converge50 = await timeToRunning(docker, `${label} converge 50`, () => serviceId, 50, async () => {
    const out = await shoal(mgr, ['service', 'create', '-d', '--name', name, '--replicas', '50', BUSYBOX_IMAGE, ...TASK_CMD]);
    serviceId = out.trim().split('\n')[0] ?? '';
  });
  await waitTill(`${label} service ls 50/50`, () => serviceReplicas(mgr, name), (r) => r === '50/50', 30_000);
  log(`${label} converge 50: ${col.converge50.toFixed(2)} s`);
  col.scaleUp = await timeToRunning(docker, `${label} scale 100`, () => serviceId, 100, async () => {
    await shoal(mgr, ['service', 'scale', '-d', `${name}=100`]);
  });
  await waitTill(`${label} service ls 100/100`, () => serviceReplicas(mgr, name), (r) => r === '100/100', 30_000);
  log(`${label} scale 50 → 100: ${col.scaleUp.toFixed(2)} s`);
  col.scaleDown = await timeToRunning(docker, `${label} scale 10`, () => serviceId, 10, async () => {
    await shoal(mgr, ['service', 'scale', '-d', `${name}=10`]);
  });
  await waitTill(`${label} service ls 10/10`, () => serviceReplicas(mgr, name), (r) => r === '10/10', 30_000);
  log(`${label} scale 100 → 10: ${col.scaleDown.toFixed(2)} s`);
  await leftovers(label, docker, serviceId, 10);
  return serviceId;
}

/** SIGKILL the manager's daemon, start it again; seconds from the kill until `service ls` answers. */
async function managerRestart(label: string, mgr: NamespaceHost): Promise<number> {
  const t0 = now();
  await mgr.kill('SIGKILL');
  await mgr.start();
  const t1 = await waitTill(`${label} service ls answering after the manager restart`, async () => (await mgr.run(['service', 'ls'], 10_000)).code, (c) => c === 0);
  log(`${label} manager restart → Control API answers: ${secs(t1 - t0).toFixed(2)} s`);
  return secs(t1 - t0);
}

async function benchShoalOne(dockerHost: string, col: Column): Promise<void> {
  const set = await createNamespaceHosts({ count: 1, dockerHost });
  try {
    const [h1] = set.hosts as [NamespaceHost];
    await shoal(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    log(`shoal 1 node: swarm init on ${h1.name} (${h1.ip}), log ${h1.logPath}`);
    const name = 'b50';
    await shoalServiceCycle('shoal 1 node', set.docker, h1, name, col);
    col.workerDeath = 'n/a (one node)';
    const downsBeforeRestart = downMarks(set);
    col.managerRecovery = await managerRestart('shoal 1 node', h1);
    col.nodeDowns = `${downsBeforeRestart} / ${downMarks(set) - downsBeforeRestart} (restart)`;
    col.leaderFailover = 'n/a (one manager)';
    await shoal(h1, ['service', 'rm', name]);
  } finally {
    keepLogs(set, 'one');
    await set.teardown();
  }
}

async function benchShoalThree(dockerHost: string, col: Column): Promise<void> {
  const set: NamespaceHosts = await createNamespaceHosts({ count: 3, dockerHost });
  try {
    const [h1, h2, h3] = set.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    const docker = set.docker;
    const init = await shoal(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    const token = /--token (SWMTKN-1-\S+)/.exec(init)?.[1];
    if (!token) throw new Error(`no join token in swarm init's output: ${init}`);
    for (const h of [h2, h3]) await shoal(h, ['swarm', 'join', '--token', token, `${h1.ip}:2377`]);
    await waitTill('three Ready nodes', async () => (await shoal(h1, ['node', 'ls'])).match(/ Ready /g)?.length ?? 0, (n) => n === 3, 30_000);
    log(`shoal 3 nodes: formed (h1 manager, h2 h3 workers); logs ${set.hosts.map((h) => h.logPath).join(' ')}`);
    const name = 'b50';
    const serviceId = await shoalServiceCycle('shoal 3 nodes', docker, h1, name, col);

    // Back to 50, spread over the three nodes, then h3 dies.
    await shoal(h1, ['service', 'scale', '-d', `${name}=50`]);
    await waitTill('shoal 3 nodes: 50 running again', () => runningContainers(docker, serviceId), (n) => n === 50);
    await waitTill('shoal 3 nodes: 50 running tasks in service ps', () => runningTasks(h1, name), (r) => r.length === 50, 30_000);
    const perNode = (rows: TaskRow[]): string => ['h1', 'h2', 'h3'].map((n) => `${n}=${rows.filter((r) => r.Node === n).length}`).join(' ');
    log(`shoal 3 nodes: 50 running, ${perNode(await runningTasks(h1, name))}`);
    const victimNode = nodeIdOf(h3);
    const downsBeforeKill = downMarks(set);
    const t0 = now();
    await h3.kill('SIGKILL');
    const victims = await docker.listContainers({ all: true, filters: { label: [`${NODE_ID_LABEL}=${victimNode}`, `${SERVICE_ID_LABEL}=${serviceId}`] } });
    await Promise.all(victims.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    const tRemoved = now();
    log(`shoal 3 nodes: killed h3's daemon and removed its ${victims.length} task containers in ${secs(tRemoved - t0).toFixed(2)} s`);
    // On the engine first (cheap to poll): 50 running, none of them h3's.
    const tEngine = await waitTill('shoal 3 nodes: 50 running containers, none on h3', async () => {
      const list = await docker.listContainers({ filters: { label: [`${SERVICE_ID_LABEL}=${serviceId}`] } });
      return list.filter((c) => c.Labels[NODE_ID_LABEL] !== victimNode).length;
    }, (n) => n === 50);
    const t1 = await waitTill('shoal 3 nodes: 50 running tasks on h1 and h2', () => runningTasks(h1, name), (r) => r.length === 50 && r.every((t) => t.Node !== 'h3'));
    col.workerDeath = secs(t1 - t0);
    notes.push(`shoal 3 nodes: worker death: 50 containers running on h1 and h2 (on the engine) after ${secs(tEngine - t0).toFixed(2)} s, \`service ps\` showing 50 running after ${col.workerDeath.toFixed(2)} s (both from the SIGKILL; removing h3's containers took ${secs(tRemoved - t0).toFixed(2)} s of that)`);
    log(`shoal 3 nodes: worker death → replacements running: ${col.workerDeath.toFixed(2)} s (${perNode(await runningTasks(h1, name))}; engine: ${await runningContainers(docker, serviceId)} running)`);

    // Leader failover: h3 comes back, h2 and h3 become managers, then the leader (h1) dies.
    await h3.start();
    await waitTill('shoal 3 nodes: h3 Ready again', async () => (await shoal(h1, ['node', 'ls'])).match(/ Ready /g)?.length ?? 0, (n) => n === 3, 60_000);
    // Both in one command: the second Raft membership change waits for the first.
    await shoal(h1, ['node', 'promote', h2.name, h3.name]);
    await waitTill('shoal 3 nodes: h2 and h3 Reachable managers', async () => (await shoal(h1, ['node', 'ls'])).match(/Reachable/g)?.length ?? 0, (n) => n === 2, 60_000);
    // Reachable is shown once a manager has a session; give Raft the moment to make both voters.
    await waitTill('shoal 3 nodes: h2 answers as a manager', async () => (await h2.run(['service', 'ls'], 10_000)).code, (c) => c === 0, 30_000);
    await sleep(3_000);
    col.managerRecovery = 'see failover row';
    const tKill = now();
    await h1.kill('SIGKILL');
    const tAnswer = await waitTill('shoal 3 nodes: service ls on h2 answering after the leader died', async () => (await h2.run(['service', 'ls'], 10_000)).code, (c) => c === 0);
    col.leaderFailover = secs(tAnswer - tKill);
    col.nodeDowns = `${downsBeforeKill} / ${downMarks(set) - downsBeforeKill} (h3, h1 killed)`;
    const leaderNow = (await shoal(h2, ['node', 'ls'])).split('\n').find((l) => /Leader/.test(l)) ?? '?';
    log(`shoal 3 nodes: leader killed → Control API answers on h2: ${col.leaderFailover.toFixed(2)} s (leader now: ${leaderNow.trim()})`);
    await shoal(h2, ['service', 'rm', name]);
  } finally {
    keepLogs(set, 'three');
    await set.teardown();
  }
}

// ---------------------------------------------------------------- table

function cell(c: Cell | undefined): string {
  if (c === undefined) return 'not run';
  return typeof c === 'number' ? `${c.toFixed(2)} s` : c;
}

function table(cols: [string, Column][]): string {
  const header = ['measure', ...cols.map(([h]) => h)];
  const rows = ROWS.map(([m, label]) => [label, ...cols.map(([, c]) => cell(c[m]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export async function main(args: string[]): Promise<void> {
  const skipSwarm = args.includes('--skip-swarm');
  const skipShoal = args.includes('--skip-shoal');
  const t0 = now();
  let engine: EngineLease | undefined;
  const swarm: Column = {};
  const floor: Column = {};
  const one: Column = {};
  const three: Column = {};
  const failures: string[] = [];
  const attempt = async (label: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      failures.push(`${label}: ${msg}`);
      log(`${label} FAILED: ${msg}`);
    }
  };
  try {
    engine = await leaseTestEngine();
    process.env.DOCKER_HOST = engine.dockerHost;
    const docker = dockerClient(engine.dockerHost);
    await ensureTestImages(docker);
    const info = await docker.info() as { ServerVersion?: string; NCPU?: number };
    log(`engine ${engine.dockerHost} (Docker ${info.ServerVersion ?? '?'}, ${info.NCPU ?? '?'} CPUs)`);
    const loadAvg = (await runCommand('cat', ['/proc/loadavg'])).stdout.trim();
    log(`load average at start: ${loadAvg}`);
    await attempt('engine alone', () => benchEngineAlone(docker, floor));
    if (!skipSwarm) await attempt('Docker Swarm', () => benchSwarm(docker, engine!.dockerHost, swarm));
    if (!skipShoal) {
      await attempt('shoal 1 node', () => benchShoalOne(engine!.dockerHost, one));
      await attempt('shoal 3 nodes', () => benchShoalThree(engine!.dockerHost, three));
    }
    log(`load average at end: ${(await runCommand('cat', ['/proc/loadavg'])).stdout.trim()}; total ${secs(now() - t0).toFixed(0)} s`);
  } finally {
    await engine?.release();
  }
  console.log(table([['shoal 1 node', one], ['shoal 3 nodes', three], ['Docker Swarm (1 engine)', swarm], ['engine alone (50 × create+start)', floor]]));
  console.log('Swarm reference (the issue): worker death → replacements running about 15-22 s; leader failover 10-20 s.');
  console.log('shoal "only manager restarted": SIGKILL, start, first `service ls`; "leader killed": SIGKILL the leader of three managers, first `service ls` on another.');
  for (const n of notes) console.log(`note: ${n}`);
  for (const f of failures) console.log(`FAILED ${f}`);
  const s1 = one.converge50;
  const s2 = swarm.converge50;
  const fmt = (v: Cell | undefined): string => (typeof v === 'number' ? v.toFixed(2) : 'n/a');
  const ratio = typeof s1 === 'number' && typeof s2 === 'number' ? (s1 / s2).toFixed(2) : 'n/a';
  console.log(`cluster-bench: converge50 shoal ${fmt(s1)} s, swarm ${fmt(s2)} s, ratio ${ratio}`);
  if (failures.length > 0) process.exitCode = 1;
}
