// Whatever arrives from the network, the core must not throw: malformed
// messages are dropped, odd-but-valid ones handled. fast-check prints the
// seed and the shrunk counterexample on failure; FUZZ_SEED replays it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RaftMessage, RaftMessage_Type } from '../../src/gen/index.js';
import { RaftMessage_TypeValues } from '../../src/gen/index.js';
import { makeMessage } from '../../src/raft/core/index.js';
import { Harness } from './harness.js';

const types = Object.keys(RaftMessage_TypeValues) as RaftMessage_Type[];
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000);

const arbMessage = fc.record({
  type: fc.constantFrom(...types),
  from: fc.integer({ min: 0, max: 5 }),
  to: fc.integer({ min: 0, max: 4 }),
  term: fc.integer({ min: 0, max: 8 }),
  logTerm: fc.integer({ min: 0, max: 8 }),
  index: fc.integer({ min: 0, max: 40 }),
  commit: fc.integer({ min: 0, max: 60 }),
  reject: fc.boolean(),
  rejectHint: fc.integer({ min: 0, max: 40 }),
  chunkOffset: fc.integer({ min: 0, max: 64 }),
  chunkLast: fc.boolean(),
  nEntries: fc.integer({ min: 0, max: 4 }),
  entryTerm: fc.integer({ min: 0, max: 8 }),
  gap: fc.integer({ min: 0, max: 2 }),
  withSnapshot: fc.boolean(),
  snapIndex: fc.integer({ min: 0, max: 50 }),
  confChange: fc.boolean(),
  garbage: fc.uint8Array({ maxLength: 8 }),
});

type Raw = typeof arbMessage extends fc.Arbitrary<infer T> ? T : never;

function build(r: Raw): RaftMessage {
  const entries = Array.from({ length: r.nEntries }, (_, i) => ({
    index: (r.index) + 1 + i + (i === 1 ? (r.gap) : 0),
    term: r.entryTerm,
    type: (r.confChange ? 'CONF_CHANGE' : 'NORMAL') as 'CONF_CHANGE' | 'NORMAL',
    data: r.garbage,
  }));
  return makeMessage(r.type, r.from, r.to, r.term, {
    logTerm: r.logTerm,
    index: r.index,
    commit: r.commit,
    reject: r.reject,
    rejectHint: r.rejectHint,
    entries,
    context: r.garbage,
    snapshot: r.withSnapshot ? { index: r.snapIndex, term: r.logTerm, confState: { voters: [1, 2, 3], learners: [], removed: [] } } : undefined,
    chunk: r.garbage,
    chunkOffset: r.chunkOffset,
    chunkLast: r.chunkLast,
  });
}

describe('raft core under arbitrary messages', () => {
  it(`never throws (fast-check seed ${seed})`, () => {
    console.log(`raft fuzz seed ${seed} (replay: FUZZ_SEED=${seed})`);
    fc.assert(
      fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 3 }), (raw, ticks) => {
        const h = Harness.cluster(3);
        h.elect();
        for (const r of raw) {
          const m = build(r);
          const target = h.cores.get(m.to);
          if (!target) continue;
          target.step(m);
          h.tick(ticks);
          h.settle();
        }
        // Still a working cluster afterwards (heal any confusion with time).
        h.tick(60);
        return true;
      }),
      { seed, numRuns: 150 },
    );
    expect(true).toBe(true);
  });
});
