// The IPAM cores this component builds on (src/overlay's public surface),
// plus the one arithmetic helper it needs.
export { NetworkAddressAllocator, chooseSubnet, chooseVni, cidrContains, formatIpv4, parseAddressWithPrefix, parseCidr, parseIpv4, parseMtuOption, vxlanIdOption, defaultAddressPool, defaultSubnetPrefixLength, type Cidr, type SubnetChoice } from '../../overlay/index.js';

/** How many addresses a block of this prefix length holds. */
export function blockSizeOf(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}
