// Compose's unit-bearing strings, parsed as Docker parses them: Go durations
// (`1m30s`), byte sizes (`512M`, base 1024, as go-units RAMInBytes) and CPU
// counts (`0.5` → 500000000 nano-CPUs, as opts.ParseCPUs).

/** A parsed value or why it could not be parsed. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const durationUnitsNs: Readonly<Record<string, number>> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Go's time.ParseDuration, in milliseconds (sub-millisecond parts are rounded down). */
export function parseDurationMs(s: string): Parsed<number> {
  const bad = { ok: false as const, message: `invalid duration ${JSON.stringify(s)} (use Go syntax such as 1m30s, 500ms)` };
  let rest = s.trim();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, value: 0 };
  if (rest === '') return bad;
  let totalNs = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m) return bad;
    totalNs += Number(m[1]) * (durationUnitsNs[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return { ok: true, value: sign * Math.floor(totalNs / 1e6) };
}

const byteUnits: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: `512m`, `1.5G`, `1024`, `100kb`; a YAML number is bytes. */
export function parseBytes(v: unknown): Parsed<number> {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { ok: true, value: Math.floor(v) };
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(s);
  if (!m) return { ok: false, message: `invalid size: ${JSON.stringify(String(v))}` };
  const unit = (m[2] ?? '').toLowerCase();
  return { ok: true, value: Math.floor(Number(m[1]) * (byteUnits[unit] ?? 1)) };
}

/** opts.ParseCPUs: a decimal CPU count as nano-CPUs; finer than 1e-9 is an error. */
export function parseNanoCpus(v: unknown): Parsed<number> {
  const s = String(v).trim();
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || s === '' || s === '.') return { ok: false, message: `invalid cpus: ${JSON.stringify(s)}` };
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > 9) return { ok: false, message: 'value is too precise' };
  const nano = Number(m[1] || '0') * 1e9 + Number((frac + '000000000').slice(0, 9));
  return { ok: true, value: nano };
}
