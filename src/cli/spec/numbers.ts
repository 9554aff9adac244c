import { invalidFlag } from './flag-error.js';

/** A non-negative whole-number flag (Docker's uint flags). */
export function uintFlag(flag: string, value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw invalidFlag(flag, value, 'must be a whole number >= 0 (e.g. 3)');
  }
  return Number(trimmed);
}

/** A signed whole-number flag (Docker's int flags). */
export function intFlag(flag: string, value: string): number {
  const trimmed = value.trim();
  if (!/^[-+]?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw invalidFlag(flag, value, 'must be a whole number (e.g. 3)');
  }
  return Number(trimmed);
}

/** A float flag such as --update-max-failure-ratio (0 to 1). */
export function ratioFlag(flag: string, value: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(n)) throw invalidFlag(flag, value, 'must be a number between 0 and 1 (e.g. 0.2)');
  if (n < 0 || n > 1) throw invalidFlag(flag, value, 'must be between 0 and 1 (e.g. 0.2)');
  return n;
}
