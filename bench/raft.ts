// `npm run bench -- raft [--seconds S] [--clients C] [--value-bytes B]`
// Three shoal Raft members (separate processes, level on disk, gRPC with
// mutual TLS) against three etcd members (Debian's etcd-server), both on
// loopback, under the same load: C concurrent clients each writing B-byte
// values as fast as acknowledgements come back, over keep-alive HTTP (shoal's
// member process API; etcd's v3 JSON gateway /v3/kv/put), to the leader.
// Prints a table and, last, the summary line.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, ProcessCluster, putFollowingLeader } from '../test/sim/process-cluster.js';

interface Outcome {
  system: string;
  ops: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  /** Leader SIGKILLed after the load → the next write acknowledged (ms); NaN if none within the bound. */
  failoverMs?: number;
}

/**
 * Both systems snapshot at the same interval: etcd 3.4's default
 * (--snapshot-count 100000), passed to etcd explicitly and given to shoal's
 * members (whose test default is 20,000; the manager's is Swarm's 10,000).
 */
const SNAPSHOT_EVERY_ENTRIES = 100_000;

/** Bound on waiting for a write after killing the leader. */
const FAILOVER_WAIT_MS = 15_000;

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Run `clients` loops of `once()` for `seconds`; bounded in time and count. */
async function load(system: string, clients: number, seconds: number, once: (client: number, i: number) => Promise<boolean>): Promise<Outcome> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const maxOps = 2_000_000;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; performance.now() < end && latenciesMs.length < maxOps; i++) {
      const t0 = performance.now();
      if (await once(c, i)) latenciesMs.push(performance.now() - t0);
      else errors++;
    }
  }));
  return { system, ops: latenciesMs.length, errors, seconds: (performance.now() - start) / 1000, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

function valueOf(bytes: number, c: number, i: number): string {
  const base = `c${c}i${i}-`;
  return (base + 'x'.repeat(Math.max(0, bytes - base.length))).slice(0, bytes);
}

async function benchShoal(clients: number, seconds: number, valueBytes: number): Promise<Outcome> {
  const cluster = await ProcessCluster.start(3, { tickMs: 100, electionTicks: 10, snapshotEveryEntries: SNAPSHOT_EVERY_ENTRIES });
  try {
    const leader = await cluster.waitForLeader(15_000);
    const port = cluster.httpPort(leader);
    // Warm up connections and the JIT.
    await load('shoal-warmup', clients, 1, async (c, i) => (await call(port, 'POST', '/put', JSON.stringify({ key: `warm${c}-${i}`, value: 'w' }))).status === 200);
    const outcome = await load('shoal', clients, seconds, async (c, i) => {
      const r = await call(port, 'POST', '/put', JSON.stringify({ key: `k${(c * 7919 + i) % 100_000}`, value: valueOf(valueBytes, c, i) }));
      return r.status === 200;
    });
    // Failover: SIGKILL the leader, time until a surviving member acknowledges a write.
    const t0 = performance.now();
    cluster.kill(leader, 'SIGKILL');
    const hint = { leader: 0 };
    const wrote = await putFollowingLeader(cluster, hint, 'failover', 'f', Date.now() + FAILOVER_WAIT_MS);
    return { ...outcome, failoverMs: wrote ? performance.now() - t0 : NaN };
  } finally {
    await cluster.stop();
  }
}

/** Keys in the store when the stall phase's snapshot is taken (issue #20: at most 100 ms of stall at this size). */
const STALL_SNAPSHOT_KEYS = 100_000;

/** What the stall phase saw: commit latencies in a window around a snapshot of STALL_SNAPSHOT_KEYS keys. */
interface StallOutcome {
  writes: number;
  maxMs: number;
  p99Ms: number;
  /** How long the leader took to encode and write the snapshot, from its log line; NaN when it did not log one. */
  snapshotTookMs: number;
  snapshotBytes: number;
}

/**
 * Fills a fresh shoal cluster with STALL_SNAPSHOT_KEYS distinct keys, just
 * short of its snapshot interval, then keeps writing through the snapshot
 * the next entries trigger and records every write's commit latency. The
 * maximum is the stall a snapshot of that size causes.
 */
async function benchSnapshotStall(clients: number, valueBytes: number): Promise<StallOutcome> {
  const previousLevel = process.env['RAFT_LOG_LEVEL'];
  process.env['RAFT_LOG_LEVEL'] = 'info'; // the members log "snapshot taken" with its duration
  const cluster = await ProcessCluster.start(3, { tickMs: 100, electionTicks: 10, snapshotEveryEntries: STALL_SNAPSHOT_KEYS });
  if (previousLevel === undefined) delete process.env['RAFT_LOG_LEVEL'];
  else process.env['RAFT_LOG_LEVEL'] = previousLevel;
  try {
    const leader = await cluster.waitForLeader(15_000);
    const port = cluster.httpPort(leader);
    const fill = STALL_SNAPSHOT_KEYS - 3_000;
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let k = next++; k < fill; k = next++) await call(port, 'POST', '/put', JSON.stringify({ key: `k${k}`, value: valueOf(valueBytes, 0, k) }));
    }));
    const latenciesMs: number[] = [];
    const window = 9_000; // crosses the snapshot at STALL_SNAPSHOT_KEYS entries and goes on while it is written
    next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = next++; i < window; i = next++) {
        const t0 = performance.now();
        const r = await call(port, 'POST', '/put', JSON.stringify({ key: `k${(fill + i) % STALL_SNAPSHOT_KEYS}`, value: valueOf(valueBytes, 1, i) }));
        if (r.status === 200) latenciesMs.push(performance.now() - t0);
      }
    }));
    latenciesMs.sort((a, b) => a - b);
    const line = cluster.logsOf(leader).split('\n').find((l) => l.includes('raft: snapshot taken')) ?? '';
    const took = /"tookMs":(\d+)/.exec(line);
    const bytes = /"bytes":(\d+)/.exec(line);
    return { writes: latenciesMs.length, maxMs: percentile(latenciesMs, 100), p99Ms: percentile(latenciesMs, 99), snapshotTookMs: Number(took?.[1] ?? NaN), snapshotBytes: Number(bytes?.[1] ?? NaN) };
  } finally {
    await cluster.stop();
  }
}

