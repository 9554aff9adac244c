// Interpolation over a parsed Compose file. Like docker/cli it touches only
// the services, networks, volumes, secrets and configs sections (so `x-`
// blocks may hold literal `$`), and values that must be numbers or booleans
// are cast after substitution (`replicas: ${N}`).
import { joinPath, type Diagnostic } from './diagnostics.js';
import { substitute, type Lookup } from './template.js';
import { isRecord } from './values.js';
import { lineAt, type ParsedYaml } from './yaml-source.js';

const sections = ['services', 'networks', 'volumes', 'secrets', 'configs'];

type Cast = 'int' | 'float' | 'bool';

// Paths (with `*` for any key or index) whose substituted value is cast, as
// docker/cli's interpolateTypeCastMapping.
const casts: readonly (readonly [string, Cast])[] = [
  ['services.*.configs.*.mode', 'int'],
  ['services.*.secrets.*.mode', 'int'],
  ['services.*.healthcheck.retries', 'int'],
  ['services.*.healthcheck.disable', 'bool'],
  ['services.*.deploy.replicas', 'int'],
  ['services.*.deploy.update_config.parallelism', 'int'],
  ['services.*.deploy.update_config.max_failure_ratio', 'float'],
  ['services.*.deploy.rollback_config.parallelism', 'int'],
  ['services.*.deploy.rollback_config.max_failure_ratio', 'float'],
  ['services.*.deploy.restart_policy.max_attempts', 'int'],
  ['services.*.deploy.placement.max_replicas_per_node', 'int'],
  ['services.*.ports.*.target', 'int'],
  ['services.*.ports.*.published', 'int'],
  ['services.*.ulimits.*', 'int'],
  ['services.*.ulimits.*.hard', 'int'],
  ['services.*.ulimits.*.soft', 'int'],
  ['services.*.privileged', 'bool'],
  ['services.*.read_only', 'bool'],
  ['services.*.stdin_open', 'bool'],
  ['services.*.tty', 'bool'],
  ['services.*.init', 'bool'],
  ['services.*.volumes.*.read_only', 'bool'],
  ['services.*.volumes.*.volume.nocopy', 'bool'],
  ['networks.*.external', 'bool'],
  ['networks.*.internal', 'bool'],
  ['networks.*.attachable', 'bool'],
  ['volumes.*.external', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
];

function castFor(path: readonly string[]): Cast | undefined {
  for (const [pattern, cast] of casts) {
    const parts = pattern.split('.');
    if (parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i])) return cast;
  }
  return undefined;
}

function cast(value: string, kind: Cast): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (kind) {
    case 'int': {
      // Go's ParseInt(s, 0, ...): 0x.. hex, 0o.. or leading-0 octal, else decimal.
      const t = value.trim();
      let n = Number.NaN;
      if (/^[-+]?0[0-7]+$/.test(t)) n = Number.parseInt(t, 8);
      else if (/^[-+]?0[oO][0-7]+$/.test(t)) n = Number.parseInt(t.replace(/0[oO]/, ''), 8);
      else if (/^[-+]?(0[xX][0-9a-fA-F]+|\d+)$/.test(t)) n = Number(t);
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, message: `invalid integer: ${JSON.stringify(value)}` };
    }
    case 'float': {
      const n = Number(value.trim());
      return value.trim() !== '' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `invalid float: ${JSON.stringify(value)}` };
    }
    case 'bool': {
      const t = value.trim().toLowerCase();
      if (['y', 'yes', 'true', 'on'].includes(t)) return { ok: true, value: true };
      if (['n', 'no', 'false', 'off'].includes(t)) return { ok: true, value: false };
      return { ok: false, message: `invalid boolean: ${value}` };
    }
  }
}

/** Result of interpolating one file: the new tree, errors, and the names of unset variables. */
export interface Interpolated {
  readonly value: unknown;
  readonly errors: Diagnostic[];
  readonly unset: ReadonlySet<string>;
}

/** Substitute variables in one parsed file's sections. */
export function interpolate(parsed: ParsedYaml, lookup: Lookup): Interpolated {
  const errors: Diagnostic[] = [];
  const unset = new Set<string>();
  const at = (path: string[]) => ({ file: parsed.file, line: lineAt(parsed.lines, path), path: joinPath(path) });

  const visit = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('$')) return value;
      const r = substitute(value, lookup);
      if (!r.ok) {
        const message = r.kind === 'invalid'
          ? `invalid interpolation format: ${JSON.stringify(r.message)}. You may need to escape any $ with another $`
          : `error while interpolating: ${r.message}`;
        errors.push({ ...at(path), message });
        return value;
      }
      for (const name of r.unset) unset.add(name);
      const kind = castFor(path);
      if (kind === undefined) return r.value;
      const c = cast(r.value, kind);
      if (!c.ok) {
        errors.push({ ...at(path), message: `failed to cast to expected type: ${c.message}` });
        return r.value;
      }
      return c.value;
    }
    if (Array.isArray(value)) return value.map((v, i) => visit(v, [...path, String(i)]));
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = visit(v, [...path, k]);
      return out;
    }
    return value;
  };

  if (!isRecord(parsed.value)) return { value: parsed.value, errors, unset };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed.value)) out[k] = sections.includes(k) ? visit(v, [k]) : v;
  return { value: out, errors, unset };
}
