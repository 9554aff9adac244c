// A new network's subnet, gateway and VXLAN ID, chosen from the networks
// that exist and the cluster's default address pools. Pure: the Control
// handler validates and allocates with it before proposing anything.
import { codec, type ClusterSpec, type Driver, type IPAMConfig, type Network, type NetworkSpec } from '../../gen/index.js';
import { err, ok, type Result } from '../../common/result.js';
import { MAX_RANGE_RESERVATION } from './address-book.js';
import { blockSizeOf, chooseSubnet, chooseVni, defaultAddressPool, defaultSubnetPrefixLength, parseCidr, parseMtuOption, vxlanIdOption } from './ipam.js';

/** What the allocator writes into a new network: `Network.ipam` and `Network.driver_state`. */
export interface NetworkAllocation {
  readonly ipam: IPAMConfig;
  readonly driverState: Driver;
}

/** The cluster's pools (`swarm init --default-addr-pool`, `--default-addr-pool-mask-length`). */
export interface AddressPools {
  readonly pools: readonly string[];
  readonly subnetPrefixLength: number;
}

/** The pools a cluster spec names, Docker's defaults when it names none. */
export function addressPoolsOf(spec: ClusterSpec | undefined): AddressPools {
  const pools = (spec?.defaultAddrPool ?? []).filter((p) => p !== '');
  return { pools: pools.length > 0 ? pools : [defaultAddressPool], subnetPrefixLength: spec?.subnetSize || defaultSubnetPrefixLength };
}

/** The first problem with `swarm init --default-addr-pool ...`, or undefined. */
export function addressPoolsProblem(pools: readonly string[], subnetPrefixLength: number): string | undefined {
  if (subnetPrefixLength !== 0 && (subnetPrefixLength < 1 || subnetPrefixLength > 29)) {
    return `invalid --default-addr-pool-mask-length ${subnetPrefixLength}: use 1 to 29 (default 24)`;
  }
  const size = subnetPrefixLength || defaultSubnetPrefixLength;
  const parsed: { text: string; base: number; prefixLength: number }[] = [];
  for (const text of pools) {
    const cidr = parseCidr(text);
    if (!cidr.ok) return `invalid --default-addr-pool: ${cidr.error.message}`;
    if (cidr.value.prefixLength > size) return `--default-addr-pool ${text} is smaller than one /${size} subnet: use a larger pool or a longer --default-addr-pool-mask-length`;
    const clash = parsed.find((p) => p.base < cidr.value.base + blockSizeOf(cidr.value.prefixLength) && cidr.value.base < p.base + blockSizeOf(p.prefixLength));
    if (clash) return `--default-addr-pool ${text} overlaps ${clash.text}: give disjoint pools`;
    parsed.push({ text, ...cidr.value });
  }
  return undefined;
}

/** Why a network could not be allocated. */
export interface NetworkAllocationError {
  readonly kind: 'invalid' | 'overlap' | 'exhausted';
  readonly message: string;
}

/** The VXLAN ID a network carries, or undefined when it has none yet. */
export function vniOf(network: Network): number | undefined {
  const text = network.driverState?.options[vxlanIdOption] ?? '';
  const vni = Number(text.split(',')[0]);
  return text !== '' && Number.isInteger(vni) && vni > 0 ? vni : undefined;
}

/**
 * Subnet, gateway and VNI for a new network: the requested subnet when
 * given (it must not overlap any other network's), else the first free
 * subnet of the first pool that has one. Gateway: the one given, else the
 * first host address. VNI: the lowest free from 4096.
 */
export function allocateNetwork(spec: NetworkSpec, existing: readonly Network[], pools: AddressPools): Result<NetworkAllocation, NetworkAllocationError> {
  const name = spec.annotations?.name ?? '';
  if (spec.ipam.length > 1) return err({ kind: 'invalid', message: `network ${name}: only one subnet per network is supported` });
  if (spec.ipv6) return err({ kind: 'invalid', message: `network ${name}: IPv6 overlay networks are not supported; leave out --ipv6` });
  const mtu = parseMtuOption(spec.driver?.options['com.docker.network.driver.mtu']);
  if (!mtu.ok) return err({ kind: 'invalid', message: mtu.error.message });
  const requested = spec.ipam[0];
  const used = existing.flatMap((n) => {
    const subnet = n.ipam[0]?.subnet ?? n.spec?.ipam[0]?.subnet ?? '';
    return subnet === '' ? [] : [{ networkName: n.spec?.annotations?.name || n.id, subnet }];
  });
  let choice: Result<{ subnet: string; gateway: string }, { kind: string; message: string }> | undefined;
  if (requested !== undefined && requested.subnet !== '') {
    choice = chooseSubnet({ networkName: name, subnet: requested.subnet, gateway: requested.gateway || undefined }, used);
  } else {
    if (requested !== undefined && (requested.gateway !== '' || requested.range !== '')) return err({ kind: 'invalid', message: `network ${name}: a gateway or ip-range needs --subnet` });
    for (const pool of pools.pools) {
      choice = chooseSubnet({ networkName: name }, used, { pool, subnetPrefixLength: pools.subnetPrefixLength });
      if (choice.ok) break;
    }
  }
  if (choice === undefined) return err({ kind: 'exhausted', message: 'no default address pool is configured' });
  if (!choice.ok) {
    const kind = choice.error.kind === 'overlap' ? 'overlap' : choice.error.kind === 'pool-exhausted' ? 'exhausted' : 'invalid';
    return err({ kind, message: choice.error.message });
  }
  const range = requested?.range ?? '';
  const rangeProblem = range === '' ? undefined : ipRangeProblem(choice.value.subnet, range);
  if (rangeProblem) return err({ kind: 'invalid', message: rangeProblem });
  const vni = chooseVni(existing.flatMap((n) => vniOf(n) ?? []));
  if (!vni.ok) return err({ kind: 'exhausted', message: vni.error.message });
  return ok({
    ipam: codec.IPAMConfig.fromPartial({ subnet: choice.value.subnet, gateway: choice.value.gateway, range }),
    driverState: { name: 'overlay', options: { [vxlanIdOption]: String(vni.value) } },
  });
}

function ipRangeProblem(subnet: string, range: string): string | undefined {
  const outer = parseCidr(subnet);
  const inner = parseCidr(range);
  if (!inner.ok) return `invalid --ip-range: ${inner.error.message}`;
  if (!outer.ok) return undefined;
  const outerEnd = outer.value.base + blockSizeOf(outer.value.prefixLength);
  if (inner.value.prefixLength < outer.value.prefixLength || inner.value.base < outer.value.base || inner.value.base >= outerEnd) {
    return `ip-range ${range} is not inside subnet ${subnet}`;
  }
  if (blockSizeOf(outer.value.prefixLength) > MAX_RANGE_RESERVATION) return `--ip-range needs a subnet of /16 or smaller (got ${subnet})`;
  return undefined;
}

/** The routing mesh's network, as `swarm init` creates it: the first subnet of the cluster's pools, VNI 4096 when free. */
export function ingressNetwork(id: string, existing: readonly Network[], pools: AddressPools): Result<Network, NetworkAllocationError> {
  const spec = codec.NetworkSpec.fromPartial({ annotations: { name: 'ingress', labels: {} }, driver: { name: 'overlay', options: {} }, ingress: true });
  const allocated = allocateNetwork(spec, existing, pools);
  if (!allocated.ok) return allocated;
  return ok(codec.Network.fromPartial({ id, spec, ipam: [allocated.value.ipam], driverState: allocated.value.driverState }));
}
