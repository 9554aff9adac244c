// Service `volumes` (short "[SOURCE:]TARGET[:MODE]" and long form) and
// `tmpfs` as Mounts, following docker/cli's convert/volume.go: named volumes
// must be declared at the top level and get the stack's prefix unless
// external or named; bind sources are made absolute.
import type { Mount } from '../gen/index.js';
import { scope, type ConvertContext } from './context.js';
import { hostPath } from './paths.js';
import { parseBytes } from './units.js';
import { externalName, isExternal, isRecord, scalarString, stringOrList } from './values.js';

/** A top-level volume as the stack declares it. */
export interface StackVolume {
  /** Key in the Compose file. */
  readonly key: string;
  /** Engine volume name: `STACK_key`, or `name:` / the external name as given. */
  readonly name: string;
  readonly external: boolean;
  readonly driver: string;
  readonly driverOpts: Record<string, string>;
  readonly labels: Record<string, string>;
}

function mount(type: Mount['type'], source: string, target: string, readOnly = false): Mount {
  return { type, source, target, readOnly, tmpfsSizeBytes: 0, tmpfsMode: 0 };
}

function isPathLike(s: string): boolean {
  return s.startsWith('/') || s.startsWith('.') || s.startsWith('~');
}

/** Convert a service's `volumes`; undefined volumes and bad specs are reported. */
export function convertVolumes(
  ctx: ConvertContext,
  path: readonly (string | number)[],
  volumes: unknown,
  declared: ReadonlyMap<string, StackVolume>,
): Mount[] {
  if (!Array.isArray(volumes)) return [];
  const out: Mount[] = [];
  volumes.forEach((v, i) => {
    const where = [...path, i];
    const m = isRecord(v) ? longForm(ctx, where, v, declared) : shortForm(ctx, where, scalarString(v), declared);
    if (m) out.push(m);
  });
  return out;
}

function named(ctx: ConvertContext, where: readonly (string | number)[], source: string, declared: ReadonlyMap<string, StackVolume>): string | undefined {
  const vol = declared.get(source);
  if (!vol) {
    ctx.error(where, `undefined volume ${JSON.stringify(source)}: declare it under the top-level volumes key`);
    return undefined;
  }
  return vol.name;
}

function shortForm(ctx: ConvertContext, where: readonly (string | number)[], spec: string, declared: ReadonlyMap<string, StackVolume>): Mount | undefined {
  const parts = spec.split(':');
  if (parts.length > 3 || spec === '') {
    ctx.error(where, `invalid volume specification ${JSON.stringify(spec)}: use [SOURCE:]TARGET[:MODE]`);
    return undefined;
  }
  if (parts.length === 1) return mount('VOLUME', '', parts[0] ?? '');
  const [source = '', target = '', modeText = ''] = parts;
  const modes = modeText === '' ? [] : modeText.split(',');
  const readOnly = modes.includes('ro');
  if (!target.startsWith('/')) {
    ctx.error(where, `invalid volume specification ${JSON.stringify(spec)}: the target must be an absolute path`);
    return undefined;
  }
  if (isPathLike(source)) return mount('BIND', hostPath(ctx.workingDir, source, ctx.lookup), target, readOnly);
  const name = named(ctx, where, source, declared);
  return name === undefined ? undefined : mount('VOLUME', name, target, readOnly);
}

function longForm(ctx: ConvertContext, where: readonly (string | number)[], v: Record<string, unknown>, declared: ReadonlyMap<string, StackVolume>): Mount | undefined {
  const type = scalarString(v.type);
  const source = scalarString(v.source ?? '');
  const target = scalarString(v.target ?? '');
  const readOnly = v.read_only === true;
  if (!target.startsWith('/')) {
    ctx.error([...where, 'target'], `invalid mount target ${JSON.stringify(target)}: must be an absolute path`);
    return undefined;
  }
  switch (type) {
    case 'bind':
      if (source === '') {
        ctx.error(where, 'invalid bind source, source cannot be empty');
        return undefined;
      }
      return mount('BIND', hostPath(ctx.workingDir, source, ctx.lookup), target, readOnly);
    case 'volume': {
      if (isRecord(v.tmpfs)) ctx.error([...where, 'tmpfs'], 'tmpfs options are incompatible with type volume');
      if (isRecord(v.bind)) ctx.error([...where, 'bind'], 'bind options are incompatible with type volume');
      if (source === '') return mount('VOLUME', '', target, readOnly);
      const name = named(ctx, where, source, declared);
      return name === undefined ? undefined : mount('VOLUME', name, target, readOnly);
    }
    case 'tmpfs': {
      if (source !== '') {
        ctx.error([...where, 'source'], 'invalid tmpfs source, source must be empty');
        return undefined;
      }
      const m = mount('TMPFS', '', target, readOnly);
      if (isRecord(v.tmpfs)) {
        if (v.tmpfs.size !== undefined) {
          const size = parseBytes(v.tmpfs.size);
          if (size.ok) m.tmpfsSizeBytes = size.value;
          else ctx.error([...where, 'tmpfs', 'size'], size.message);
        }
        if (typeof v.tmpfs.mode === 'number') m.tmpfsMode = v.tmpfs.mode;
      }
      return m;
    }
    default:
      ctx.error([...where, 'type'], `unsupported mount type ${JSON.stringify(type)}: use volume, bind or tmpfs`);
      return undefined;
  }
}

/** Service-level `tmpfs: /run` or `["/run:size=64m,mode=1777"]` as tmpfs mounts (Docker drops these for services). */
export function convertTmpfs(ctx: ConvertContext, path: readonly (string | number)[], tmpfs: unknown): Mount[] {
  return stringOrList(tmpfs).map((entry, i) => {
    const colon = entry.indexOf(':');
    const target = colon < 0 ? entry : entry.slice(0, colon);
    const m = mount('TMPFS', '', target);
    if (colon >= 0) {
      for (const opt of entry.slice(colon + 1).split(',')) {
        const [k = '', val = ''] = opt.split('=');
        if (k === 'size') {
          const size = parseBytes(val);
          if (size.ok) m.tmpfsSizeBytes = size.value;
          else ctx.error([...path, i], size.message);
        } else if (k === 'mode') {
          m.tmpfsMode = Number.parseInt(val, 8);
        } else if (k === 'ro') {
          m.readOnly = true;
        }
      }
    }
    return m;
  });
}

/** The top-level `volumes` section: each entry's engine name and options. */
export function stackVolumes(ctx: ConvertContext, section: unknown, labelsOf: (v: unknown) => Record<string, string>): Map<string, StackVolume> {
  const out = new Map<string, StackVolume>();
  if (!isRecord(section)) return out;
  for (const key of Object.keys(section).sort()) {
    const def = isRecord(section[key]) ? (section[key] as Record<string, unknown>) : {};
    const external = isExternal(def.external);
    const name = scalarString(def.name ?? externalName(def.external) ?? '') || (external ? key : scope(ctx.namespace, key));
    const driverOpts: Record<string, string> = {};
    if (isRecord(def.driver_opts)) for (const k of Object.keys(def.driver_opts).sort()) driverOpts[k] = scalarString(def.driver_opts[k]);
    out.set(key, { key, name, external, driver: scalarString(def.driver ?? ''), driverOpts, labels: external ? {} : labelsOf(def.labels) });
  }
  return out;
}
