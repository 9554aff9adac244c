// Two env-file dialects. A stack's `.env` (interpolation variables) is read
// as docker compose reads it: `export` prefixes, quotes, inline comments.
// A service's `env_file` is read as docker/cli's kvfile does: the value is
// everything after the first `=`, verbatim, and a bare `KEY` is taken from
// the environment (and dropped when unset).
import type { Lookup } from './template.js';

/** A parse error on one line of an env file. */
export interface EnvFileError {
  readonly line: number;
  readonly message: string;
}

type Parsed = { ok: true; vars: Map<string, string> } | { ok: false; error: EnvFileError };

const keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parse a `.env` file (docker compose's dialect). */
export function parseDotEnv(text: string): Parsed {
  const vars = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!keyPattern.test(key)) return { ok: false, error: { line: i + 1, message: `invalid variable name ${JSON.stringify(key)}` } };
    if (eq < 0) continue;
    let raw = line.slice(eq + 1).trim();
    const quote = raw[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may span lines until its closing quote.
      let body = raw.slice(1);
      while (!hasClosingQuote(body, quote) && i + 1 < lines.length) body += '\n' + (lines[++i] ?? '');
      const end = closingQuote(body, quote);
      if (end < 0) return { ok: false, error: { line: i + 1, message: `unterminated quoted value for ${key}` } };
      body = body.slice(0, end);
      vars.set(key, quote === '"' ? unescapeDouble(body) : body);
      continue;
    }
    const hash = raw.search(/\s#/);
    if (hash >= 0) raw = raw.slice(0, hash).trimEnd();
    vars.set(key, raw);
  }
  return { ok: true, vars };
}

function closingQuote(s: string, quote: string): number {
  for (let k = 0; k < s.length; k++) {
    if (quote === '"' && s[k] === '\\') {
      k++;
      continue;
    }
    if (s[k] === quote) return k;
  }
  return -1;
}

function hasClosingQuote(s: string, quote: string): boolean {
  return closingQuote(s, quote) >= 0;
}

function unescapeDouble(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/** Parse a service `env_file` (docker/cli's kvfile dialect) into `K=V` entries. */
export function parseKvFile(text: string, lookup: Lookup): { ok: true; entries: [string, string][] } | { ok: false; error: EnvFileError } {
  const entries: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line.trimEnd() : line.slice(0, eq);
    if (key === '') return { ok: false, error: { line: i + 1, message: 'no variable name on line' } };
    if (/\s/.test(key)) return { ok: false, error: { line: i + 1, message: `variable '${key}' contains whitespaces` } };
    if (eq >= 0) {
      entries.push([key, line.slice(eq + 1)]);
      continue;
    }
    const v = lookup(key);
    if (v !== undefined) entries.push([key, v]);
  }
  return { ok: true, entries };
}
