// Stable comparison of specs, for "redeploying the same file changes
// nothing; changing one service updates only that one". Specs are compared
// as the store holds them (encoded and decoded), in a key-sorted JSON form.
import { codec, type ServiceSpec } from '../gen/index.js';
import { compareStrings } from './values.js';

/** JSON with object keys sorted and bytes as base64: equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(sortDeep);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(compareStrings)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortDeep(x);
    }
    return out;
  }
  return v;
}

/** A ServiceSpec's canonical form, as stored (proto3 defaults filled, floats narrowed). */
export function canonicalServiceSpec(spec: ServiceSpec): string {
  return canonicalJson(codec.ServiceSpec.decode(codec.ServiceSpec.encode(spec)));
}

/** True when two service specs would be stored identically. */
export function sameServiceSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return canonicalServiceSpec(a) === canonicalServiceSpec(b);
}

/** What a deploy must do to turn the running services into the desired ones, by service name. */
export interface ServicePlan {
  readonly create: readonly string[];
  readonly update: readonly string[];
  readonly unchanged: readonly string[];
  /** Running but no longer in the files: removed only with `--prune`. */
  readonly prune: readonly string[];
}

/**
 * Compare desired specs with the stack's current ones. Fields the cluster
 * owns (forceUpdate, resolved secret/config IDs) are not the file's business
 * and are ignored.
 */
export function planServices(current: readonly ServiceSpec[], desired: readonly ServiceSpec[]): ServicePlan {
  const byName = new Map(current.map((s) => [s.annotations?.name ?? '', s]));
  const create: string[] = [];
  const update: string[] = [];
  const unchanged: string[] = [];
  for (const d of desired) {
    const name = d.annotations?.name ?? '';
    const c = byName.get(name);
    if (!c) create.push(name);
    else if (canonicalServiceSpec(fileView(c)) === canonicalServiceSpec(fileView(d))) unchanged.push(name);
    else update.push(name);
  }
  const wanted = new Set(desired.map((d) => d.annotations?.name ?? ''));
  const prune = [...byName.keys()].filter((n) => !wanted.has(n));
  const sort = (xs: string[]) => xs.sort(compareStrings);
  return { create: sort(create), update: sort(update), unchanged: sort(unchanged), prune: sort(prune) };
}

// The spec without what the cluster fills in after deploy.
function fileView(spec: ServiceSpec): ServiceSpec {
  const task = spec.task;
  if (!task) return spec;
  const container = task.container;
  return {
    ...spec,
    task: {
      ...task,
      forceUpdate: 0,
      ...(container
        ? {
            container: {
              ...container,
              secrets: container.secrets.map((s) => ({ ...s, secretId: '' })),
              configs: container.configs.map((c) => ({ ...c, configId: '' })),
            },
          }
        : {}),
    },
  };
}
