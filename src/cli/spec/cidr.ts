import { isIP } from 'node:net';

/** A parsed address: its family, bits as a bigint, and width in bits. */
interface Addr {
  family: 4 | 6;
  value: bigint;
  bits: number;
}

/** Parses an IPv4 or IPv6 address; undefined when it is neither. */
export function parseAddr(text: string): Addr | undefined {
  const family = isIP(text);
  if (family === 4) return { family, bits: 32, value: text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (family !== 6) return undefined;
  let groups: string[];
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let head = text;
  let tail: string[] = [];
  if (v4) {
    const n = parseAddr(v4[1] ?? '')?.value ?? 0n;
    tail = [((n >> 16n) & 0xffffn).toString(16), (n & 0xffffn).toString(16)];
    head = text.slice(0, -(v4[1] ?? '').length).replace(/:$/, '') || ':';
    if (head.endsWith(':') && !head.endsWith('::')) head += ':';
  }
  if (head.includes('::')) {
    const [left = '', right = ''] = head.split('::');
    const l = left === '' ? [] : left.split(':');
    const r = right === '' ? [] : right.split(':');
    groups = [...l, ...Array<string>(8 - l.length - r.length - tail.length).fill('0'), ...r, ...tail];
  } else {
    groups = [...head.split(':').filter((g) => g !== ''), ...tail];
  }
  return { family, bits: 128, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** A CIDR subnet. */
export interface Cidr {
  addr: Addr;
  prefix: number;
}

/** Parses `10.0.9.0/24` or `fd00::/64`; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (addr === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > addr.bits) return undefined;
  return { addr, prefix };
}

function mask(c: Cidr): bigint {
  return ((1n << BigInt(c.prefix)) - 1n) << BigInt(c.addr.bits - c.prefix);
}

/** Whether the address has bits set beyond the prefix (`10.0.9.1/24`). */
export function hasHostBits(c: Cidr): boolean {
  return (c.addr.value & ~mask(c) & ((1n << BigInt(c.addr.bits)) - 1n)) !== 0n;
}

/** Whether `a` lies inside `c`. */
export function contains(c: Cidr, a: Addr): boolean {
  return c.addr.family === a.family && (a.value & mask(c)) === (c.addr.value & mask(c));
}

/** Whether two subnets overlap. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.addr.family === b.addr.family && (contains(a, b.addr) || contains(b, a.addr));
}
