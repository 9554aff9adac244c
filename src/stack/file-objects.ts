// Secrets and configs: the top-level declarations (what to create, and from
// which file or variable) and the service references to them, following
// docker/cli's convertFileObject: target defaults to the key, uid/gid "0",
// mode 0o444; references are sorted by name so redeploys compare equal.
import type { ConfigReference, ConfigSpec, FileTarget, SecretReference, SecretSpec } from '../gen/index.js';
import { scope, withStackLabel, type ConvertContext } from './context.js';
import { hostPath } from './paths.js';
import { compareStrings, externalName, isExternal, isRecord, listOrDict, scalarString } from './values.js';

/** Where a secret's or config's content comes from. */
export type DataSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'environment'; readonly variable: string }
  | { readonly kind: 'external' };

/** A top-level secret: its spec (data filled only when a file reader was given or it came from a variable). */
export interface StackSecret {
  readonly key: string;
  readonly source: DataSource;
  readonly spec: SecretSpec;
}

/** A top-level config, as StackSecret. */
export interface StackConfig {
  readonly key: string;
  readonly source: DataSource;
  readonly spec: ConfigSpec;
}

interface Declared {
  readonly key: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly source: DataSource;
  readonly data: Uint8Array;
  readonly driver: string;
  readonly driverOpts: Record<string, string>;
}

type Kind = 'secrets' | 'configs';

function declare(ctx: ConvertContext, kind: Kind, section: unknown): Declared[] {
  const out: Declared[] = [];
  if (!isRecord(section)) return out;
  const what = kind === 'secrets' ? 'secret' : 'config';
  for (const key of Object.keys(section).sort(compareStrings)) {
    const def = isRecord(section[key]) ? (section[key] as Record<string, unknown>) : {};
    const path = [kind, key];
    const external = isExternal(def.external);
    const given = scalarString(def.name ?? externalName(def.external) ?? '');
    const name = given || (external ? key : scope(ctx.namespace, key));
    const driverOpts: Record<string, string> = {};
    if (isRecord(def.driver_opts)) for (const k of Object.keys(def.driver_opts).sort(compareStrings)) driverOpts[k] = scalarString(def.driver_opts[k]);
    const base = { key, name, labels: external ? {} : withStackLabel(ctx.namespace, listOrDict(def.labels)), driver: scalarString(def.driver ?? ''), driverOpts };
    if (external) {
      out.push({ ...base, source: { kind: 'external' }, data: new Uint8Array() });
    } else if (typeof def.file === 'string') {
      const file = hostPath(ctx.workingDir, def.file, ctx.lookup);
      let data: Uint8Array = new Uint8Array();
      if (ctx.readFile) {
        const read = ctx.readFile(file);
        if (read === undefined) ctx.error([...path, 'file'], `${what} file ${file} does not exist`);
        else data = read;
      }
      out.push({ ...base, source: { kind: 'file', path: file }, data });
    } else if (typeof def.environment === 'string') {
      const value = ctx.lookup(def.environment);
      if (value === undefined) ctx.error([...path, 'environment'], `environment variable ${def.environment} for ${what} ${key} is not set`);
      out.push({ ...base, source: { kind: 'environment', variable: def.environment }, data: new TextEncoder().encode(value ?? '') });
    } else if (base.driver !== '') {
      // A secret driver supplies the value itself.
      out.push({ ...base, source: { kind: 'external' }, data: new Uint8Array() });
    } else {
      ctx.error(path, `${what} ${key}: set file, environment or external: true`);
    }
  }
  return out;
}

/** The top-level `secrets` section as specs. */
export function stackSecrets(ctx: ConvertContext, section: unknown): StackSecret[] {
  return declare(ctx, 'secrets', section).map((d) => ({
    key: d.key,
    source: d.source,
    spec: { annotations: { name: d.name, labels: d.labels }, data: d.data, ...(d.driver ? { driver: { name: d.driver, options: d.driverOpts } } : {}) },
  }));
}

/** The top-level `configs` section as specs. */
export function stackConfigs(ctx: ConvertContext, section: unknown): StackConfig[] {
  return declare(ctx, 'configs', section).map((d) => ({
    key: d.key,
    source: d.source,
    spec: { annotations: { name: d.name, labels: d.labels }, data: d.data },
  }));
}

/** Engine names of the declared objects, by key. */
export function namesByKey(objects: readonly { key: string; spec: { annotations?: { name: string } | undefined } }[]): Map<string, string> {
  return new Map(objects.map((o) => [o.key, o.spec.annotations?.name ?? o.key]));
}

function fileReference(ctx: ConvertContext, path: readonly (string | number)[], ref: unknown, names: ReadonlyMap<string, string>, what: string): { name: string; file: FileTarget } | undefined {
  const long = isRecord(ref) ? ref : { source: ref };
  const key = scalarString(long.source);
  const name = names.get(key);
  if (name === undefined) {
    ctx.error(path, `undefined ${what} ${JSON.stringify(key)}: declare it under the top-level ${what}s key`);
    return undefined;
  }
  const mode = long.mode === undefined || long.mode === null ? 0o444 : Number(long.mode);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    ctx.error([...path, 'mode'], `invalid file mode ${JSON.stringify(long.mode)}: use an octal number such as 0440`);
  }
  return {
    name,
    file: {
      name: scalarString(long.target ?? '') || key,
      uid: scalarString(long.uid ?? '') || '0',
      gid: scalarString(long.gid ?? '') || '0',
      mode,
    },
  };
}

/** A service's `secrets` as references, sorted by secret name. */
export function secretReferences(ctx: ConvertContext, path: readonly (string | number)[], refs: unknown, names: ReadonlyMap<string, string>): SecretReference[] {
  if (!Array.isArray(refs)) return [];
  const out: SecretReference[] = [];
  refs.forEach((r, i) => {
    const f = fileReference(ctx, [...path, i], r, names, 'secret');
    if (f) out.push({ secretId: '', secretName: f.name, file: f.file });
  });
  return out.sort((a, b) => compareStrings(a.secretName, b.secretName));
}

/** A service's `configs` as references, sorted by config name. */
export function configReferences(ctx: ConvertContext, path: readonly (string | number)[], refs: unknown, names: ReadonlyMap<string, string>): ConfigReference[] {
  if (!Array.isArray(refs)) return [];
  const out: ConfigReference[] = [];
  refs.forEach((r, i) => {
    const f = fileReference(ctx, [...path, i], r, names, 'config');
    if (f) out.push({ configId: '', configName: f.name, file: f.file });
  });
  return out.sort((a, b) => compareStrings(a.configName, b.configName));
}
