// The only randomness in the scheduler: a seeded generator the caller passes
// in as `seed`, so the same inputs and seed give the same plan.

import { mulberry32 } from '../common/prng.js';

/** A deterministic source of uniform integers. */
export interface Prng {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}

/** mulberry32: tiny, fast and good enough to break ties and pick random nodes. */
export function seededPrng(seed: number): Prng {
  const next = mulberry32(seed);
  return { nextInt: (bound) => Math.floor(next() * bound) };
}
