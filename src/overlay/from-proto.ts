// Adapters from the wire types (src/gen) to the data plane's and mesh's
// inputs, with the user-facing validation that belongs at that boundary.
import type { Network, PortConfig } from '../gen/index.js';
import { err, ok, type Result } from '../common/result.js';
import type { DesiredNetwork } from './dataplane/desired-state.js';
import { maxVni } from './ipam/vni.js';
import type { HostPort, PublishedPort, RoutingMeshSpec } from './mesh/rules.js';

/** Docker's network option naming the VXLAN ID (shown by `network inspect`). */
export const vxlanIdOption = 'com.docker.network.driver.overlay.vxlanid_list';
/** Docker's network option overriding the MTU (`-o com.docker.network.driver.mtu=N`). */
export const mtuOption = 'com.docker.network.driver.mtu';

/** Why a wire object cannot be turned into data plane input. */
export interface OverlayInputError {
  readonly kind: 'invalid-network' | 'invalid-mtu' | 'unsupported-protocol';
  readonly message: string;
}

/** Parse the MTU option: undefined when unset; an error unless an integer in 68..65535 (IPv4 minimum to maximum). */
export function parseMtuOption(value: string | undefined): Result<number | undefined, OverlayInputError> {
  if (value === undefined || value === '') return ok(undefined);
  const mtu = Number(value);
  if (!/^\d+$/.test(value) || mtu < 68 || mtu > 65535) {
    return err({ kind: 'invalid-mtu', message: `invalid ${mtuOption} "${value}": expected an integer from 68 to 65535` });
  }
  return ok(mtu);
}

/** A network as this node's data plane wants it; nodeAddress only for ingress. */
export function desiredNetworkFromProto(network: Network, nodeAddress?: string): Result<DesiredNetwork, OverlayInputError> {
  const name = network.spec?.annotations?.name ?? network.id;
  const vniText = network.driverState?.options[vxlanIdOption] ?? '';
  const vni = Number(vniText.split(',')[0]);
  if (!Number.isInteger(vni) || vni < 1 || vni > maxVni) {
    return err({ kind: 'invalid-network', message: `network ${name} has no valid VXLAN ID (${vxlanIdOption}="${vniText}")` });
  }
  const ipam = network.ipam[0] ?? network.spec?.ipam[0];
  if (ipam === undefined || ipam.subnet === '' || ipam.gateway === '') {
    return err({ kind: 'invalid-network', message: `network ${name} has no allocated subnet and gateway` });
  }
  const mtu = parseMtuOption(network.spec?.driver?.options[mtuOption]);
  if (!mtu.ok) return mtu;
  return ok({ id: network.id, vni, subnet: ipam.subnet, gateway: ipam.gateway, mtu: mtu.value, nodeAddress });
}

/** One service's ports and where its tasks are, as the mesh of one node needs them. */
export interface ServicePorts {
  readonly ports: readonly PortConfig[];
  /** Ingress-network addresses of the service's healthy tasks, all nodes. */
  readonly ingressBackends: readonly string[];
  /** The subset running on this node. */
  readonly localIngressBackends: readonly string[];
  /** For host-mode ports: addresses of this node's tasks that replies route back from through this node. */
  readonly localHostTargets: readonly string[];
}

function protocolOf(port: PortConfig): Result<'tcp' | 'udp', OverlayInputError> {
  switch (port.protocol) {
    case 'TCP':
      return ok('tcp');
    case 'UDP':
      return ok('udp');
    case 'SCTP':
      return err({ kind: 'unsupported-protocol', message: `port ${port.publishedPort}/sctp: the routing mesh supports tcp and udp` });
  }
}

/** The routing mesh of one node from all services' ports. */
export function routingMeshFromServices(services: readonly ServicePorts[], ingressLink: string, nodeIngressAddress: string): Result<RoutingMeshSpec, OverlayInputError> {
  const published: PublishedPort[] = [];
  const hostPorts: HostPort[] = [];
  for (const service of services) {
    for (const port of service.ports) {
      const protocol = protocolOf(port);
      if (!protocol.ok) return protocol;
      if (port.publishedPort === 0) continue; // not yet assigned by the allocator
      if (port.publishMode === 'HOST') {
        // One host port maps to one task on this node (the scheduler ensures it).
        const target = service.localHostTargets[0];
        if (target !== undefined) hostPorts.push({ protocol: protocol.value, publishedPort: port.publishedPort, targetIp: target, targetPort: port.targetPort });
        continue;
      }
      published.push({
        protocol: protocol.value,
        publishedPort: port.publishedPort,
        targetPort: port.targetPort,
        backends: service.ingressBackends,
        localBackends: service.localIngressBackends,
        preserveSourceIp: port.preserveSourceIp,
      });
    }
  }
  return ok({ ingressLink, nodeIngressAddress, published, hostPorts });
}
