// `npm run bench -- cli [--runs N]`
// How long the `shoal` CLI takes to start and finish, against Node's own
// start-up (the floor) and the docker CLI: `node -e 0`, `shoal --help`,
// `shoal version` and `shoal service ls` against a one-node swarm (a daemon
// in a namespace host, `swarm init` on its address), and `docker version`
// against the test engine (`docker --version` if none answers). Runs take
// turns, command after command, so that a noisy moment hits all alike; one
// unmeasured round first warms the page cache. Run it alone: two shared
// cores make every other process part of the measurement.
// Prints a table (min, median, max wall ms of N runs each) and, last, the
// summary line with each shoal command's median over node's.
import { spawn } from 'node:child_process';
import { engineAnswers } from '../test/support/docker-engine.js';
import { leaseTestEngine, type EngineLease } from '../test/support/engine-lease.js';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../test/support/namespace-hosts.js';
import { SHOAL_BIN } from '../test/support/project-root.js';
import { runCommand } from '../test/support/run-command.js';

const DEFAULT_RUNS = 20;
/** The issue's bound: each shoal command's median within this factor of `node -e 0`'s. */
const TARGET_RATIO = 1.6;

interface Subject {
  name: string;
  argv: string[];
  /** Whether this is a shoal command, compared with node in the summary. */
  shoal: boolean;
}

const log = (msg: string): void => {
  process.stderr.write(`[cli-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

function parseRuns(args: readonly string[]): number {
  const at = args.indexOf('--runs');
  if (at < 0) return DEFAULT_RUNS;
  const runs = Number(args[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a whole number of runs per command, like --runs 20 (got ${String(args[at + 1])})`);
  return runs;
}

/** Wall time of one run, spawn to exit, in ms; a failing command fails the benchmark (it would measure an error path). */
function timeOnce(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${argv.join(' ')} exited ${String(code)}: ${stderr.trim()}`));
    });
  });
}

/** min, median, max of a sample. */
function stats(samples: readonly number[]): { min: number; median: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s[Math.floor((s.length - 1) / 2)] ?? NaN, max: s[s.length - 1] ?? NaN };
}

function subjects(host: NamespaceHost, dockerHost: string, engineUp: boolean): Subject[] {
  const shoal = (...args: string[]): string[] => [process.execPath, SHOAL_BIN, '-H', `unix://${host.socketPath}`, ...args];
  return [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'], shoal: false },
    { name: 'shoal version', argv: shoal('version'), shoal: true },
    { name: 'shoal --help', argv: [process.execPath, SHOAL_BIN, '--help'], shoal: true },
    { name: 'shoal service ls', argv: shoal('service', 'ls'), shoal: true },
    engineUp
      ? { name: 'docker version', argv: ['docker', '-H', dockerHost, 'version'], shoal: false }
      : { name: 'docker --version', argv: ['docker', '--version'], shoal: false },
  ];
}

/** Entry point called by bench/run.ts. */
export async function main(args: string[]): Promise<void> {
  const runs = parseRuns(args);
  let engine: EngineLease | undefined;
  let env: NamespaceHosts | undefined;
  try {
    engine = await leaseTestEngine();
    env = await createNamespaceHosts({ count: 1, dockerHost: engine.dockerHost });
    const [host] = env.hosts as [NamespaceHost];
    const init = await host.run(['swarm', 'init', '--advertise-addr', host.ip], 60_000);
    if (init.code !== 0) throw new Error(`swarm init failed: ${init.stderr.trim()}`);
    const list = subjects(host, engine.dockerHost, await engineAnswers(engine.dockerHost));
    log(`load average at start: ${(await runCommand('cat', ['/proc/loadavg'])).stdout.trim()}; ${runs} runs per command, taking turns`);
    for (const s of list) await timeOnce(s.argv); // warm-up, not counted
    const samples = list.map((): number[] => []);
    for (let round = 0; round < runs; round++) {
      for (const [i, s] of list.entries()) samples[i]?.push(await timeOnce(s.argv));
    }
    log(`load average at end: ${(await runCommand('cat', ['/proc/loadavg'])).stdout.trim()}`);
    const rows = list.map((s, i) => ({ ...s, ...stats(samples[i] ?? []) }));
    const node = rows[0]?.median ?? NaN;
    console.log(`| command | min ms | median ms | max ms | median / node -e 0 |`);
    console.log(`|---|---:|---:|---:|---:|`);
    for (const r of rows) console.log(`| \`${r.name}\` | ${r.min.toFixed(0)} | ${r.median.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.median / node).toFixed(2)}× |`);
    const ratios = rows.filter((r) => r.shoal).map((r) => ({ name: r.name, ratio: r.median / node }));
    const within = ratios.every((r) => r.ratio <= TARGET_RATIO);
    console.log(
      `summary: median start-up over node -e 0 (${node.toFixed(0)} ms): ${ratios.map((r) => `${r.name} ${r.ratio.toFixed(2)}×`).join(', ')}; ` +
        `${within ? 'all within' : 'NOT all within'} the ${TARGET_RATIO}× target (${runs} runs each)`,
    );
  } finally {
    await env?.teardown();
    await engine?.release();
  }
}
