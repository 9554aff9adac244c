// Networks: which ones the stack's services use (only those are created, as
// docker/cli does), their specs, and each service's attachments. A service
// without `networks` joins `default`, which becomes `STACK_default`, an
// overlay network, unless the file redefines `default`.
import type { IPAMConfig, NetworkAttachmentConfig, NetworkSpec } from '../gen/index.js';
import { scope, withStackLabel, type ConvertContext } from './context.js';
import { compareStrings, externalName, isExternal, isRecord, listOrDict, scalarString } from './values.js';

/** A network the stack uses: created unless external. */
export interface StackNetwork {
  /** Key in the Compose file (`default` for the implicit one). */
  readonly key: string;
  readonly external: boolean;
  /** Name is `STACK_key`, or `name:` / the external name as given; driver defaults to overlay. */
  readonly spec: NetworkSpec;
}

/** The default network's key, as Compose calls it. */
export const defaultNetwork = 'default';

/** Keys of the networks a service attaches to (`default` when it names none). */
export function serviceNetworkKeys(service: Record<string, unknown>): string[] {
  const nets = service.networks;
  if (Array.isArray(nets)) return nets.length === 0 ? [defaultNetwork] : nets.map(scalarString);
  if (isRecord(nets)) return Object.keys(nets).length === 0 ? [defaultNetwork] : Object.keys(nets);
  return [defaultNetwork];
}

/** Specs of the networks used by `services`, sorted by name. */
export function stackNetworks(ctx: ConvertContext, section: unknown, used: ReadonlySet<string>): StackNetwork[] {
  const declared = isRecord(section) ? section : {};
  const out: StackNetwork[] = [];
  for (const key of [...used].sort(compareStrings)) {
    const rawDef = declared[key];
    if (rawDef === undefined && key !== defaultNetwork) continue; // reported per service
    const def = isRecord(rawDef) ? rawDef : {};
    const external = isExternal(def.external);
    const given = scalarString(def.name ?? externalName(def.external) ?? '');
    const name = given || (external ? key : scope(ctx.namespace, key));
    const ipam: IPAMConfig[] = [];
    if (isRecord(def.ipam) && Array.isArray(def.ipam.config)) {
      for (const c of def.ipam.config) {
        if (!isRecord(c)) continue;
        ipam.push({ subnet: scalarString(c.subnet ?? ''), gateway: scalarString(c.gateway ?? ''), range: scalarString(c.ip_range ?? '') });
      }
    }
    const options: Record<string, string> = {};
    if (isRecord(def.driver_opts)) for (const k of Object.keys(def.driver_opts).sort(compareStrings)) options[k] = scalarString(def.driver_opts[k]);
    out.push({
      key,
      external,
      spec: {
        annotations: { name, labels: external ? {} : withStackLabel(ctx.namespace, listOrDict(def.labels)) },
        driver: { name: scalarString(def.driver ?? '') || 'overlay', options },
        internal: def.internal === true,
        attachable: def.attachable === true,
        ingress: false,
        ipam,
        ipv6: def.enable_ipv6 === true,
      },
    });
  }
  return out.sort((a, b) => compareStrings(a.spec.annotations?.name ?? '', b.spec.annotations?.name ?? ''));
}

// Networks that are not user-defined take no aliases (docker's IsUserDefined).
const builtIn = new Set(['default', 'bridge', 'host', 'none']);

/** A service's attachments, sorted by target; each gets the service's name as an alias. */
export function serviceAttachments(
  ctx: ConvertContext,
  path: readonly (string | number)[],
  serviceName: string,
  service: Record<string, unknown>,
  networks: readonly StackNetwork[],
): NetworkAttachmentConfig[] {
  const byKey = new Map(networks.map((n) => [n.key, n]));
  const config = isRecord(service.networks) ? service.networks : {};
  const out: NetworkAttachmentConfig[] = [];
  for (const key of serviceNetworkKeys(service)) {
    const net = byKey.get(key);
    if (!net) {
      ctx.error([...path, 'networks', key], `undefined network ${JSON.stringify(key)}: declare it under the top-level networks key`);
      continue;
    }
    const target = net.spec.annotations?.name ?? key;
    const c = config[key];
    const aliases = isRecord(c) && Array.isArray(c.aliases) ? c.aliases.map(scalarString) : [];
    if (!builtIn.has(target) && !target.startsWith('container:')) aliases.push(serviceName);
    out.push({ target, aliases });
  }
  return out.sort((a, b) => compareStrings(a.target, b.target));
}
