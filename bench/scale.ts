// `npm run bench -- scale [--nodes N] [--tasks T] [--services S] [--start-latency-ms L]`
// Three real manager daemons (namespace hosts, drained: no task runs on the
// real engine) and N simulated worker nodes (test/support/simulated-nodes.ts:
// the real agent and its mutual-TLS session, only the engine in memory), all
// on this machine. Creates S services totalling T tasks and measures:
//   converge        the first `service create` → every task RUNNING (Control API)
//   sched delay     per task, created (meta) → RUNNING (its status timestamp)
//   api p99         ListServices, ListNodes, ListTasks(one service) latencies
//                   on the leader's local socket while the tasks converge
//   leader rss      the leader daemon's VmRSS at full size
//   node-down       'marking it down' in the managers' logs (0 unless killed)
//   10 % lost       N/10 simulated nodes killed at once → all tasks RUNNING again
//   failover        the leader's daemon SIGKILLed → another manager's Control
//                   API lists every service at full size
// Default size 1,000 nodes / 30,000 tasks; the issue's large size is
// `--nodes 5000 --tasks 100000`. Prints a table, then the summary line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { codec, ControlService, type Task } from '../src/gen/index.js';
import { createClient, type RpcClient } from '../src/rpc/index.js';
import { formSwarm, ok } from '../test/support/cli.js';
import { leaseTestEngine } from '../test/support/engine-lease.js';
import { createNamespaceHosts, type NamespaceHost } from '../test/support/namespace-hosts.js';
import { SimulatedNodes } from '../test/support/simulated-nodes.js';
import { BUSYBOX_IMAGE } from '../test/support/test-images.js';

const WAIT_MS = 600_000;
const log = (msg: string): void => void process.stderr.write(`[scale-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function waitFor<T>(what: string, observe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await observe();
      if (done(last)) return last;
    } catch {
      // keep polling until the deadline
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 200)})`);
    await sleep(250);
  }
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const downMarks = (hosts: readonly NamespaceHost[]): number => hosts.reduce((n, h) => n + (readFileSync(h.logPath, 'utf8').match(/marking it down/g) ?? []).length, 0);

/** Latencies of the Control calls an operator makes, sampled in a loop until `stop` is set. */
async function sampleApi(control: RpcClient<typeof ControlService>, serviceId: () => string, stop: { done: boolean }): Promise<number[]> {
  const latencies: number[] = [];
  while (!stop.done && latencies.length < 30_000) {
    for (const call of [() => control.listServices({}), () => control.listNodes({}), () => control.listTasks({ filter: codec.ListFilter.fromPartial({ serviceIds: [serviceId()] }) })]) {
      const t0 = performance.now();
      try {
        await call();
        latencies.push(performance.now() - t0);
      } catch {
        latencies.push(performance.now() - t0);
      }
    }
    await sleep(100);
  }
  return latencies.sort((a, b) => a - b);
}

const allRunning = (tasks: readonly Task[], total: number): boolean => tasks.filter((t) => t.desiredState === 'RUNNING' && t.status?.state === 'RUNNING').length === total;

