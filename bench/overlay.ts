// `npm run bench -- overlay`
// Overlay networks on three namespace hosts (one manager, two workers), one
// shared test engine. A service `perf` (2 replicas, on h1 and h2, network
// perfnet, port 18080 published through the mesh) serves a 600-byte page
// with busybox httpd.
//   (a) TCP throughput, iperf3 -A 0,1 (client and server on their own CPUs),
//       8 rounds taking turns: task on h1 → task on h2 over the overlay
//       (VXLAN), against h1 → h2 over the underlay (the hosts' eth0). Then
//       3 rounds with both on CPU 0: what each path costs in CPU alone.
//   (b) HTTP requests/s, wrk -t2 -c16 -d5s from h3 (no task): through the
//       routing mesh (h3's own address, port 18080) against straight to one
//       task's ingress address (the same VXLAN path, no mesh NAT).
//   (c) DNS propagation: `service scale perf=3`; time from the new container's
//       engine start event to its address answering `tasks.perf` (127.0.0.11)
//       inside a task on the other host. Conservative: RUNNING comes after start.
// iperf3 and wrk are Debian's (installed on first use) and run inside the
// containers' and hosts' network namespaces (nsenter --net), so packets take
// exactly the paths a containerized client's would.
// Prints a table and, last, the summary line.
import { cpus } from 'node:os';
import type Docker from 'dockerode';
import { dockerClient } from '../test/support/docker-engine.js';
import { ensureDebianPackages } from '../test/support/debian-packages.js';
import { leaseTestEngine, type EngineLease } from '../test/support/engine-lease.js';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../test/support/namespace-hosts.js';
import { runCommand } from '../test/support/run-command.js';
import { BUSYBOX_IMAGE, ensureTestImages } from '../test/support/test-images.js';

const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';
const NODE_ID_LABEL = 'com.docker.swarm.node.id';
const WAIT_MS = 120_000;
const ROUNDS = 3;
const IPERF_ROUNDS = 8;
const ONE_CPU_ROUNDS = 3;

const log = (msg: string): void => {
  process.stderr.write(`[overlay-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

async function shoal(host: NamespaceHost, args: string[]): Promise<string> {
  const r = await host.run(args, WAIT_MS);
  if (r.code !== 0) throw new Error(`shoal ${args.join(' ')} on ${host.name} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function until<T>(what: string, observe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await observe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs argv inside a network namespace given by path. */
function inNetns(path: string, argv: string[], timeoutMs = 60_000): ReturnType<typeof runCommand> {
  return runCommand('nsenter', [`--net=${path}`, ...argv], { timeoutMs, allowFailure: true });
}

interface Task { id: string; nodeId: string; netns: string; ingressIp: string; overlayIp: string }

async function perfTasks(docker: Docker, nodeIds: string[]): Promise<Task[]> {
  const list = (await docker.listContainers({ filters: { label: [`${SERVICE_NAME_LABEL}=perf`] } })).filter((c) => nodeIds.includes(c.Labels[NODE_ID_LABEL] ?? ''));
  const tasks: Task[] = [];
  for (const c of list) {
    const pid = (await docker.getContainer(c.Id).inspect()).State.Pid;
    const netns = `/proc/${pid}/ns/net`;
    const addrs = (await inNetns(netns, ['ip', '-o', '-4', 'addr', 'show'])).stdout;
    const on = (ifName: string): string => new RegExp(`^\\d+: ${ifName}\\s+inet (\\S+)/`, 'm').exec(addrs)?.[1] ?? '';
    // Task.networks order: ingress first (eth1), then perfnet (eth2).
    tasks.push({ id: c.Id, nodeId: c.Labels[NODE_ID_LABEL] ?? '', netns, ingressIp: on('eth1'), overlayIp: on('eth2') });
  }
  return tasks;
}

/**
 * Received bits/s of one iperf3 run from `client` to `server` (both netns
 * paths): 6 s, the first (slow start) left out with -O 1, client and server
 * pinned to the CPUs in `affinity` (iperf3 -A client,server).
 */
async function iperfOnce(path: IperfPath, affinity: string): Promise<number> {
  const server = runCommand('nsenter', [`--net=${path.serverNetns}`, 'iperf3', '-s', '-1', '-p', '5299'], { timeoutMs: 60_000, allowFailure: true });
  await new Promise((r) => setTimeout(r, 500));
  const out = await inNetns(path.clientNetns, ['iperf3', '-c', path.serverIp, '-p', '5299', '-t', '6', '-O', '1', '-A', affinity, '-J']);
  await server;
  const bps = (JSON.parse(out.stdout) as { end?: { sum_received?: { bits_per_second?: number } } }).end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error(`iperf3 to ${path.serverIp} gave no result: ${out.stderr.trim() || out.stdout.slice(0, 200)}`);
  return bps;
}

interface IperfPath { serverNetns: string; clientNetns: string; serverIp: string }

/** bits/s of each run, per path; the paths take turns round by round so drift in the host's load hits both alike. */
async function iperfSideBySide(paths: readonly IperfPath[], rounds: number, affinity: string): Promise<number[][]> {
  const runs = paths.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, path] of paths.entries()) runs[i]?.push(await iperfOnce(path, affinity));
  }
  return runs;
}

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);

