// Public surface of the overlay component: IPAM (pure), the per-node data
// plane, the nftables service mesh and the embedded DNS (README.md).

// Whole node, one call per assignments change.
export { NodeOverlay, type NodeOverlayState, type NodeOverlayReport, type NodeOverlayOptions, type ContainerVips } from './node-overlay.js';
export {
  desiredNetworkFromProto, routingMeshFromServices, parseMtuOption, vxlanIdOption, mtuOption,
  type ServicePorts, type OverlayInputError,
} from './from-proto.js';

// IPAM (pure).
export { parseCidr, parseAddressWithPrefix, formatCidr, parseIpv4, formatIpv4, cidrsOverlap, cidrContains, type Cidr, type CidrError } from './ipam/cidr.js';
export { chooseSubnet, defaultAddressPool, defaultSubnetPrefixLength, type SubnetChoice, type SubnetError, type SubnetRequest, type UsedSubnet, type PoolOptions } from './ipam/pool.js';
export { NetworkAddressAllocator, type AddressError } from './ipam/addresses.js';
export { chooseVni, firstVni, maxVni } from './ipam/vni.js';
export { macFromIp } from './mac.js';

// Data plane.
export { netnsPrefix, overlayNetnsName, hostLinkName, meshTableName, vipTableName } from './names.js';
export { ProcessCommandRunner, CommandError, runChecked, inNetns, type CommandRunner, type CommandResult } from './dataplane/command-runner.js';
export type { DataPlaneDesiredState, DesiredNetwork, DesiredEndpoint, DesiredPeer } from './dataplane/desired-state.js';
export { NetworkDataPlane, emptyDataPlaneState, type NetworkDataPlaneOptions, type ReconcileReport } from './dataplane/network-data-plane.js';
export { planDataPlane, networkMtu, vxlanOverheadBytes, type Step, type StepTarget, type EndpointUnit } from './dataplane/plan.js';
export type { EndpointFailure } from './dataplane/execute.js';
export type { ObservedNode, ObservedOverlay } from './dataplane/observed-state.js';
export { isolationRuleset, isolationTableName } from './dataplane/isolation.js';

// VIPs and routing mesh (nftables).
export {
  routingMeshRuleset, containerVipRuleset, deleteTableScript, preservedMark, containerDnsAddress,
  type RoutingMeshSpec, type PublishedPort, type HostPort, type MeshProtocol, type ContainerVipSpec, type VipService, type DnsRedirect,
} from './mesh/rules.js';
export { vipServicesForContainer } from './mesh/vip-services.js';
export { applyTable, applyRoutingMesh, applyContainerVips } from './mesh/apply.js';

// Embedded DNS.
export { buildNameRecords, NameTable, type NamedService, type NameRecords } from './dns/name-table.js';
export { EmbeddedDnsServer, type EmbeddedDnsOptions, type DnsListen } from './dns/server.js';
export { parseResolvConf, forwardQuery, type Upstream } from './dns/upstream.js';
export { buildQuery, readAnswers, parseQuestion, type DnsQuestion } from './dns/wire.js';
