// The core never calls Math.random(): randomness is injected so a seed
// replays the same elections.

/** A source of uniform integers. */
export interface Random {
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

/** A small, fast, seeded PRNG (mulberry32); good enough for timeouts and simulation. */
export function seededRandom(seed: number): Random & { float(): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    float: next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
  };
}
