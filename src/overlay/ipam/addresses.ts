// Per-network address allocation: task addresses, VIPs and node addresses on
// the ingress network all come from the same subnet, so one allocator serves.
import { err, ok, type Result } from '../../common/result.js';
import { assert } from '../../common/assert.js';
import { blockSize, formatIpv4, parseCidr, parseIpv4, type Cidr } from './cidr.js';

/** Why an address could not be handed out. */
export interface AddressError {
  readonly kind: 'exhausted' | 'not-in-subnet' | 'in-use' | 'reserved';
  readonly message: string;
}

/** Allocates host addresses of one network's subnet; the gateway, network and broadcast addresses are reserved. */
export class NetworkAddressAllocator {
  private readonly cidr: Cidr;
  private readonly gateway: number;
  private readonly inUse = new Set<number>();
  // Next-fit cursor: recently released addresses are reused last, so a
  // stale DNS answer or ARP entry is less likely to reach a new task.
  private cursor: number;

  /** Build an allocator for a network from its subnet and gateway (validated by chooseSubnet). */
  constructor(private readonly networkName: string, subnet: string, gateway: string) {
    const parsed = parseCidr(subnet);
    assert(parsed.ok, `allocator for ${networkName}: bad subnet ${subnet}`);
    const gw = parseIpv4(gateway);
    assert(gw !== undefined, `allocator for ${networkName}: bad gateway ${gateway}`);
    this.cidr = parsed.value;
    this.gateway = gw;
    this.cursor = this.first();
    // The gateway counts as in use (as in Docker's message "254 in use" for a full /24).
    if (this.isHost(gw)) this.inUse.add(gw);
  }

  /** How many host addresses the subnet has (the gateway included). */
  get capacity(): number {
    return this.last() - this.first() + 1;
  }

  /** How many addresses are handed out, the gateway included. */
  get inUseCount(): number {
    return this.inUse.size;
  }

  /** Hand out the next free address (dotted quad, no prefix). */
  allocate(): Result<string, AddressError> {
    const count = this.last() - this.first() + 1;
    for (let step = 0; step < count; step++) {
      const candidate = this.first() + ((this.cursor - this.first() + step) % count);
      if (candidate === this.gateway || this.inUse.has(candidate)) continue;
      this.inUse.add(candidate);
      this.cursor = candidate + 1 > this.last() ? this.first() : candidate + 1;
      return ok(formatIpv4(candidate));
    }
    return err({ kind: 'exhausted', message: `network ${this.networkName} has no free addresses (${this.inUse.size} in use)` });
  }

  /** Claim a specific address (a user-given one, or one recorded before a restart). */
  claim(address: string): Result<string, AddressError> {
    const value = parseIpv4(address);
    if (value === undefined || !this.isHost(value)) {
      return err({ kind: 'not-in-subnet', message: `address ${address} is not a host address of network ${this.networkName}` });
    }
    if (value === this.gateway) return err({ kind: 'reserved', message: `address ${address} is the gateway of network ${this.networkName}` });
    if (this.inUse.has(value)) return err({ kind: 'in-use', message: `address ${address} is already in use on network ${this.networkName}` });
    this.inUse.add(value);
    return ok(address);
  }

  /** Give an address back; releasing a free address is a no-op, so replays are safe. */
  release(address: string): void {
    const value = parseIpv4(address);
    if (value !== undefined && value !== this.gateway) this.inUse.delete(value);
  }

  /** The subnet's prefix length, for "ip/len" interface addresses. */
  get prefixLength(): number {
    return this.cidr.prefixLength;
  }

  private first(): number {
    return this.cidr.base + 1;
  }

  private last(): number {
    return this.cidr.base + blockSize(this.cidr.prefixLength) - 2;
  }

  private isHost(value: number): boolean {
    return value >= this.first() && value <= this.last();
  }
}
