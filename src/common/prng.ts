/**
 * mulberry32: a tiny, fast, seeded generator of floats in [0, 1). Pure cores
 * (Raft, the scheduler) take it instead of Math.random(), so a seed replays
 * the same elections and the same plans.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
