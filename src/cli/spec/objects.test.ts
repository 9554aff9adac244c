import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import { contains, hasHostBits, overlaps, parseAddr, parseCidr } from './cidr.js';
import { buildConfigSpec, buildSecretSpec } from './data-object.js';
import { buildNetworkSpec, type NetworkCreateFlags } from './network.js';
import { applyNodeUpdate, roleChange } from './node.js';
import { usageError } from './usage-error.test-support.js';

const usage = usageError;

describe('CIDR helpers', () => {
  it('parses IPv4 and IPv6', () => {
    expect(parseAddr('10.0.9.1')?.value).toBe(0x0a000901n);
    expect(parseAddr('::1')?.value).toBe(1n);
    expect(parseAddr('2001:db8::1')?.value).toBe((0x20010db8n << 96n) | 1n);
    expect(parseAddr('::ffff:1.2.3.4')?.value).toBe((0xffffn << 32n) | 0x01020304n);
    expect(parseAddr('::1.2.3.4')?.value).toBe(0x01020304n);
    expect(parseAddr('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseAddr('nope')).toBeUndefined();
  });
  it('checks containment, overlap and host bits', () => {
    const net = parseCidr('10.0.9.0/24');
    expect(net).toBeDefined();
    if (net === undefined) return;
    expect(contains(net, parseAddr('10.0.9.200') ?? net.addr)).toBe(true);
    expect(contains(net, parseAddr('10.0.10.1') ?? net.addr)).toBe(false);
    expect(overlaps(net, parseCidr('10.0.0.0/16') ?? net)).toBe(true);
    expect(overlaps(net, parseCidr('10.0.10.0/24') ?? net)).toBe(false);
    expect(hasHostBits(parseCidr('10.0.9.1/24') ?? net)).toBe(true);
    expect(hasHostBits(parseCidr('fd00::/64') ?? net)).toBe(false);
    expect(parseCidr('10.0.9.0')).toBeUndefined();
    expect(parseCidr('10.0.9.0/33')).toBeUndefined();
  });
});

describe('network create', () => {
  it('builds an overlay spec with Docker\'s IPAM pairing', () => {
    const spec = buildNetworkSpec('backend', { subnet: ['10.0.9.0/24', '10.0.10.0/24'], gateway: ['10.0.10.1', '10.0.9.1'], ipRange: ['10.0.9.128/25'], label: ['team=a'], opt: ['encrypted'], attachable: true, internal: true });
    expect(spec).toEqual({
      annotations: { name: 'backend', labels: { team: 'a' } },
      driver: { name: 'overlay', options: { encrypted: '' } },
      internal: true,
      attachable: true,
      ingress: false,
      ipv6: false,
      ipam: [{ subnet: '10.0.9.0/24', gateway: '10.0.9.1', range: '10.0.9.128/25' }, { subnet: '10.0.10.0/24', gateway: '10.0.10.1', range: '' }],
    });
    expect(buildNetworkSpec('n', {}).ipam).toEqual([]);
  });
  it.each<[NetworkCreateFlags, string]>([
    [{ driver: 'bridge' }, 'invalid argument "bridge" for "--driver" flag: shoal networks are overlay networks; use -d overlay'],
    [{ scope: 'local' }, 'invalid argument "local" for "--scope" flag: shoal networks are swarm-scoped; use --scope swarm or leave it out'],
    [{ subnet: ['10.0.9.0'] }, 'invalid argument "10.0.9.0" for "--subnet" flag: invalid subnet; use CIDR notation such as 10.0.9.0/24'],
    [{ subnet: ['10.0.9.1/24'] }, 'invalid argument "10.0.9.1/24" for "--subnet" flag: invalid subnet; the address has bits set beyond the prefix length (e.g. use 10.0.9.0/24, not 10.0.9.1/24)'],
    [{ subnet: ['10.0.0.0/16', '10.0.9.0/24'] }, 'multiple overlapping subnet configuration is not supported'],
    [{ gateway: ['10.0.9.1'] }, 'every ip-range or gateway must have a corresponding subnet'],
    [{ subnet: ['10.0.9.0/24'], gateway: ['10.0.10.1'] }, 'no matching subnet for gateway 10.0.10.1'],
    [{ subnet: ['10.0.9.0/24', '10.1.0.0/16'], gateway: ['10.0.9.1', '10.0.9.2'] }, 'cannot configure multiple gateways (10.0.9.2, 10.0.9.1) for the same subnet (10.0.9.0/24)'],
    [{ subnet: ['10.0.9.0/24'], gateway: ['gw'] }, 'invalid argument "gw" for "--gateway" flag: invalid gateway; use an IP address such as 10.0.9.1'],
    [{ subnet: ['10.0.9.0/24'], ipRange: ['10.0.8.0/25'] }, 'no matching subnet for range 10.0.8.0/25'],
    [{ subnet: ['10.0.9.0/24'], ipRange: ['10.0.0.0/8'] }, 'no matching subnet for range 10.0.0.0/8'],
    [{ subnet: ['10.0.9.0/24', '10.1.0.0/16'], ipRange: ['10.0.9.0/25', '10.0.9.128/25'] }, 'cannot configure multiple ranges (10.0.9.128/25, 10.0.9.0/25) on the same subnet (10.0.9.0/24)'],
    [{ subnet: ['10.0.9.0/24'], ipRange: ['x'] }, 'invalid argument "x" for "--ip-range" flag: invalid ip-range; use CIDR notation such as 10.0.9.128/25'],
  ])('refuses %j', (flags, message) => {
    expect(usage(() => buildNetworkSpec('n', flags))).toBe(message);
  });
  it('checks the name', () => {
    expect(usage(() => buildNetworkSpec('-bad', {}))).toBe('invalid network name "-bad": use letters, digits, "_", "." and "-", starting with a letter or digit');
  });
});

describe('node update', () => {
  const current = codec.NodeSpec.fromPartial({ annotations: { labels: { zone: 'a', ssd: 'true' } }, desiredRole: 'WORKER', availability: 'ACTIVE' });
  it('applies availability, role and labels', () => {
    expect(applyNodeUpdate(current, { availability: 'drain', role: 'manager', labelRm: ['ssd'], labelAdd: ['zone=b', 'gpu'] })).toEqual({ annotations: { name: '', labels: { zone: 'b', gpu: '' } }, desiredRole: 'MANAGER', availability: 'DRAIN' });
    expect(current.availability).toBe('ACTIVE');
  });
  it('refuses bad values', () => {
    expect(usage(() => applyNodeUpdate(current, { availability: 'off' }))).toBe('invalid argument "off" for "--availability" flag: must be one of "active", "pause", "drain"');
    expect(usage(() => applyNodeUpdate(current, { role: 'boss' }))).toBe('invalid argument "boss" for "--role" flag: must be one of "worker", "manager"');
    expect(usage(() => applyNodeUpdate(current, { labelRm: ['rack'] }))).toBe("key rack doesn't exist in node's labels");
  });
  it('promotes and demotes', () => {
    expect(roleChange(current, 'MANAGER')?.desiredRole).toBe('MANAGER');
    expect(roleChange(current, 'WORKER')).toBeUndefined();
  });
});

describe('secret and config create', () => {
  const data = new TextEncoder().encode('s3cret');
  it('builds specs', () => {
    expect(buildSecretSpec('db_pass', data, { label: ['env=prod'] })).toEqual({ annotations: { name: 'db_pass', labels: { env: 'prod' } }, data, driver: undefined });
    expect(buildSecretSpec('db.pass-1', data, { driver: 'vault' }).driver).toEqual({ name: 'vault', options: {} });
    expect(buildConfigSpec('nginx.conf', data, {})).toEqual({ annotations: { name: 'nginx.conf', labels: {} }, data });
  });
  it('refuses bad names, empty or huge data, and templating', () => {
    expect(usage(() => buildSecretSpec('_x', data, {}))).toBe('invalid secret name "_x": only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]');
    expect(usage(() => buildConfigSpec('a'.repeat(65), data, {}))).toMatch(/^invalid config name "a{65}": only 64/);
    expect(usage(() => buildSecretSpec('x', new Uint8Array(), {}))).toBe('secret data must be larger than 0 and less than 500 KB (got 0 bytes)');
    expect(usage(() => buildConfigSpec('x', new Uint8Array(1000 * 1024 + 1), {}))).toBe('config data must be larger than 0 and less than 1000 KB (got 1024001 bytes)');
    expect(usage(() => buildConfigSpec('x', data, { templateDriver: 'golang' }))).toBe('invalid argument "golang" for "--template-driver" flag: templated secrets and configs are not supported by shoal; remove --template-driver');
  });
});
