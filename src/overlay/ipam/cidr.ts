// IPv4 addresses and CIDR blocks as plain integers: every IPAM decision is
// integer arithmetic, so it is easy to test and cannot depend on the host.
import { err, ok, type Result } from '../../common/result.js';

/** A parsed IPv4 CIDR block; `base` is the network address as an unsigned 32-bit integer. */
export interface Cidr {
  readonly base: number;
  readonly prefixLength: number;
}

/** Why a CIDR or address string was rejected. */
export interface CidrError {
  readonly kind: 'invalid-cidr' | 'invalid-address';
  readonly message: string;
}

/** Parse dotted-quad IPv4 into an unsigned 32-bit integer, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Format an unsigned 32-bit integer as dotted-quad IPv4. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Number of addresses in a block of this prefix length. */
export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** Parse "a.b.c.d/n"; host bits must be zero, as Docker requires for subnets. */
export function parseCidr(text: string): Result<Cidr, CidrError> {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const address = match?.[1] === undefined ? undefined : parseIpv4(match[1]);
  const prefixLength = match?.[2] === undefined ? NaN : Number(match[2]);
  if (address === undefined || !(prefixLength >= 0 && prefixLength <= 32)) {
    return err({ kind: 'invalid-cidr', message: `invalid CIDR "${text}": expected a.b.c.d/n with n in 0..32` });
  }
  if (address % blockSize(prefixLength) !== 0) {
    const base = address - (address % blockSize(prefixLength));
    return err({ kind: 'invalid-cidr', message: `invalid subnet "${text}": host bits are set (did you mean ${formatIpv4(base)}/${prefixLength}?)` });
  }
  return ok({ base: address, prefixLength });
}

/** Format a block as "a.b.c.d/n". */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefixLength}`;
}

/** Whether an address lies inside a block. */
export function cidrContains(cidr: Cidr, address: number): boolean {
  return address >= cidr.base && address < cidr.base + blockSize(cidr.prefixLength);
}

/** Whether two blocks share any address (CIDR blocks either nest or are disjoint). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}

/** Parse "a.b.c.d/n" where host bits may be set (an interface address), keeping the address. */
export function parseAddressWithPrefix(text: string): Result<{ address: number; prefixLength: number }, CidrError> {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const address = match?.[1] === undefined ? undefined : parseIpv4(match[1]);
  const prefixLength = match?.[2] === undefined ? NaN : Number(match[2]);
  if (address === undefined || !(prefixLength >= 0 && prefixLength <= 32)) {
    return err({ kind: 'invalid-address', message: `invalid address "${text}": expected a.b.c.d/n` });
  }
  return ok({ address, prefixLength });
}
