import { describe, expect, it } from 'vitest';
import { cidrsOverlap, formatIpv4, parseAddressWithPrefix, parseCidr, parseIpv4 } from './cidr.js';
import { chooseSubnet } from './pool.js';
import { NetworkAddressAllocator } from './addresses.js';

function cidr(text: string) {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

describe('cidr', () => {
  it('parses and formats addresses', () => {
    expect(parseIpv4('10.0.1.5')).toBe(0x0a000105);
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
    expect(parseIpv4('10.0.1')).toBeUndefined();
    expect(parseIpv4('10.0.1.256')).toBeUndefined();
  });
  it('rejects malformed blocks and set host bits, suggesting the base', () => {
    expect(parseCidr('10.0.0.0/33').ok).toBe(false);
    const hostBits = parseCidr('10.0.1.5/24');
    expect(hostBits.ok).toBe(false);
    if (!hostBits.ok) expect(hostBits.error.message).toContain('did you mean 10.0.1.0/24');
  });
  it('parses attachment addresses, which keep their host bits', () => {
    expect(parseAddressWithPrefix('10.0.1.5/24')).toEqual({ ok: true, value: { address: 0x0a000105, prefixLength: 24 } });
    expect(parseAddressWithPrefix('10.0.1.5')).toMatchObject({ ok: false, error: { kind: 'invalid-address' } });
  });
  it('detects overlap both ways', () => {
    expect(cidrsOverlap(cidr('10.0.0.0/16'), cidr('10.0.5.0/24'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.5.0/24'), cidr('10.0.0.0/16'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.5.0/24'), cidr('10.0.6.0/24'))).toBe(false);
  });
});

describe('chooseSubnet', () => {
  it('carves /24s from 10.0.0.0/8 first-fit, skipping used ones', () => {
    expect(chooseSubnet({ networkName: 'a' }, [])).toEqual({ ok: true, value: { subnet: '10.0.0.0/24', gateway: '10.0.0.1' } });
    const used = [{ networkName: 'ingress', subnet: '10.0.0.0/24' }, { networkName: 'big', subnet: '10.0.2.0/23' }];
    expect(chooseSubnet({ networkName: 'b' }, used)).toMatchObject({ ok: true, value: { subnet: '10.0.1.0/24' } });
    used.push({ networkName: 'c', subnet: '10.0.1.0/24' });
    expect(chooseSubnet({ networkName: 'd' }, used)).toMatchObject({ ok: true, value: { subnet: '10.0.4.0/24' } });
  });
  it('honours a custom pool and size and reports exhaustion', () => {
    const options = { pool: '192.168.0.0/23', subnetPrefixLength: 24 };
    const first = chooseSubnet({ networkName: 'a' }, [], options);
    expect(first).toMatchObject({ ok: true, value: { subnet: '192.168.0.0/24' } });
    const full = chooseSubnet({ networkName: 'c' }, [{ networkName: 'a', subnet: '192.168.0.0/24' }, { networkName: 'b', subnet: '192.168.1.0/24' }], options);
    expect(full).toMatchObject({ ok: false, error: { kind: 'pool-exhausted' } });
  });
  it('rejects overlapping, invalid subnets and gateways outside the subnet with clear messages', () => {
    const overlap = chooseSubnet({ networkName: 'b', subnet: '10.1.0.0/16' }, [{ networkName: 'appnet', subnet: '10.1.2.0/24' }]);
    expect(overlap).toEqual({ ok: false, error: { kind: 'overlap', message: 'subnet 10.1.0.0/16 overlaps subnet 10.1.2.0/24 of network appnet' } });
    expect(chooseSubnet({ networkName: 'b', subnet: 'banana' }, [])).toMatchObject({ ok: false, error: { kind: 'invalid-cidr' } });
    const gw = chooseSubnet({ networkName: 'b', subnet: '10.9.0.0/24', gateway: '10.9.1.1' }, []);
    expect(gw).toEqual({ ok: false, error: { kind: 'gateway-outside-subnet', message: 'gateway 10.9.1.1 is not a usable address of subnet 10.9.0.0/24' } });
    expect(chooseSubnet({ networkName: 'b', subnet: '10.9.0.0/24', gateway: '10.9.0.255' }, [])).toMatchObject({ ok: false });
    expect(chooseSubnet({ networkName: 'b', subnet: '10.9.0.0/24', gateway: '10.9.0.254' }, [])).toMatchObject({ ok: true, value: { gateway: '10.9.0.254' } });
  });
});

describe('NetworkAddressAllocator', () => {
  it('hands out 254 addresses of a /24 minus the gateway, then fails with the documented message', () => {
    const alloc = new NetworkAddressAllocator('appnet', '10.0.1.0/24', '10.0.1.1');
    expect(alloc.capacity).toBe(254);
    const seen = new Set<string>();
    for (let i = 0; i < 253; i++) {
      const a = alloc.allocate();
      if (!a.ok) throw new Error(a.error.message);
      seen.add(a.value);
    }
    expect(seen.size).toBe(253);
    expect(seen.has('10.0.1.1')).toBe(false);
    expect(seen.has('10.0.1.255')).toBe(false);
    expect(alloc.allocate()).toEqual({ ok: false, error: { kind: 'exhausted', message: 'network appnet has no free addresses (254 in use)' } });
  });
  it('reuses released addresses last and validates claims', () => {
    const alloc = new NetworkAddressAllocator('n', '10.0.2.0/29', '10.0.2.1');
    expect(alloc.allocate()).toEqual({ ok: true, value: '10.0.2.2' });
    expect(alloc.allocate()).toEqual({ ok: true, value: '10.0.2.3' });
    alloc.release('10.0.2.2');
    expect(alloc.allocate()).toEqual({ ok: true, value: '10.0.2.4' });
    expect(alloc.claim('10.0.2.3')).toMatchObject({ ok: false, error: { kind: 'in-use' } });
    expect(alloc.claim('10.0.2.1')).toMatchObject({ ok: false, error: { kind: 'reserved' } });
    expect(alloc.claim('10.0.3.1')).toMatchObject({ ok: false, error: { kind: 'not-in-subnet' } });
    expect(alloc.claim('10.0.2.6')).toEqual({ ok: true, value: '10.0.2.6' });
  });
});
