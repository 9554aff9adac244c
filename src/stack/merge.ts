// Merges several `-c` files into one, later files overriding earlier ones as
// `docker stack deploy` does: mappings merge key by key; ports, volumes,
// secrets and configs merge item by item (ports and volumes by target,
// secrets and configs by source); a few additive lists (cap_add, dns,
// constraints, ...) are appended; every other list (command, entrypoint,
// healthcheck.test, ...) is replaced; a logging block with another driver
// replaces the old one.
import { isRecord, listOrDict, scalarString } from './values.js';

type Tree = Record<string, unknown>;

const mapLike = ['environment', 'labels', 'sysctls', 'annotations'];
const appended = ['cap_add', 'cap_drop', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'tmpfs', 'env_file', 'expose', 'security_opt', 'group_add', 'profiles'];
const appendedDeploy = ['constraints', 'preferences'];

/** Merge parsed files (already validated) in order; the first is the base. */
export function mergeFiles(files: readonly unknown[]): Tree {
  let out: Tree = {};
  for (const f of files) out = mergeTop(out, isRecord(f) ? f : {});
  return out;
}

function mergeTop(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key === 'services' && isRecord(value)) {
      const services: Tree = isRecord(base.services) ? { ...base.services } : {};
      for (const [name, svc] of Object.entries(value)) {
        const prev = services[name];
        services[name] = isRecord(prev) && isRecord(svc) ? mergeService(prev, svc) : normalizeService(svc);
      }
      out.services = services;
    } else if (['networks', 'volumes', 'secrets', 'configs'].includes(key) && isRecord(value)) {
      const section: Tree = isRecord(base[key]) ? { ...(base[key] as Tree) } : {};
      for (const [name, def] of Object.entries(value)) {
        const prev = section[name];
        section[name] = isRecord(prev) && isRecord(def) ? deepMerge(prev, def) : def;
      }
      out[key] = section;
    } else {
      out[key] = isRecord(base[key]) && isRecord(value) ? deepMerge(base[key] as Tree, value) : value;
    }
  }
  return out;
}

// Map-like lists become mappings so a list in one file and a mapping in the
// next merge by key; service networks likewise (`[a, b]` → `{a: null, b: null}`).
function normalizeService(svc: unknown): unknown {
  if (!isRecord(svc)) return svc;
  const out: Tree = { ...svc };
  for (const key of mapLike) if (key in out && out[key] !== null) out[key] = Object.fromEntries(listOrDict(out[key]));
  if (Array.isArray(out.networks)) out.networks = Object.fromEntries(out.networks.map((n) => [scalarString(n), null]));
  if (isRecord(out.deploy) && isRecord(out.deploy) && 'labels' in out.deploy && out.deploy.labels !== null) {
    out.deploy = { ...out.deploy, labels: Object.fromEntries(listOrDict(out.deploy.labels)) };
  }
  return out;
}

function mergeService(baseRaw: Tree, overRaw: Tree): Tree {
  const base = normalizeService(baseRaw) as Tree;
  const over = normalizeService(overRaw) as Tree;
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = base[key];
    if (prev === undefined || prev === null || value === null) {
      out[key] = value;
    } else if (key === 'ports') {
      out[key] = mergeByKey(prev, value, portKey);
    } else if (key === 'volumes') {
      out[key] = mergeByKey(prev, value, volumeKey);
    } else if (key === 'secrets' || key === 'configs') {
      out[key] = mergeByKey(prev, value, sourceKey);
    } else if (key === 'logging' && isRecord(prev) && isRecord(value)) {
      out[key] = mergeLogging(prev, value);
    } else if (appended.includes(key) && Array.isArray(prev) && Array.isArray(value)) {
      out[key] = appendUnique(prev, value);
    } else if (key === 'deploy' && isRecord(prev) && isRecord(value)) {
      out[key] = mergeDeploy(prev, value);
    } else if (isRecord(prev) && isRecord(value)) {
      out[key] = deepMerge(prev, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeDeploy(base: Tree, over: Tree): Tree {
  const merged = deepMerge(base, over);
  if (isRecord(base.placement) && isRecord(over.placement)) {
    const placement: Tree = { ...(merged.placement as Tree) };
    for (const key of appendedDeploy) {
      const a = base.placement[key];
      const b = over.placement[key];
      if (Array.isArray(a) && Array.isArray(b)) placement[key] = appendUnique(a, b);
    }
    merged.placement = placement;
  }
  return merged;
}

function mergeLogging(base: Tree, over: Tree): Tree {
  const a = base.driver;
  const b = over.driver;
  if (a !== undefined && b !== undefined && a !== b) return over;
  return deepMerge(base, over);
}

/** Recursive mapping merge; lists and scalars from `over` replace. */
export function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = base[k];
    out[k] = isRecord(prev) && isRecord(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function appendUnique(a: readonly unknown[], b: readonly unknown[]): unknown[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
}

function mergeByKey(prev: unknown, value: unknown, key: (item: unknown) => string): unknown {
  if (!Array.isArray(prev) || !Array.isArray(value)) return value;
  const items = new Map<string, unknown>();
  for (const item of prev) items.set(key(item), item);
  for (const item of value) items.set(key(item), item);
  return [...items.values()];
}

// "8080:80/udp" → "80/udp"; {target: 80} → "80/tcp"; an unparsable short form keys on itself.
function portKey(item: unknown): string {
  if (isRecord(item)) return `${scalarString(item.target)}/${scalarString(item.protocol ?? 'tcp')}`;
  const s = scalarString(item);
  const [spec, proto] = s.split('/');
  const target = (spec ?? '').split(':').pop() ?? s;
  return `${target}/${proto ?? 'tcp'}`;
}

// "data:/var/lib:ro" → "/var/lib"; "/scratch" → "/scratch"; {target} → target.
function volumeKey(item: unknown): string {
  if (isRecord(item)) return scalarString(item.target);
  const parts = scalarString(item).split(':');
  return parts.length >= 2 ? (parts[1] ?? '') : (parts[0] ?? '');
}

function sourceKey(item: unknown): string {
  return isRecord(item) ? scalarString(item.source) : scalarString(item);
}
