// A service's container environment, as docker/cli's resolveEnvironment
// builds it: `env_file` entries first, then `environment` over them; a
// variable with no value (or an empty one) takes the deploying shell's value
// when that is set, and otherwise stays a bare `KEY`. Sorted, as Docker does.
import type { ConvertContext } from './context.js';
import { parseKvFile } from './env-file.js';
import { hostPath } from './paths.js';
import { compareStrings, isRecord, listOrDict, scalarString } from './values.js';

/** `KEY=VALUE` (or bare `KEY`) strings for a service, sorted. */
export function serviceEnvironment(ctx: ConvertContext, path: readonly (string | number)[], service: Record<string, unknown>): string[] {
  const env = new Map<string, string | null>();
  const update = (vars: Iterable<[string, string | null]>) => {
    for (const [k, v] of vars) {
      const fromShell = ctx.lookup(k);
      env.set(k, (v === null || v === '') && fromShell !== undefined ? fromShell : v);
    }
  };
  const files = service.env_file === undefined || service.env_file === null ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
  files.forEach((f, i) => {
    const where = [...path, 'env_file', ...(Array.isArray(service.env_file) ? [i] : [])];
    const rel = isRecord(f) ? scalarString(f.path) : scalarString(f);
    const required = !(isRecord(f) && f.required === false);
    const file = hostPath(ctx.workingDir, rel, ctx.lookup);
    if (!ctx.readFile) {
      ctx.error(where, `cannot read env_file ${file}: no file reader given`);
      return;
    }
    const bytes = ctx.readFile(file);
    if (bytes === undefined) {
      if (required) ctx.error(where, `env_file ${file} does not exist`);
      return;
    }
    const parsed = parseKvFile(new TextDecoder().decode(bytes), ctx.lookup);
    if (!parsed.ok) {
      ctx.error(where, `${file}:${parsed.error.line}: ${parsed.error.message}`);
      return;
    }
    update(parsed.entries);
  });
  update(listOrDict(service.environment));
  return [...env.entries()].map(([k, v]) => (v === null ? k : `${k}=${v}`)).sort(compareStrings);
}
