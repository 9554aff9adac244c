import { describe, expect, it } from 'vitest';
import { Membership } from './membership.js';

const cc = (type: 'ADD_LEARNER' | 'PROMOTE' | 'DEMOTE' | 'REMOVE', nodeId: number) => ({ type, nodeId, context: new Uint8Array(0) });

describe('Membership', () => {
  it('counts the commit index over voters only', () => {
    const m = Membership.fromConfState({ voters: [1, 2, 3], learners: [4], removed: [] });
    const match = new Map([[1, 10], [2, 7], [3, 3], [4, 100]]);
    expect(m.committedIndex((id) => match.get(id) ?? 0)).toBe(7);
  });

  it('tallies elections: won, lost, pending', () => {
    const m = Membership.fromConfState({ voters: [1, 2, 3, 4, 5], learners: [], removed: [] });
    expect(m.voteResult(new Map([[1, true], [2, true]]))).toBe('pending');
    expect(m.voteResult(new Map([[1, true], [2, true], [3, true]]))).toBe('won');
    expect(m.voteResult(new Map([[1, true], [2, false], [3, false], [4, false]]))).toBe('lost');
  });

  it('validates single-server changes', () => {
    const m = Membership.fromConfState({ voters: [1], learners: [2], removed: [9] });
    expect(m.validate(cc('ADD_LEARNER', 9))).toMatchObject({ ok: false, error: { kind: 'id-was-removed' } });
    expect(m.validate(cc('ADD_LEARNER', 2))).toMatchObject({ ok: false, error: { kind: 'already-member' } });
    expect(m.validate(cc('PROMOTE', 1))).toMatchObject({ ok: false, error: { kind: 'not-a-learner' } });
    expect(m.validate(cc('DEMOTE', 1))).toMatchObject({ ok: false, error: { kind: 'last-voter' } });
    expect(m.validate(cc('REMOVE', 1))).toMatchObject({ ok: false, error: { kind: 'last-voter' } });
    expect(m.validate(cc('PROMOTE', 2)).ok).toBe(true);
  });

  it('applies changes idempotently and remembers removed IDs', () => {
    const m = new Membership();
    m.apply(cc('PROMOTE', 1)); // bootstrap form
    m.apply(cc('ADD_LEARNER', 2));
    m.apply(cc('PROMOTE', 2));
    m.apply(cc('PROMOTE', 2));
    m.apply(cc('REMOVE', 2));
    m.apply(cc('ADD_LEARNER', 2));
    expect(m.toConfState()).toEqual({ voters: [1], learners: [], removed: [2] });
  });
});
