import { usageError } from '../errors.js';
import { invalidFlag } from './flag-error.js';

/** The client's environment, injected so parsing stays pure. */
export type Environ = Readonly<Record<string, string | undefined>>;

/** Reads a file named on the command line (`--env-file`); injected so parsing stays pure. */
export type ReadTextFile = (path: string) => string;

/** `KEY=VALUE` (or `KEY`, value "") to a map, later keys winning, as Docker's ConvertKVStringsToMap. */
export function kvToMap(flag: string, values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (key.trim() === '') throw invalidFlag(flag, v, 'empty name; use KEY=VALUE');
    if (/\s/.test(key.trimStart())) throw invalidFlag(flag, v, `'${key.trimStart()}' contains whitespaces; names cannot contain spaces`);
    out[key] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

/** An `--env` value: `A=1` as given, `A` filled from the client environment when set there. */
export function envValue(flag: string, value: string, environ: Environ): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === '') throw invalidFlag(flag, value, 'invalid environment variable; use NAME=VALUE or NAME');
  if (eq >= 0) return value;
  const fromClient = environ[key];
  return fromClient === undefined ? value : `${key}=${fromClient}`;
}

/** The name part of an environment entry. */
export function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * Lines of an env file as Docker reads them: blank lines and `#` comments
 * skipped, `NAME=VALUE` kept verbatim, bare `NAME` taken from the client
 * environment (dropped when unset there).
 */
export function parseEnvFile(path: string, content: string, environ: Environ): string[] {
  const out: string[] = [];
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw usageError(`invalid env file ${path} line ${index + 1}: no variable name before "="`);
    if (/\s/.test(key)) throw usageError(`invalid env file ${path} line ${index + 1}: variable '${key}' contains whitespaces`);
    if (eq >= 0) out.push(line);
    else if (environ[key] !== undefined) out.push(`${key}=${environ[key]}`);
  });
  return out;
}

/** Merges env entries in order; a later entry for the same name replaces the earlier one, moving to the end (Docker's makeEnv). */
export function mergeEnv(entries: readonly string[]): string[] {
  let out: string[] = [];
  for (const entry of entries) {
    if (out.includes(entry)) continue;
    const key = envKey(entry);
    out = out.filter((e) => envKey(e) !== key);
    out.push(entry);
  }
  return out;
}
