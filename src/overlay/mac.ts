// Deterministic MACs (Docker's 02:42 + IPv4) mean a peer's MAC follows from
// its IP, so neighbour entries never need a lookup and never go stale.
import { assert } from '../common/assert.js';
import { parseIpv4 } from './ipam/cidr.js';

/** The locally administered MAC Docker derives from an IPv4 address: 02:42:a:b:c:d in hex. */
export function macFromIp(ip: string): string {
  const value = parseIpv4(ip);
  assert(value !== undefined, `macFromIp: not an IPv4 address: ${ip}`);
  const octets = [24, 16, 8, 0].map((shift) => (Math.floor(value / 2 ** shift) % 256).toString(16).padStart(2, '0'));
  return `02:42:${octets.join(':')}`;
}
