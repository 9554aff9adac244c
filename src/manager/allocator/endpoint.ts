// A service's endpoint as the allocator completes it: published ports
// resolved (Docker's dynamic range when not given) and a VIP per network.
import { codec, type PortConfig, type Service, type ServiceEndpoint, type ServiceEndpoint_VirtualIP, type ServiceSpec } from '../../gen/index.js';
import { err, ok, type Result } from '../../common/result.js';
import type { AddressBook, Owner } from './address-book.js';

/** Docker's range for ingress ports published without a number. */
export const DYNAMIC_PORT_FIRST = 30000;
/** Last port of the dynamic range. */
export const DYNAMIC_PORT_LAST = 32767;

/** The VIP owner key of a service. */
export function vipOwner(serviceId: string): Owner {
  return `vip:${serviceId}`;
}

function portKey(port: number, protocol: string): string {
  return `${port}/${protocol}`;
}

/** Whether an endpoint publishes a port through the routing mesh (the service then needs the ingress network). */
export function publishesIngress(endpoint: { ports: readonly PortConfig[] } | undefined): boolean {
  return (endpoint?.ports ?? []).some((p) => p.publishMode === 'INGRESS');
}

/** Ingress ports held by services other than `exceptId`: "8080/TCP" → service name. */
export function ingressPortsInUse(services: readonly Service[], exceptId: string): Map<string, string> {
  const used = new Map<string, string>();
  for (const s of services) {
    if (s.id === exceptId) continue;
    const ports = s.endpoint?.ports.length ? s.endpoint.ports : (s.spec?.endpoint?.ports ?? []);
    for (const p of ports) if (p.publishMode === 'INGRESS' && p.publishedPort > 0) used.set(portKey(p.publishedPort, p.protocol), s.spec?.annotations?.name || s.id);
  }
  return used;
}

/**
 * The spec's ports with every ingress port numbered: a given port must be
 * free (`port 8080 is already published by service web`); a port given as
 * 0 keeps the number it had before (service update), else takes the lowest
 * free one of 30000-32767. Host-mode ports are left as given.
 */
export function resolvePorts(specPorts: readonly PortConfig[], previous: readonly PortConfig[], inUse: ReadonlyMap<string, string>): Result<PortConfig[], string> {
  const taken = new Set(inUse.keys());
  for (const p of specPorts) {
    if (p.publishMode !== 'INGRESS' || p.publishedPort === 0) continue;
    const owner = inUse.get(portKey(p.publishedPort, p.protocol));
    if (owner !== undefined) return err(`port ${p.publishedPort} is already published by service ${owner}`);
    taken.add(portKey(p.publishedPort, p.protocol));
  }
  const out: PortConfig[] = [];
  for (const p of specPorts) {
    if (p.publishMode !== 'INGRESS' || p.publishedPort !== 0) {
      out.push({ ...p });
      continue;
    }
    const before = previous.find((q) => q.publishMode === 'INGRESS' && q.targetPort === p.targetPort && q.protocol === p.protocol && q.publishedPort > 0 && !taken.has(portKey(q.publishedPort, q.protocol)));
    let chosen = before?.publishedPort;
    for (let candidate = DYNAMIC_PORT_FIRST; chosen === undefined && candidate <= DYNAMIC_PORT_LAST; candidate++) {
      if (!taken.has(portKey(candidate, p.protocol))) chosen = candidate;
    }
    if (chosen === undefined) return err(`no free port left in ${DYNAMIC_PORT_FIRST}-${DYNAMIC_PORT_LAST} for target port ${p.targetPort}/${p.protocol.toLowerCase()}: publish it on a chosen port`);
    taken.add(portKey(chosen, p.protocol));
    out.push({ ...p, publishedPort: chosen });
  }
  return ok(out);
}

/** The networks a service gets a VIP on: ingress when it publishes there, and (mode vip) each of its networks. */
export function vipNetworkIds(spec: ServiceSpec, ports: readonly PortConfig[], ingressId: string | undefined): string[] {
  const ids: string[] = [];
  if (ingressId !== undefined && publishesIngress({ ports })) ids.push(ingressId);
  if ((spec.endpoint?.mode ?? 'VIP') === 'VIP') {
    for (const n of spec.task?.networks ?? []) if (!ids.includes(n.target)) ids.push(n.target);
  }
  return ids;
}

/** A planned endpoint and what to undo or finish around the proposal. */
export interface EndpointPlan {
  readonly endpoint: ServiceEndpoint;
  /** Networks whose VIP was newly allocated: give them back if the proposal fails. */
  readonly added: readonly string[];
  /** Networks whose VIP the service no longer needs: give them back once the proposal commits. */
  readonly dropped: readonly string[];
}

/**
 * The service's endpoint: resolved ports and one VIP per wanted network,
 * keeping the VIPs it already holds. Allocates in `book` (the leader's);
 * on failure nothing stays allocated.
 */
export function planEndpoint(book: AddressBook, serviceId: string, spec: ServiceSpec, ports: readonly PortConfig[], networkIds: readonly string[]): Result<EndpointPlan, string> {
  const owner = vipOwner(serviceId);
  const before = new Set(book.heldBy(owner).keys());
  const added: string[] = [];
  const virtualIps: ServiceEndpoint_VirtualIP[] = [];
  for (const networkId of networkIds) {
    const address = book.allocate(networkId, owner);
    if (!address.ok) {
      for (const id of added) book.release(owner, id);
      return err(address.error.message);
    }
    if (!before.has(networkId)) added.push(networkId);
    virtualIps.push({ networkId, addr: address.value });
  }
  const dropped = [...before].filter((id) => !networkIds.includes(id));
  const endpoint = codec.ServiceEndpoint.fromPartial({ spec: spec.endpoint, ports: [...ports], virtualIps });
  return ok({ endpoint, added, dropped });
}
