import { describe, expect, it } from 'vitest';
import { parseBytes, parseDurationMs, parseNanoCpus } from './units.js';

describe('parseDurationMs (Go durations)', () => {
  it.each([
    ['1m30s', 90_000], ['1.5h', 5_400_000], ['300ms', 300], ['10s', 10_000], ['0', 0], ['2h45m', 9_900_000], ['1500us', 1], ['-1s', -1000],
  ])('%s is %d ms', (s, ms) => {
    expect(parseDurationMs(s)).toEqual({ ok: true, value: ms });
  });

  it.each(['10', '1x', '', 's', '1m 30s'])('rejects %j', (s) => {
    expect(parseDurationMs(s).ok).toBe(false);
  });
});

describe('parseBytes (go-units RAMInBytes)', () => {
  it.each([
    ['512M', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['100kb', 102_400], ['1024', 1024], [2048, 2048], ['1.5G', 1.5 * 1024 ** 3], ['64m', 64 * 1024 ** 2],
  ])('%s is %d bytes', (s, n) => {
    expect(parseBytes(s)).toEqual({ ok: true, value: n });
  });

  it('rejects a non-size', () => {
    expect(parseBytes('lots')).toEqual({ ok: false, message: 'invalid size: "lots"' });
  });
});

describe('parseNanoCpus (opts.ParseCPUs)', () => {
  it.each([['0.5', 500_000_000], ['2', 2_000_000_000], [0.25, 250_000_000], ['.1', 100_000_000]])('%s cpus', (s, n) => {
    expect(parseNanoCpus(s)).toEqual({ ok: true, value: n });
  });

  it('rejects finer than a nano-CPU and garbage', () => {
    expect(parseNanoCpus('0.0000000001')).toEqual({ ok: false, message: 'value is too precise' });
    expect(parseNanoCpus('half').ok).toBe(false);
  });
});
