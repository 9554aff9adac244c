import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

describe('Progress', () => {
  it('probes one batch at a time, then pipelines up to the inflight bound', () => {
    const pr = new Progress(11, false, 2);
    expect(pr.isPaused()).toBe(false);
    pr.probeSent = true;
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeUpdate(10)).toBe(true);
    pr.becomeReplicate();
    expect(pr.next).toBe(11);
    pr.sentBatch(15);
    pr.sentBatch(20);
    expect(pr.isPaused()).toBe(true);
    pr.freeInflightsUpTo(15);
    expect(pr.isPaused()).toBe(false);
    expect(pr.next).toBe(21);
  });

  it('ignores stale rejections and backs off to the hint on fresh ones', () => {
    const pr = new Progress(11, false, 4);
    pr.match = 5;
    expect(pr.maybeDecrTo(7, 3)).toBe(false); // not the probe we sent (next-1 = 10)
    expect(pr.maybeDecrTo(10, 3)).toBe(true);
    expect(pr.next).toBe(6); // never below match + 1
    pr.becomeReplicate();
    expect(pr.maybeDecrTo(4, 0)).toBe(false); // at or below match: stale
  });

  it('after a snapshot resumes probing right after it', () => {
    const pr = new Progress(5, false, 4);
    pr.becomeSnapshot({ meta: { index: 100, term: 3, confState: undefined }, data: new Uint8Array(10) });
    expect(pr.isPaused()).toBe(true);
    pr.becomeProbe();
    expect(pr.next).toBe(101);
  });
});
