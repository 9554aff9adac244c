import { describe, expect, it } from 'vitest';
import type { RaftEntry } from '../../gen/index.js';
import { RaftLog } from './log.js';

const e = (index: number, term: number): RaftEntry => ({ index, term, type: 'NORMAL', data: new Uint8Array(10) });
const terms = (log: RaftLog): number[] => {
  const out: number[] = [];
  for (let i = log.firstIndex(); i <= log.lastIndex(); i++) out.push(log.term(i) ?? -1);
  return out;
};

describe('RaftLog', () => {
  it('§5.3: maybeAppend keeps what agrees and replaces from the first conflict', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 2), e(4, 2)], 1);
    expect(log.maybeAppend(2, 1, [e(3, 2), e(4, 3), e(5, 3)])).toBe(5);
    expect(terms(log)).toEqual([1, 1, 2, 3, 3]);
    expect(log.unstableFrom).toBe(4);
  });

  it('refuses an append whose previous entry does not match', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1)], 0);
    expect(log.maybeAppend(2, 2, [e(3, 2)])).toBeUndefined();
    expect(log.maybeAppend(5, 1, [])).toBeUndefined();
  });

  it('does not truncate on a stale, shorter append that agrees', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 1)], 0);
    expect(log.maybeAppend(1, 1, [e(2, 1)])).toBe(2);
    expect(log.lastIndex()).toBe(3);
  });

  it('findConflictByTerm skips a whole divergent term', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 2), e(4, 2), e(5, 2)], 0);
    expect(log.findConflictByTerm(5, 1)).toEqual({ index: 2, term: 1 });
    expect(log.findConflictByTerm(9, 2)).toEqual({ index: 5, term: 2 });
  });

  it('§5.4.1 up-to-date comparison: term first, then length', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 2)], 0);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(5, 1)).toBe(false);
    expect(log.isUpToDate(2, 2)).toBe(true);
    expect(log.isUpToDate(1, 2)).toBe(false);
  });

  it('§5.4.2: maybeCommit only for an entry of the given term', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 2)], 0);
    expect(log.maybeCommit(1, 2)).toBe(false);
    expect(log.maybeCommit(2, 2)).toBe(true);
    expect(log.committed).toBe(2);
  });

  it('compacts up to the applied index and still knows the term at the cut', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 2)], 3);
    log.applied = 2;
    log.compact(2);
    expect(log.firstIndex()).toBe(3);
    expect(log.term(2)).toBe(1);
    expect(log.term(1)).toBeUndefined();
    expect(() => log.compact(3)).toThrow(/beyond applied/);
  });

  it('never overwrites a committed entry', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1)], 2);
    expect(() => log.append([e(2, 2)])).toThrow(/committed/);
  });

  it('slices batches by bytes and count but always returns at least one entry', () => {
    const log = new RaftLog(0, 0, [e(1, 1), e(2, 1), e(3, 1), e(4, 1)], 0);
    expect(log.slice(1, 5, 1, 100)).toHaveLength(1);
    expect(log.slice(1, 5, 1_000, 3)).toHaveLength(3);
    expect(log.slice(2, 5, 1_000, 100).map((x) => x.index)).toEqual([2, 3, 4]);
  });
});
