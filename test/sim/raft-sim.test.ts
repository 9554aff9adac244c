// Seed sweep of the deterministic simulation. Each failing seed is printed
// with its replay command; CI runs at least 300 seeds.
import { describe, expect, it } from 'vitest';
import { defaultConfig, runSimulation } from './simulation.js';

const SEEDS = Number(process.env['RAFT_SIM_SEEDS'] ?? '400');
const START = Number(process.env['RAFT_SIM_START'] ?? '1');

describe('raft simulation', () => {
  it(`keeps every invariant and a linearizable history over ${SEEDS} seeds from ${START}`, () => {
    const failures: string[] = [];
    let acked = 0;
    for (let seed = START; seed < START + SEEDS; seed++) {
      const r = runSimulation(defaultConfig(seed));
      acked += r.stats.acked;
      if (r.violations.length > 0) failures.push(`seed ${seed}: ${r.violations.join('; ')} (replay: npm run sim -- raft --seed ${seed})`);
    }
    console.log(`raft-sim seeds ${START}..${START + SEEDS - 1}: ${failures.length} failing, ${acked} acknowledged writes checked`);
    expect(failures).toEqual([]);
    expect(acked).toBeGreaterThan(SEEDS * 20);
  });

  it('replays a seed exactly', () => {
    const a = runSimulation({ ...defaultConfig(42), trace: true });
    const b = runSimulation({ ...defaultConfig(42), trace: true });
    expect(a.trace).toEqual(b.trace);
    expect(a.trace.length).toBeGreaterThan(10);
  });
});