/** Mean requests/s of wrk against `url` from a netns. */
async function wrk(clientNetns: string, url: string): Promise<number> {
  const results: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const out = await inNetns(clientNetns, ['wrk', '-t2', '-c16', '-d5s', url]);
    const rps = Number(/Requests\/sec:\s*([\d.]+)/.exec(out.stdout)?.[1]);
    const errors = /Non-2xx|Socket errors/.exec(out.stdout);
    if (!Number.isFinite(rps) || errors !== null) throw new Error(`wrk ${url}: ${out.stdout.trim()} ${out.stderr.trim()}`);
    results.push(rps);
  }
  return results.reduce((a, b) => a + b, 0) / results.length;
}

/** Milliseconds from the new task's container start to its address resolving in a task on another host. */
async function dnsPropagation(docker: Docker, manager: NamespaceHost, nodeIds: string[]): Promise<number> {
  const before = await perfTasks(docker, nodeIds);
  const sinceS = Math.floor(Date.now() / 1000) - 1;
  const scaled = shoal(manager, ['service', 'scale', '--detach', 'perf=3']);
  const started = await until('the new task container', async () => {
    const all = (await docker.listContainers({ filters: { label: [`${SERVICE_NAME_LABEL}=perf`] } })).filter((c) => nodeIds.includes(c.Labels[NODE_ID_LABEL] ?? ''));
    return all.find((c) => !before.some((b) => b.id === c.Id));
  }, (c) => c !== undefined);
  const newNode = started?.Labels[NODE_ID_LABEL] ?? '';
  const asker = before.find((t) => t.nodeId !== newNode);
  if (asker === undefined) throw new Error('no task on another host to ask from');
  const known = new Set(before.map((t) => t.overlayIp));
  const answered = await until('tasks.perf to answer 3 addresses', async () => {
    const out = (await inNetns(asker.netns, ['busybox', 'nslookup', 'tasks.perf', '127.0.0.11'], 5_000)).stdout;
    const ips = [...out.matchAll(/Address:\s*(10\.\d+\.\d+\.\d+)/g)].map((m) => m[1] ?? '');
    return { at: Date.now(), fresh: ips.filter((ip) => !known.has(ip)) };
  }, (r) => r.fresh.length > 0);
  await scaled;
  // The engine's start event time for the new container (nanoseconds).
  const events = await docker.getEvents({ since: sinceS, until: Math.ceil(Date.now() / 1000), filters: { type: ['container'], event: ['start'], container: [started?.Id ?? ''] } });
  const text = await new Promise<string>((resolve) => {
    let buf = '';
    events.on('data', (chunk: Buffer) => (buf += chunk.toString('utf8')));
    events.on('end', () => resolve(buf));
    events.on('close', () => resolve(buf));
  });
  const startNs = Number((JSON.parse(text.trim().split('\n')[0] ?? '{}') as { timeNano?: number }).timeNano ?? 0);
  if (startNs === 0) throw new Error('no start event for the new container');
  await shoal(manager, ['service', 'scale', 'perf=2']);
  await until('back to 2 tasks', () => perfTasks(docker, nodeIds), (t) => t.length === 2);
  return answered.at - startNs / 1e6;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Entry point. */
export async function main(): Promise<void> {
  let engine: EngineLease | undefined;
  let env: NamespaceHosts | undefined;
  try {
    await ensureDebianPackages(['iperf3', 'wrk']);
    engine = await leaseTestEngine();
    process.env.DOCKER_HOST = engine.dockerHost;
    const docker = dockerClient(engine.dockerHost);
    await ensureTestImages(docker);
    log(`load average at start: ${(await runCommand('cat', ['/proc/loadavg'])).stdout.trim()}`);
    env = await createNamespaceHosts({ count: 3, dockerHost: engine.dockerHost });
    const [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    const init = await shoal(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    const token = /--token (SWMTKN-1-\S+)/.exec(init)?.[1] ?? '';
    for (const h of [h2, h3]) await shoal(h, ['swarm', 'join', '--token', token, `${h1.ip}:2377`]);
    const nodeIds = await until('three Ready nodes', async () => (await shoal(h1, ['node', 'ls', '-q'])).trim().split('\n').filter(Boolean), (ids) => ids.length === 3);
    const hostOf = new Map<string, NamespaceHost>();
    for (const h of [h1, h2, h3]) hostOf.set(/NodeID:\s*(\S+)/.exec(await shoal(h, ['info']))?.[1] ?? '', h);
    await shoal(h1, ['network', 'create', '-d', 'overlay', 'perfnet']);
    await shoal(h1, ['service', 'create', '--name', 'perf', '--replicas', '2', '--network', 'perfnet', '-p', '18080:80', '--constraint', 'node.hostname!=h3',
      BUSYBOX_IMAGE, 'sh', '-c', 'mkdir -p /w && head -c 600 /dev/zero | tr "\\0" x > /w/index.html && exec httpd -f -p 80 -h /w']);
    const tasks = await until('2 perf tasks with overlay addresses', () => perfTasks(docker, nodeIds), (t) => t.length === 2 && t.every((x) => x.overlayIp !== '' && x.ingressIp !== ''));
    const [a, b] = tasks as [Task, Task];
    const hostA = hostOf.get(a.nodeId);
    const hostB = hostOf.get(b.nodeId);
    if (hostA === undefined || hostB === undefined || hostA === hostB) throw new Error('the two perf tasks are not on two different hosts');
    log(`tasks: ${a.overlayIp} on ${hostA.name}, ${b.overlayIp} on ${hostB.name}`);

    log('iperf3 over the overlay and over the underlay');
    const iperfPaths: IperfPath[] = [
      { serverNetns: b.netns, clientNetns: a.netns, serverIp: b.overlayIp },
      { serverNetns: `/run/netns/${hostB.netnsName}`, clientNetns: `/run/netns/${hostA.netnsName}`, serverIp: hostB.ip },
    ];
    // Client on CPU 0 and server on CPU 1, as iperf3 is usually run: on a
    // 2-core host this keeps the scheduler's placement of the two processes
    // from deciding a run. All on CPU 0 measures what each path costs in CPU
    // alone, since one core then does every step of both "hosts".
    const twoCpus = cpus().length >= 2;
    const affinity = twoCpus ? '0,1' : '0,0';
    const [overlayRuns = [], underlayRuns = []] = await iperfSideBySide(iperfPaths, IPERF_ROUNDS, affinity);
    const [overlayOneCpu = [], underlayOneCpu = []] = twoCpus ? await iperfSideBySide(iperfPaths, ONE_CPU_ROUNDS, '0,0') : [overlayRuns, underlayRuns];
    const overlayBps = mean(overlayRuns);
    const underlayBps = mean(underlayRuns);
    log('wrk through the mesh (from h3, no task) and straight to a task');
    const h3ns = `/run/netns/${h3.netnsName}`;
    const meshRps = await wrk(h3ns, `http://${h3.ip}:18080/`);
    const directRps = await wrk(h3ns, `http://${a.ingressIp}:80/`);
    log('DNS propagation');
    const dns: number[] = [];
    for (let i = 0; i < ROUNDS; i++) dns.push(await dnsPropagation(docker, h1, nodeIds));
    log(`load average at end: ${(await runCommand('cat', ['/proc/loadavg'])).stdout.trim()}`);

    const r1 = overlayBps / underlayBps;
    const r2 = meshRps / directRps;
    const m = median(dns);
    const gbit = (bps: number): string => `${(bps / 1e9).toFixed(2)} Gbit/s`;
    const spread = (runs: readonly number[]): string => `${(Math.min(...runs) / 1e9).toFixed(1)}–${(Math.max(...runs) / 1e9).toFixed(1)}`;
    console.log([
      '| measure | value |',
      '|---|---|',
      `| TCP task→task over the overlay (iperf3 -A ${affinity}, mean of ${IPERF_ROUNDS} × 5 s after 1 s warm-up, taking turns with the underlay) | ${gbit(overlayBps)} (${spread(overlayRuns)}) |`,
      `| TCP host→host over the underlay (same) | ${gbit(underlayBps)} (${spread(underlayRuns)}) |`,
      `| the same, both on one CPU (-A 0,0, ${overlayOneCpu.length} rounds): overlay / underlay | ${gbit(mean(overlayOneCpu))} / ${gbit(mean(underlayOneCpu))} = ${(mean(overlayOneCpu) / mean(underlayOneCpu)).toFixed(2)} |`,
      `| HTTP via the routing mesh from a node with no task (wrk -t2 -c16, mean of ${ROUNDS} × 5 s) | ${meshRps.toFixed(0)} req/s |`,
      `| HTTP straight to one task's ingress address | ${directRps.toFixed(0)} req/s |`,
      `| DNS propagation, container start → tasks.perf answers on another host (${ROUNDS} runs) | ${dns.map((d) => d.toFixed(0)).join(', ')} ms |`,
    ].join('\n'));
    console.log(`overlay-bench: overlay/underlay ${r1.toFixed(2)}, mesh/direct ${r2.toFixed(2)}, dns-propagation ${m.toFixed(0)} ms`);
  } finally {
    await env?.teardown();
    await engine?.release();
  }
}
