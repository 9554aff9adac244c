// Carving network subnets out of the cluster's address pool (Docker's
// --default-addr-pool, 10.0.0.0/8 in /24s unless the user says otherwise).
import { err, ok, type Result } from '../../common/result.js';
import { blockSize, cidrContains, cidrsOverlap, formatCidr, formatIpv4, parseCidr, parseIpv4, type Cidr } from './cidr.js';

/** The pool Docker Swarm uses when none is given. */
export const defaultAddressPool = '10.0.0.0/8';
/** The subnet size carved from the pool when none is given. */
export const defaultSubnetPrefixLength = 24;

/** Why a subnet request was refused. */
export interface SubnetError {
  readonly kind: 'invalid-cidr' | 'overlap' | 'gateway-outside-subnet' | 'pool-exhausted' | 'subnet-too-small';
  readonly message: string;
}

/** A subnet and its gateway, as stored in a network's IPAM config. */
export interface SubnetChoice {
  readonly subnet: string;
  readonly gateway: string;
}

/** What a network asks for: nothing (pick one), or a subnet and maybe a gateway. */
export interface SubnetRequest {
  readonly networkName: string;
  readonly subnet?: string | undefined;
  readonly gateway?: string | undefined;
}

/** The subnets already taken by other networks, with their owners' names for error messages. */
export interface UsedSubnet {
  readonly networkName: string;
  readonly subnet: string;
}

/** Options of the cluster-wide pool. */
export interface PoolOptions {
  readonly pool?: string | undefined;
  readonly subnetPrefixLength?: number | undefined;
}

/** Choose (or validate) a network's subnet and gateway so no two networks overlap. Pure. */
export function chooseSubnet(request: SubnetRequest, used: readonly UsedSubnet[], options: PoolOptions = {}): Result<SubnetChoice, SubnetError> {
  const taken: { name: string; cidr: Cidr }[] = [];
  for (const u of used) {
    const parsed = parseCidr(u.subnet);
    if (parsed.ok) taken.push({ name: u.networkName, cidr: parsed.value });
  }
  const subnet = request.subnet === undefined ? carve(taken.map((t) => t.cidr), options) : parseRequested(request, taken);
  if (!subnet.ok) return subnet;
  const cidr = subnet.value;
  if (cidr.prefixLength > 30) {
    return err({ kind: 'subnet-too-small', message: `subnet ${formatCidr(cidr)} of network ${request.networkName} is too small: use a prefix of /30 or shorter` });
  }
  if (request.gateway === undefined || request.gateway === '') {
    return ok({ subnet: formatCidr(cidr), gateway: formatIpv4(cidr.base + 1) });
  }
  const gateway = parseIpv4(request.gateway);
  if (gateway === undefined) return err({ kind: 'invalid-cidr', message: `invalid gateway "${request.gateway}": expected an IPv4 address` });
  const last = cidr.base + blockSize(cidr.prefixLength) - 1;
  if (!cidrContains(cidr, gateway) || gateway === cidr.base || gateway === last) {
    return err({ kind: 'gateway-outside-subnet', message: `gateway ${request.gateway} is not a usable address of subnet ${formatCidr(cidr)}` });
  }
  return ok({ subnet: formatCidr(cidr), gateway: request.gateway });
}

function parseRequested(request: SubnetRequest, taken: readonly { name: string; cidr: Cidr }[]): Result<Cidr, SubnetError> {
  const parsed = parseCidr(request.subnet ?? '');
  if (!parsed.ok) return err({ kind: 'invalid-cidr', message: parsed.error.message });
  const clash = taken.find((t) => cidrsOverlap(t.cidr, parsed.value));
  if (clash !== undefined) {
    return err({ kind: 'overlap', message: `subnet ${formatCidr(parsed.value)} overlaps subnet ${formatCidr(clash.cidr)} of network ${clash.name}` });
  }
  return ok(parsed.value);
}

// First fit, lowest address first: deterministic, so every manager that
// replays the same log picks the same subnet.
function carve(taken: readonly Cidr[], options: PoolOptions): Result<Cidr, SubnetError> {
  const poolText = options.pool ?? defaultAddressPool;
  const pool = parseCidr(poolText);
  if (!pool.ok) return err({ kind: 'invalid-cidr', message: `invalid address pool: ${pool.error.message}` });
  const prefixLength = options.subnetPrefixLength ?? defaultSubnetPrefixLength;
  if (prefixLength < pool.value.prefixLength || prefixLength > 30) {
    return err({ kind: 'invalid-cidr', message: `subnet size /${prefixLength} does not fit address pool ${poolText}` });
  }
  const size = blockSize(prefixLength);
  const end = pool.value.base + blockSize(pool.value.prefixLength);
  const sorted = [...taken].sort((a, b) => a.base - b.base);
  let candidate = pool.value.base;
  while (candidate + size <= end) {
    const block: Cidr = { base: candidate, prefixLength };
    const clash = sorted.find((t) => cidrsOverlap(t, block));
    if (clash === undefined) return ok(block);
    // Skip past the clashing block, rounded up to our block size.
    const clashEnd = clash.base + blockSize(clash.prefixLength);
    candidate = Math.max(candidate + size, Math.ceil(clashEnd / size) * size);
  }
  return err({ kind: 'pool-exhausted', message: `address pool ${poolText} has no free /${prefixLength} subnet left` });
}
