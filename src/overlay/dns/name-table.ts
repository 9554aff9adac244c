// The names the embedded DNS answers, per network. Built from service
// endpoint data (pure), swapped in whole on every change: a stopped task
// is gone from the next answer.

/** A service as the name table sees it. */
export interface NamedService {
  /** Full service name, e.g. "web" or "shop_web" for a stack service. */
  readonly name: string;
  /** com.docker.stack.namespace, so "shop_web" also answers as "web". */
  readonly stackNamespace?: string | undefined;
  readonly endpointMode: 'vip' | 'dnsrr';
  /** The service's VIP per network (endpoint mode vip). */
  readonly vips: readonly { networkId: string; ip: string }[];
  /** Addresses of the service's running tasks per network. */
  readonly tasks: readonly { networkId: string; ip: string }[];
}

/** networkId → lower-case name → addresses. */
export type NameRecords = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

function add(records: Map<string, Map<string, string[]>>, networkId: string, name: string, ips: readonly string[]): void {
  let names = records.get(networkId);
  if (names === undefined) records.set(networkId, (names = new Map()));
  const key = name.toLowerCase();
  names.set(key, [...new Set([...(names.get(key) ?? []), ...ips])].sort());
}

/** Compute every network's records: SERVICE, tasks.SERVICE, and stack short names. Pure. */
export function buildNameRecords(services: readonly NamedService[]): NameRecords {
  const records = new Map<string, Map<string, string[]>>();
  for (const service of services) {
    const names = [service.name];
    const prefix = service.stackNamespace === undefined ? undefined : `${service.stackNamespace}_`;
    if (prefix !== undefined && service.name.startsWith(prefix) && service.name.length > prefix.length) names.push(service.name.slice(prefix.length));
    const networkIds = new Set([...service.vips.map((v) => v.networkId), ...service.tasks.map((t) => t.networkId)]);
    for (const networkId of networkIds) {
      const taskIps = service.tasks.filter((t) => t.networkId === networkId).map((t) => t.ip);
      const vips = service.vips.filter((v) => v.networkId === networkId).map((v) => v.ip);
      const serviceIps = service.endpointMode === 'dnsrr' || vips.length === 0 ? taskIps : vips;
      for (const name of names) {
        add(records, networkId, name, serviceIps);
        add(records, networkId, `tasks.${name}`, taskIps);
      }
    }
  }
  return records;
}

/** The live table the DNS server reads; replaced atomically by the agent. */
export class NameTable {
  private records: NameRecords = new Map();

  /** Swap in new records (from buildNameRecords). */
  replace(records: NameRecords): void {
    this.records = records;
  }

  /** Addresses for `name` on a network, or undefined if the name is not ours. */
  lookup(networkId: string, name: string): readonly string[] | undefined {
    return this.records.get(networkId)?.get(name.toLowerCase().replace(/\.$/, ''));
  }
}
