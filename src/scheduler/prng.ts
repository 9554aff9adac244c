// The only randomness in the scheduler: a seeded generator the caller passes
// in as `seed`, so the same inputs and seed give the same plan.

/** A deterministic source of uniform integers. */
export interface Prng {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}

/** mulberry32: tiny, fast and good enough to break ties and pick random nodes. */
export function seededPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { nextInt: (bound) => Math.floor(next() * bound) };
}
