import { invalidFlag } from './flag-error.js';

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Parses a memory size as Docker's units.RAMInBytes does: binary multiples
 * whatever the suffix spelling (`512m`, `1g`, `512MiB`, `1.5GB`, `100b`, `1024`).
 */
export function parseRamBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+) ?([a-zA-Z]{0,3})$/.exec(text);
  if (!match) return undefined;
  const size = Number(match[1]);
  const suffix = (match[2] ?? '').toLowerCase();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const mul = BINARY[suffix[0] ?? ''];
  if (mul === undefined) return undefined;
  if (suffix.length === 2 && suffix[1] !== 'b') return undefined;
  if (suffix.length === 3 && suffix.slice(1) !== 'ib') return undefined;
  return Math.trunc(size * mul);
}

/** A byte-size flag value, or a usage error naming the flag. */
export function bytesFlag(flag: string, value: string): number {
  const bytes = parseRamBytes(value.trim());
  if (bytes === undefined) throw invalidFlag(flag, value, 'not a size; use a number with an optional unit b, k, m, g, t (e.g. "512m", "1g", "1.5GiB")');
  return bytes;
}

/** CPUs as a decimal (`0.5`, `2`) to nano-CPUs, as Docker's NanoCPUs option. */
export function nanoCpusFlag(flag: string, value: string): number {
  const trimmed = value.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) throw invalidFlag(flag, value, 'not a number of CPUs; use a decimal such as "0.5" or "2"');
  const nano = Math.round(Number(trimmed) * 1e9);
  // Docker rejects fractions finer than one nano-CPU.
  if (Math.abs(Number(trimmed) * 1e9 - nano) > 1e-6) throw invalidFlag(flag, value, 'value is too precise; use at most 9 decimals');
  return nano;
}
