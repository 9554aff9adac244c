// Which address of which network belongs to whom, on the leader. One pool
// per network (src/overlay's NetworkAddressAllocator) plus an owner for
// every address handed out, so that claims replayed from the store are
// idempotent and a dead task gives back exactly what it held.
import type { Network } from '../../gen/index.js';
import { err, ok, type Result } from '../../common/result.js';
import { NetworkAddressAllocator, parseAddressWithPrefix, parseCidr, formatIpv4, blockSizeOf } from './ipam.js';

/** Who holds an address: a service's VIP, a task, or a node (its ingress address). */
export type Owner = `vip:${string}` | `task:${string}` | `node:${string}`;

/** Why an address could not be handed out or claimed. */
export interface AddressBookError {
  readonly kind: 'exhausted' | 'unknown-network' | 'conflict' | 'invalid';
  readonly message: string;
}

interface Pool {
  readonly name: string;
  readonly prefixLength: number;
  readonly allocator: NetworkAddressAllocator;
  /** Address (no prefix) → owner. */
  readonly owners: Map<string, Owner>;
}

/** Addresses outside `--ip-range` are held by this owner so the pool never hands them out. */
const OUTSIDE_RANGE = 'vip:(outside ip-range)' as const;

/** The largest block of addresses we reserve to honour an --ip-range. */
export const MAX_RANGE_RESERVATION = 65_536;

/** Every network's address pool and who holds what. Pure: no I/O, no clock. */
export class AddressBook {
  private readonly pools = new Map<string, Pool>();
  /** Owner → network ID → address with prefix ("10.0.1.5/24"). */
  private readonly held = new Map<Owner, Map<string, string>>();
  private releases = 0;

  /** Bumped whenever addresses are given back or a pool appears: blocked requests may now succeed. */
  get epoch(): number {
    return this.releases;
  }

  /** Adds the network's pool once it has an allocated subnet; a no-op when known or not yet allocated. */
  ensureNetwork(network: Network): void {
    if (this.pools.has(network.id)) return;
    const ipam = network.ipam[0];
    if (ipam === undefined || ipam.subnet === '' || ipam.gateway === '') return;
    const cidr = parseCidr(ipam.subnet);
    if (!cidr.ok) return;
    const name = network.spec?.annotations?.name || network.id;
    const pool: Pool = { name, prefixLength: cidr.value.prefixLength, allocator: new NetworkAddressAllocator(name, ipam.subnet, ipam.gateway), owners: new Map() };
    this.pools.set(network.id, pool);
    this.releases++;
    if (ipam.range !== '') reserveOutsideRange(pool, ipam.subnet, ipam.range);
  }

  /** Forgets a removed network's pool and everything held on it. */
  dropNetwork(networkId: string): void {
    const pool = this.pools.get(networkId);
    if (!pool) return;
    for (const owner of new Set(pool.owners.values())) this.held.get(owner)?.delete(networkId);
    this.pools.delete(networkId);
  }

  /** Whether the network has a pool here. */
  hasNetwork(networkId: string): boolean {
    return this.pools.has(networkId);
  }

  /** How many addresses of the network are taken (gateway included), for messages and tests. */
  inUse(networkId: string): number {
    return this.pools.get(networkId)?.allocator.inUseCount ?? 0;
  }

  /** The owner's address on the network (with prefix), handing out a new one if it holds none. */
  allocate(networkId: string, owner: Owner): Result<string, AddressBookError> {
    const pool = this.pools.get(networkId);
    if (!pool) return err({ kind: 'unknown-network', message: `network ${networkId} not found` });
    const existing = this.held.get(owner)?.get(networkId);
    if (existing !== undefined) return ok(existing);
    const address = pool.allocator.allocate();
    if (!address.ok) return err({ kind: 'exhausted', message: address.error.message });
    return ok(this.record(pool, networkId, owner, address.value));
  }

  /**
   * Records an address the store says the owner holds ("10.0.1.5/24"). Claiming
   * what the owner already holds is a no-op, so replays are safe; an address
   * held by someone else is a conflict (the store holds a duplicate).
   */
  claim(networkId: string, owner: Owner, addressWithPrefix: string): Result<void, AddressBookError> {
    const pool = this.pools.get(networkId);
    if (!pool) return err({ kind: 'unknown-network', message: `network ${networkId} not found` });
    const parsed = parseAddressWithPrefix(addressWithPrefix);
    if (!parsed.ok) return err({ kind: 'invalid', message: parsed.error.message });
    const address = formatIpv4(parsed.value.address);
    const holder = pool.owners.get(address);
    if (holder === owner) return ok(undefined);
    if (holder !== undefined) return err({ kind: 'conflict', message: `address ${address} on network ${pool.name} is held by ${holder}, not ${owner}` });
    const previous = this.held.get(owner)?.get(networkId);
    if (previous !== undefined) this.releaseOne(pool, networkId, owner, previous);
    const claimed = pool.allocator.claim(address);
    if (!claimed.ok) return err({ kind: 'conflict', message: claimed.error.message });
    this.record(pool, networkId, owner, address);
    return ok(undefined);
  }

  /** What the owner holds, network ID → address with prefix. */
  heldBy(owner: Owner): ReadonlyMap<string, string> {
    return this.held.get(owner) ?? new Map<string, string>();
  }

  /** Gives back the owner's address on one network, or on every network. Releasing nothing is a no-op. */
  release(owner: Owner, networkId?: string): void {
    const mine = this.held.get(owner);
    if (!mine) return;
    for (const [id, address] of [...mine]) {
      if (networkId !== undefined && id !== networkId) continue;
      const pool = this.pools.get(id);
      if (pool) this.releaseOne(pool, id, owner, address);
      else mine.delete(id);
    }
    if (mine.size === 0) this.held.delete(owner);
  }

  private record(pool: Pool, networkId: string, owner: Owner, address: string): string {
    pool.owners.set(address, owner);
    const withPrefix = `${address}/${pool.prefixLength}`;
    let mine = this.held.get(owner);
    if (!mine) this.held.set(owner, (mine = new Map()));
    mine.set(networkId, withPrefix);
    return withPrefix;
  }

  private releaseOne(pool: Pool, networkId: string, owner: Owner, withPrefix: string): void {
    const address = withPrefix.split('/')[0] ?? '';
    if (pool.owners.get(address) === owner) {
      pool.owners.delete(address);
      pool.allocator.release(address);
      this.releases++;
    }
    this.held.get(owner)?.delete(networkId);
  }
}

// Docker's --ip-range: tasks and VIPs get addresses only from the range.
// The pool hands out the whole subnet, so everything outside the range is
// held by a placeholder owner (bounded: Control refuses larger subnets).
function reserveOutsideRange(pool: Pool, subnet: string, range: string): void {
  const outer = parseCidr(subnet);
  const inner = parseCidr(range);
  if (!outer.ok || !inner.ok) return;
  const size = blockSizeOf(outer.value.prefixLength);
  if (size > MAX_RANGE_RESERVATION) return;
  const innerEnd = inner.value.base + blockSizeOf(inner.value.prefixLength);
  for (let a = outer.value.base + 1; a < outer.value.base + size - 1; a++) {
    if (a >= inner.value.base && a < innerEnd) continue;
    const address = formatIpv4(a);
    if (pool.allocator.claim(address).ok) pool.owners.set(address, OUTSIDE_RANGE);
  }
}
