// `npm run sim -- raft --seeds N [--start S]` sweeps seeds;
// `npm run sim -- raft --seed S` replays one seed and prints its trace.
// Last line: `raft-sim: N seeds, V violations`; exit 1 on any violation.
import { defaultConfig, runSimulation } from './simulation.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(argv: string[]): number {
  const [suite, ...args] = argv;
  if (suite !== 'raft') {
    console.error('usage: npm run sim -- raft (--seeds N [--start S] | --seed S)');
    return 125;
  }
  const one = arg(args, '--seed');
  if (one !== undefined) {
    const seed = Number(one);
    const r = runSimulation({ ...defaultConfig(seed), trace: true });
    for (const line of r.trace) console.log(line);
    console.log(`stats: ${JSON.stringify(r.stats)}`);
    for (const v of r.violations) console.log(`violation (seed ${seed}): ${v}`);
    console.log(`raft-sim: 1 seeds, ${r.violations.length} violations`);
    return r.violations.length > 0 ? 1 : 0;
  }
  const count = Number(arg(args, '--seeds') ?? '100');
  const start = Number(arg(args, '--start') ?? '1');
  let violations = 0;
  let failedSeeds = 0;
  const t0 = Date.now();
  const totals = { ops: 0, acked: 0, elections: 0, crashes: 0, confChanges: 0, snapshotsSent: 0, inconclusive: 0 };
  for (let seed = start; seed < start + count; seed++) {
    const r = runSimulation(defaultConfig(seed));
    totals.ops += r.stats.ops;
    totals.acked += r.stats.acked;
    totals.elections += r.stats.elections;
    totals.crashes += r.stats.crashes;
    totals.confChanges += r.stats.confChanges;
    totals.snapshotsSent += r.stats.snapshotsSent;
    if (r.stats.inconclusive) totals.inconclusive++;
    if (r.violations.length > 0) {
      violations += r.violations.length;
      failedSeeds++;
      console.log(`seed ${seed}: ${r.violations.join('; ')}  (replay: npm run sim -- raft --seed ${seed})`);
    }
  }
  console.log(`seeds ${start}..${start + count - 1} in ${((Date.now() - t0) / 1000).toFixed(1)} s; failing seeds ${failedSeeds}; totals ${JSON.stringify(totals)}`);
  console.log(`raft-sim: ${count} seeds, ${violations} violations`);
  return violations > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
