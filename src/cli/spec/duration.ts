import { invalidFlag } from './flag-error.js';

// Go's time.ParseDuration units, in milliseconds.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`1m30s`, `500ms`, `-1.5h`) to milliseconds; undefined if malformed. */
export function parseGoDurationMs(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let totalMs = 0;
  const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const match = part.exec(rest);
    if (!match) return undefined;
    const [whole, num, unit] = match as unknown as [string, string, string];
    totalMs += Number(num) * (UNIT_MS[unit] ?? 0);
    rest = rest.slice(whole.length);
  }
  // Sub-millisecond precision is below what we store; round to whole ms.
  return sign * Math.round(totalMs);
}

/** A duration flag value in ms, or a usage error naming the flag. */
export function durationFlagMs(flag: string, value: string): number {
  const ms = parseGoDurationMs(value.trim());
  if (ms === undefined) throw invalidFlag(flag, value, 'not a duration; use a number with a unit, e.g. "500ms", "10s", "1m30s", "2h"');
  if (ms < 0) throw invalidFlag(flag, value, 'duration cannot be negative');
  return ms;
}

/** Formats milliseconds as Go's time.Duration.String() does ("5s", "1m30s", "1h0m0s", "500ms"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${trimFloat(rest)}ms`;
  } else {
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = `${trimFloat(rest / 1000)}s`;
    if (hours > 0) out = `${hours}h${minutes}m${seconds}`;
    else if (minutes > 0) out = `${minutes}m${seconds}`;
    else out = seconds;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(n: number): string {
  // Go prints the shortest exact decimal; our ms values have at most 3 decimals of seconds.
  return String(Number(n.toFixed(9)));
}
