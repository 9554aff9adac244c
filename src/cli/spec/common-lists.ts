import { usageError } from '../errors.js';
import { invalidFlag } from './flag-error.js';

/** Capability names as Docker normalises them: upper case with a CAP_ prefix, except ALL. */
export function normalizeCaps(caps: readonly string[]): string[] {
  const out = caps.map((c) => {
    const upper = c.trim().toUpperCase();
    if (upper === '') throw usageError('empty capability name in --cap-add/--cap-drop');
    return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  });
  return [...new Set(out)].sort();
}

/** Docker's effective cap-add/cap-drop: a capability both added and dropped is added. */
export function effectiveCaps(add: readonly string[], drop: readonly string[]): { capAdd: string[]; capDrop: string[] } {
  const capAdd = normalizeCaps(add);
  const capDrop = normalizeCaps(drop).filter((c) => !capAdd.includes(c) || c === 'ALL');
  return { capAdd, capDrop };
}

/** Service names must be valid DNS name components, as swarmkit requires. */
export function validateServiceName(name: string): string {
  if (name.length > 63 || !/^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/.test(name)) {
    throw invalidFlag('name', name, 'name must be valid as a DNS name component (letters, digits, "-" and "_", at most 63 characters)');
  }
  return name;
}
