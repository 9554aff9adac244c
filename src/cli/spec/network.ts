import { codec, type IPAMConfig, type NetworkSpec } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { contains, hasHostBits, overlaps, parseAddr, parseCidr, type Cidr } from './cidr.js';
import { invalidFlag, oneLine } from './flag-error.js';
import { kvToMap } from './kv.js';

/** The options commander hands `network create` (src/cli/commands/network.ts). */
export interface NetworkCreateFlags {
  driver?: string;
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  label?: string[];
  opt?: string[];
  attachable?: boolean;
  internal?: boolean;
  ingress?: boolean;
  ipv6?: boolean;
  scope?: string;
}

/**
 * `network create` flags to a network spec, with Docker's IPAM checks: each
 * gateway and ip-range needs a subnet containing it, one of each per subnet,
 * no overlapping subnets. shoal networks are swarm-scoped overlays.
 */
export function buildNetworkSpec(name: string, flags: NetworkCreateFlags): NetworkSpec {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    throw usageError(`invalid network name ${JSON.stringify(name)}: use letters, digits, "_", "." and "-", starting with a letter or digit`);
  }
  const driver = flags.driver ?? 'overlay';
  if (driver !== 'overlay') throw invalidFlag('driver', driver, 'shoal networks are overlay networks; use -d overlay');
  const scope = flags.scope ?? 'swarm';
  if (scope !== 'swarm') throw invalidFlag('scope', scope, 'shoal networks are swarm-scoped; use --scope swarm or leave it out');

  const subnets: { text: string; cidr: Cidr; config: IPAMConfig }[] = [];
  for (const text of flags.subnet ?? []) {
    const cidr = parseCidr(text);
    if (cidr === undefined) throw invalidFlag('subnet', text, 'invalid subnet; use CIDR notation such as 10.0.9.0/24');
    if (hasHostBits(cidr)) throw invalidFlag('subnet', text, 'invalid subnet; the address has bits set beyond the prefix length (e.g. use 10.0.9.0/24, not 10.0.9.1/24)');
    if (subnets.some((s) => overlaps(s.cidr, cidr))) throw usageError('multiple overlapping subnet configuration is not supported');
    subnets.push({ text, cidr, config: codec.IPAMConfig.fromPartial({ subnet: text }) });
  }
  if ((flags.gateway ?? []).length > subnets.length || (flags.ipRange ?? []).length > subnets.length) {
    throw usageError('every ip-range or gateway must have a corresponding subnet');
  }
  for (const text of flags.ipRange ?? []) {
    const range = parseCidr(text);
    if (range === undefined) throw invalidFlag('ip-range', text, 'invalid ip-range; use CIDR notation such as 10.0.9.128/25');
    const owner = subnets.find((s) => contains(s.cidr, range.addr) && range.prefix >= s.cidr.prefix);
    if (owner === undefined) throw usageError(`no matching subnet for range ${oneLine(text)}`);
    if (owner.config.range !== '') throw usageError(`cannot configure multiple ranges (${oneLine(text)}, ${owner.config.range}) on the same subnet (${owner.text})`);
    owner.config.range = text;
  }
  for (const text of flags.gateway ?? []) {
    const addr = parseAddr(text);
    if (addr === undefined) throw invalidFlag('gateway', text, 'invalid gateway; use an IP address such as 10.0.9.1');
    const owner = subnets.find((s) => contains(s.cidr, addr));
    if (owner === undefined) throw usageError(`no matching subnet for gateway ${oneLine(text)}`);
    if (owner.config.gateway !== '') throw usageError(`cannot configure multiple gateways (${oneLine(text)}, ${owner.config.gateway}) for the same subnet (${owner.text})`);
    owner.config.gateway = text;
  }

  return codec.NetworkSpec.fromPartial({
    annotations: { name, labels: kvToMap('label', flags.label ?? []) },
    driver: { name: driver, options: kvToMap('opt', flags.opt ?? []) },
    internal: flags.internal === true,
    attachable: flags.attachable === true,
    ingress: flags.ingress === true,
    ipv6: flags.ipv6 === true,
    ipam: subnets.map((s) => s.config),
  });
}