/** Entry point called by bench/run.ts. */
export async function main(args: string[]): Promise<void> {
  const nodes = arg(args, '--nodes', 1_000);
  const total = arg(args, '--tasks', 30_000);
  const servicesCount = arg(args, '--services', 200);
  const startLatencyMs = arg(args, '--start-latency-ms', 50);
  const replicas = Math.floor(total / servicesCount);
  const tasksTotal = replicas * servicesCount;
  console.log(`scale bench: 3 manager daemons (namespace hosts) + ${nodes} simulated nodes in this process; ${servicesCount} services × ${replicas} replicas = ${tasksTotal} tasks; simulated start latency ${startLatencyMs} ms`);
  const lease = await leaseTestEngine();
  const env = await createNamespaceHosts({ count: 3, dockerHost: lease.dockerHost });
  const managers = env.hosts;
  const [h1, h2] = managers as [NamespaceHost, NamespaceHost];
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-scale-'));
  let sim: SimulatedNodes | undefined;
  const clients: RpcClient<typeof ControlService>[] = [];
  try {
    await formSwarm(managers, { managers: true });
    for (const h of managers) await ok(h1, ['node', 'update', '--availability', 'drain', h.name]);
    const token = (await ok(h1, ['swarm', 'join-token', '-q', 'worker'])).trim();
    const joinStart = performance.now();
    sim = await SimulatedNodes.start({ managers: managers.map((h) => `${h.ip}:2377`), joinToken: token, count: nodes, namePrefix: 'sim', address: `${env.subnet}.1`, dataDir, log: pino({ level: 'warn' }), executor: { startLatencyMs }, joinConcurrency: 8 });
    const control = createClient(ControlService, `unix://${h1.socketPath}`, { defaultDeadlineMs: 60_000 });
    clients.push(control);
    await waitFor(`${nodes} simulated nodes Ready`, async () => (await control.listNodes({})).nodes.filter((n) => n.status?.state === 'READY').length, (n) => n === nodes + 3);
    const joinS = (performance.now() - joinStart) / 1000;
    log(`${nodes} nodes joined and Ready in ${joinS.toFixed(1)} s`);
    const marksBefore = downMarks(managers);

    // Converge: create every service through the Control API, then wait for every task RUNNING.
    const ids: string[] = [];
    const stop = { done: false };
    const t0 = performance.now();
    const createdAtMs = Date.now();
    const api = sampleApi(control, () => ids[Math.floor(Math.random() * ids.length)] ?? '', stop);
    for (let s = 0; s < servicesCount; s++) {
      const r = await control.createService({ spec: codec.ServiceSpec.fromPartial({ annotations: { name: `load${s}` }, task: { container: { image: BUSYBOX_IMAGE, args: ['sleep', '3600'] } }, mode: { kind: 'REPLICATED', replicas } }) });
      ids.push(r.service?.id ?? '');
    }
    const createdS = (performance.now() - t0) / 1000;
    await waitFor('every simulated container running', async () => sim?.runningContainers() ?? 0, (n) => n === tasksTotal);
    const tasks = await waitFor('every task RUNNING in the store', async () => (await control.listTasks({})).tasks, (t) => allRunning(t, tasksTotal));
    const convergeS = (performance.now() - t0) / 1000;
    stop.done = true;
    const apiLatencies = await api;
    const delays = tasks.filter((t) => t.desiredState === 'RUNNING').map((t) => (t.status?.timestampMs ?? 0) - (t.meta?.createdAtMs ?? createdAtMs)).sort((a, b) => a - b);
    const leaderPid = h1.pid;
    const rss = rssMb(leaderPid);
    const falseDowns = downMarks(managers) - marksBefore;
    log(`converged in ${convergeS.toFixed(1)} s (creates took ${createdS.toFixed(1)} s); leader rss ${rss.toFixed(0)} MB; node-down ${falseDowns}`);

    // 10 % of the workers lost at once.
    const victims = sim.nodes.slice(0, Math.floor(nodes / 10));
    const lost = new Set(victims.map((n) => n.nodeId));
    const k0 = performance.now();
    await sim.kill(victims);
    await waitFor('the lost nodes\' tasks RUNNING elsewhere', async () => (await control.listTasks({})).tasks, (t) => allRunning(t, tasksTotal) && !t.some((x) => x.desiredState === 'RUNNING' && lost.has(x.nodeId)));
    const rescheduleS = (performance.now() - k0) / 1000;
    const downsAfterKill = downMarks(managers) - marksBefore;
    log(`10 % lost: all tasks RUNNING elsewhere after ${rescheduleS.toFixed(1)} s; node-down marks ${downsAfterKill} for ${victims.length} killed`);

    // Leader failover at full size.
    const leader = managers.find((h) => h === h1) as NamespaceHost;
    const other = createClient(ControlService, `unix://${h2.socketPath}`, { defaultDeadlineMs: 10_000 });
    clients.push(other);
    const f0 = performance.now();
    await leader.kill('SIGKILL');
    await waitFor('Control API answering at full size after failover', async () => other.listServices({}), (r) => r.services.length === servicesCount && Object.values(r.statuses).every((s) => s.runningTasks === replicas), 120_000);
    const failoverS = (performance.now() - f0) / 1000;

    const schedP50 = percentile(delays, 50);
    const schedP99 = percentile(delays, 99);
    const apiP99 = percentile(apiLatencies, 99);
    console.log('| measure                                         | value        | target (5,000 / 100,000) |');
    console.log('|-------------------------------------------------|--------------|--------------------------|');
    console.log(`| nodes joined and Ready                          | ${`${joinS.toFixed(1)} s`.padEnd(12)} |                          |`);
    console.log(`| converge (first create → all ${String(tasksTotal).padEnd(6)} RUNNING)    | ${`${convergeS.toFixed(1)} s`.padEnd(12)} | <= 60 s                  |`);
    console.log(`| scheduling delay p50 / p99 (created → RUNNING)  | ${`${schedP50.toFixed(0)} / ${schedP99.toFixed(0)} ms`.padEnd(12)} | p99 <= 400 ms            |`);
    console.log(`| Control API p99 (${String(apiLatencies.length).padStart(5)} calls during converge)  | ${`${apiP99.toFixed(0)} ms`.padEnd(12)} | <= 200 ms                |`);
    console.log(`| leader RSS at full size                         | ${`${rss.toFixed(0)} MB`.padEnd(12)} | <= 2,000 MB              |`);
    console.log(`| node-down transitions, nothing killed           | ${String(falseDowns).padEnd(12)} | 0                        |`);
    console.log(`| 10 % of workers lost → their tasks RUNNING      | ${`${rescheduleS.toFixed(1)} s`.padEnd(12)} | <= 15 s                  |`);
    console.log(`| node-down transitions after killing ${String(victims.length).padEnd(5)}       | ${String(downsAfterKill).padEnd(12)} | = killed                 |`);
    console.log(`| leader SIGKILL → Control API at full size       | ${`${failoverS.toFixed(1)} s`.padEnd(12)} | <= 5 s                   |`);
    console.log(`scale-bench: ${nodes} nodes ${tasksTotal} tasks converged in ${convergeS.toFixed(1)} s; sched p99 ${schedP99.toFixed(0)} ms; api p99 ${apiP99.toFixed(0)} ms; leader rss ${rss.toFixed(0)} MB`);
  } finally {
    for (const c of clients) c.close();
    await sim?.stop().catch(() => undefined);
    await env.teardown();
    await lease.release();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
