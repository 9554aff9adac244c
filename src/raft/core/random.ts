// The core never calls Math.random(): randomness is injected so a seed
// replays the same elections.

import { mulberry32 } from '../../common/prng.js';

/** A source of uniform integers. */
export interface Random {
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

/** A small, fast, seeded PRNG (mulberry32); good enough for timeouts and simulation. */
export function seededRandom(seed: number): Random & { float(): number } {
  const next = mulberry32(seed);
  return {
    float: next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
  };
}