/** etcd comes from Debian's etcd-server; install it (as root, through apt) when it is missing. */
function ensureEtcd(): string | undefined {
  if (spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0) return undefined;
  if (process.getuid?.() !== 0) return 'etcd not installed (apt-get install etcd-server etcd-client)';
  console.log('installing etcd-server from Debian (apt-get install etcd-server etcd-client)');
  const r = spawnSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client'], { stdio: 'inherit' });
  return r.status === 0 ? undefined : 'installing etcd-server failed';
}

async function benchEtcd(clients: number, seconds: number, valueBytes: number): Promise<Outcome | string> {
  const missing = ensureEtcd();
  if (missing) return missing;
  const root = await mkdtemp(join(tmpdir(), 'shoal-bench-etcd-'));
  const procs: ChildProcess[] = [];
  try {
    const members = [];
    for (let i = 1; i <= 3; i++) members.push({ name: `e${i}`, peer: await freePort(), client: await freePort() });
    const initial = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
    for (const m of members) {
      const p = spawn('etcd', [
        '--name', m.name,
        '--data-dir', join(root, m.name),
        '--listen-peer-urls', `http://127.0.0.1:${m.peer}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peer}`,
        '--listen-client-urls', `http://127.0.0.1:${m.client}`,
        '--advertise-client-urls', `http://127.0.0.1:${m.client}`,
        '--initial-cluster', initial,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', `bench-${process.pid}`,
        '--log-level', 'error',
        '--snapshot-count', String(SNAPSHOT_EVERY_ENTRIES),
      ], { stdio: 'ignore' });
      p.on('error', () => undefined);
      procs.push(p);
    }
    // Find the leader through the gateway's maintenance/status.
    let leaderPort = 0;
    const deadline = Date.now() + 20_000;
    while (!leaderPort && Date.now() < deadline) {
      for (const m of members) {
        const s = await call(m.client, 'POST', '/v3/maintenance/status', '{}', 1_000);
        if (s.status === 200 && s.body?.leader && s.body.leader === s.body.header?.member_id) leaderPort = m.client;
      }
      if (!leaderPort) await new Promise((r) => setTimeout(r, 100));
    }
    if (!leaderPort) return 'etcd did not elect a leader within 20 s';
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    await load('etcd-warmup', clients, 1, async (c, i) => (await call(leaderPort, 'POST', '/v3/kv/put', JSON.stringify({ key: b64(`warm${c}-${i}`), value: b64('w') }))).status === 200);
    const outcome = await load('etcd', clients, seconds, async (c, i) => {
      const r = await call(leaderPort, 'POST', '/v3/kv/put', JSON.stringify({ key: b64(`k${(c * 7919 + i) % 100_000}`), value: b64(valueOf(valueBytes, c, i)) }));
      return r.status === 200;
    });
    // Failover, as for shoal: SIGKILL the leader, time until a survivor acknowledges a write (followers forward).
    const t0 = performance.now();
    procs[members.findIndex((m) => m.client === leaderPort)]?.kill('SIGKILL');
    const survivors = members.filter((m) => m.client !== leaderPort);
    let failoverMs = NaN;
    for (let k = 0; Number.isNaN(failoverMs) && performance.now() - t0 < FAILOVER_WAIT_MS; k++) {
      const m = survivors[k % survivors.length];
      if (!m) break;
      const r = await call(m.client, 'POST', '/v3/kv/put', JSON.stringify({ key: b64('failover'), value: b64('f') }), 1_000);
      if (r.status === 200 && r.body?.header) failoverMs = performance.now() - t0;
      else await new Promise((res) => setTimeout(res, 10));
    }
    return { ...outcome, failoverMs };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
}

function row(o: Outcome): string {
  const rate = o.ops / o.seconds;
  const failover = o.failoverMs === undefined ? '' : Number.isNaN(o.failoverMs) ? `> ${FAILOVER_WAIT_MS}` : o.failoverMs.toFixed(0);
  return `| ${o.system.padEnd(7)} | ${String(o.ops).padStart(8)} | ${String(o.errors).padStart(6)} | ${rate.toFixed(0).padStart(8)} | ${percentile(o.latenciesMs, 50).toFixed(2).padStart(7)} | ${percentile(o.latenciesMs, 99).toFixed(2).padStart(7)} | ${percentile(o.latenciesMs, 100).toFixed(2).padStart(8)} | ${failover.padStart(11)} |`;
}

function merge(system: string, runs: Outcome[]): Outcome {
  return {
    system,
    ops: runs.reduce((n, r) => n + r.ops, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    latenciesMs: runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b),
    // The worst failover of the rounds: the target is a bound, not an average.
    failoverMs: runs.reduce((worst, r) => (Number.isNaN(r.failoverMs ?? NaN) || Number.isNaN(worst) ? NaN : Math.max(worst, r.failoverMs ?? 0)), 0),
  };
}

function failoverText(o: Outcome): string {
  return o.failoverMs === undefined || Number.isNaN(o.failoverMs) ? 'n/a' : `${(o.failoverMs / 1000).toFixed(2)} s`;
}

/** Entry point called by bench/run.ts. */
export async function main(args: string[]): Promise<void> {
  const seconds = arg(args, '--seconds', 10);
  const clients = arg(args, '--clients', 64);
  const valueBytes = arg(args, '--value-bytes', 256);
  const rounds = arg(args, '--rounds', 2);
  console.log(`raft bench: 3 members on loopback, ${clients} clients, ${valueBytes}-byte values, ${rounds} alternating rounds of ${seconds} s per system (fsync on; same host, same HTTP client)`);
  const shoalRuns: Outcome[] = [];
  const etcdRuns: Outcome[] = [];
  let etcdProblem: string | undefined;
  // Alternate so that load from anything else on the host hits both alike.
  for (let r = 0; r < rounds; r++) {
    shoalRuns.push({ ...(await benchShoal(clients, seconds, valueBytes)), system: `shoal#${r + 1}` });
    const e = await benchEtcd(clients, seconds, valueBytes);
    if (typeof e === 'string') etcdProblem = e;
    else etcdRuns.push({ ...e, system: `etcd#${r + 1}` });
  }
  const stall = await benchSnapshotStall(clients, valueBytes);
  console.log('| system  |      ops | errors |    ops/s | p50 ms  | p99 ms  |  max ms  | failover ms |');
  console.log('|---------|----------|--------|----------|---------|---------|----------|-------------|');
  for (const o of [...shoalRuns, ...etcdRuns]) console.log(row(o));
  console.log(`snapshot stall (shoal, ${STALL_SNAPSHOT_KEYS} keys): ${stall.writes} writes across the snapshot, p99 ${stall.p99Ms.toFixed(1)} ms, max commit latency ${stall.maxMs.toFixed(1)} ms (target <= 100 ms); the leader took ${Number.isNaN(stall.snapshotTookMs) ? 'n/a (no snapshot logged)' : `${stall.snapshotTookMs} ms`} to encode and write ${Number.isNaN(stall.snapshotBytes) ? '?' : `${(stall.snapshotBytes / 1e6).toFixed(1)} MB`}`);
  const shoal = merge('shoal', shoalRuns);
  const t1 = shoal.ops / shoal.seconds;
  const l1 = percentile(shoal.latenciesMs, 99);
  if (etcdRuns.length === 0) {
    console.log(`raft-bench: shoal ${t1.toFixed(0)} ops/s p99 ${l1.toFixed(1)} ms failover ${failoverText(shoal)}; etcd unavailable (${etcdProblem ?? 'no runs'}); ratio n/a`);
    return;
  }
  const etcd = merge('etcd', etcdRuns);
  console.log(row(shoal));
  console.log(row(etcd));
  const t2 = etcd.ops / etcd.seconds;
  const l2 = percentile(etcd.latenciesMs, 99);
  console.log(`raft-bench: shoal ${t1.toFixed(0)} ops/s p99 ${l1.toFixed(1)} ms failover ${failoverText(shoal)}; etcd ${t2.toFixed(0)} ops/s p99 ${l2.toFixed(1)} ms failover ${failoverText(etcd)}; ratio ${(t1 / t2).toFixed(2)}`);
}
