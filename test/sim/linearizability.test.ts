import { describe, expect, it } from 'vitest';
import { checkLinearizable } from './linearizability.js';
import type { Operation } from './linearizability.js';

describe('linearizability checker', () => {
  it('accepts a sequential history', () => {
    const h: Operation[] = [
      { kind: 'write', key: 'a', value: '1', startMs: 0, endMs: 1 },
      { kind: 'read', key: 'a', result: '1', startMs: 2, endMs: 3 },
      { kind: 'cas', key: 'a', expected: '1', value: '2', ok: true, startMs: 4, endMs: 5 },
      { kind: 'read', key: 'a', result: '2', startMs: 6, endMs: 7 },
    ];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('rejects a stale read after a completed write', () => {
    const h: Operation[] = [
      { kind: 'write', key: 'a', value: '1', startMs: 0, endMs: 1 },
      { kind: 'write', key: 'a', value: '2', startMs: 2, endMs: 3 },
      { kind: 'read', key: 'a', result: '1', startMs: 4, endMs: 5 },
    ];
    expect(checkLinearizable(h)).toMatchObject({ ok: false, badKey: 'a' });
  });

  it('lets concurrent operations take effect in either order', () => {
    const h: Operation[] = [
      { kind: 'write', key: 'a', value: '1', startMs: 0, endMs: 10 },
      { kind: 'read', key: 'a', result: null, startMs: 1, endMs: 2 },
      { kind: 'read', key: 'a', result: '1', startMs: 3, endMs: 4 },
    ];
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('treats an operation with unknown outcome as maybe-applied', () => {
    const h: Operation[] = [
      { kind: 'write', key: 'a', value: '1', startMs: 0, endMs: Infinity },
      { kind: 'read', key: 'a', result: '1', startMs: 5, endMs: 6 },
      { kind: 'read', key: 'b', result: null, startMs: 5, endMs: 6 },
    ];
    expect(checkLinearizable(h).ok).toBe(true);
    const never: Operation[] = [
      { kind: 'write', key: 'a', value: '1', startMs: 10, endMs: Infinity },
      { kind: 'read', key: 'a', result: '1', startMs: 0, endMs: 5 },
    ];
    expect(checkLinearizable(never).ok).toBe(false);
  });

  it('checks compare-and-set outcomes', () => {
    const h: Operation[] = [
      { kind: 'write', key: 'a', value: '1', startMs: 0, endMs: 1 },
      { kind: 'cas', key: 'a', expected: '0', value: '2', ok: true, startMs: 2, endMs: 3 },
    ];
    expect(checkLinearizable(h).ok).toBe(false);
  });
});
