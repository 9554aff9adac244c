import { describe, expect, it } from 'vitest';
import { macFromIp } from '../mac.js';
import type { DataPlaneDesiredState } from './desired-state.js';
import { batchSteps } from './execute.js';
import type { ObservedNode, ObservedOverlay } from './observed-state.js';
import { containerNetns, planDataPlane, type Step } from './plan.js';

const context = { nodeTag: 'n1', underlayMtu: 1500 };
const desired: DataPlaneDesiredState = {
  vtep: '192.0.2.1',
  dataPathPort: 4789,
  networks: [{ id: 'appnet', vni: 4097, subnet: '10.0.1.0/24', gateway: '10.0.1.1' }],
  localEndpoints: [{ networkId: 'appnet', taskId: 't1', pid: 4242, ip: '10.0.1.5', ifName: 'eth1' }],
  peers: [
    { networkId: 'appnet', ip: '10.0.1.6', mac: macFromIp('10.0.1.6'), vtep: '192.0.2.2' },
    { networkId: 'appnet', ip: '10.0.1.7', mac: macFromIp('10.0.1.7'), vtep: '192.0.2.1' }, // ours: skipped
  ],
};
const nothing: ObservedNode = { overlays: new Map(), nodeLinks: new Map(), nodeAddresses: new Map() };

function render(steps: readonly Step[]): string[] {
  return steps.map((s) => `${s.target.kind === 'node' ? 'node' : s.target.kind === 'overlay' ? s.target.name : s.target.path}: ${s.tool} ${s.args.join(' ')}${s.mayFail === true ? ' (may fail)' : ''}`);
}

/** What the kernel would look like after running the creation plan. */
function converged(): ObservedNode {
  const link = (name: string, master?: string) => [name, { name, master, mtu: 1450 }] as const;
  const overlay: ObservedOverlay = {
    links: new Map([link('lo'), link('br0'), link('vxlan0', 'br0'), link('shb4097', 'br0'), link('ve0123456789', 'br0')]),
    fdb: [{ mac: '02:42:0a:00:01:06', dst: '192.0.2.2' }],
    bridgeFdb: ['02:42:0a:00:01:06'],
    neighbours: [{ ip: '10.0.1.6', mac: '02:42:0a:00:01:06' }],
  };
  // The endpoint's bridge port name is a hash; read it from the plan.
  const port = planDataPlane(desired, nothing, context).find((s) => s.args[0] === 'link' && s.args[1] === 'add' && s.args[2]?.startsWith('ve') === true)?.args[2] ?? '';
  const links = new Map(overlay.links);
  links.delete('ve0123456789');
  links.set(port, { name: port, master: 'br0', mtu: 1450 });
  return {
    overlays: new Map([['shoal-n1-4097', { ...overlay, links }]]),
    nodeLinks: new Map([link('eth0'), link('shg4097')]),
    nodeAddresses: new Map([['shg4097', ['10.0.1.1/24']]]),
  };
}

describe('planDataPlane', () => {
  it('creates namespace, bridge, VXLAN (moved from the node), gateway link, endpoint and static peers (golden)', () => {
    const steps = render(planDataPlane(desired, nothing, context));
    const port = steps.find((s) => s.includes('type veth peer name vt'))?.split(' ')[4] ?? '';
    const temp = `vt${port.slice(2)}`;
    expect(steps).toEqual([
      'node: ip netns add shoal-n1-4097',
      'shoal-n1-4097: ip link set lo up',
      'shoal-n1-4097: sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 (may fail)',
      'shoal-n1-4097: ip link add br0 mtu 1450 type bridge',
      'shoal-n1-4097: ip link set br0 up',
      'node: ip link add shx4097 mtu 1450 type vxlan id 4097 local 192.0.2.1 dstport 4789 proxy nolearning',
      'node: ip link set shx4097 netns shoal-n1-4097',
      'shoal-n1-4097: ip link set shx4097 name vxlan0',
      'shoal-n1-4097: ip link set vxlan0 master br0 up',
      'shoal-n1-4097: ip link set dev vxlan0 type bridge_slave learning off',
      'node: ip link add shg4097 mtu 1450 address 02:42:0a:00:01:01 type veth peer name shb4097 mtu 1450',
      'node: ip link set shb4097 netns shoal-n1-4097',
      'shoal-n1-4097: ip link set shb4097 master br0 up',
      'node: ip addr add 10.0.1.1/24 dev shg4097',
      'node: ip link set shg4097 up',
      `node: ip link add ${port} mtu 1450 type veth peer name ${temp} mtu 1450`,
      `node: ip link set ${port} netns shoal-n1-4097`,
      `node: ip link set ${temp} netns 4242`,
      `shoal-n1-4097: ip link set ${port} master br0 up`,
      `/proc/4242/ns/net: ip link set ${temp} name eth1 address 02:42:0a:00:01:05`,
      '/proc/4242/ns/net: ip addr add 10.0.1.5/24 dev eth1',
      '/proc/4242/ns/net: ip link set eth1 up',
      '/proc/4242/ns/net: ip link set lo up',
      'shoal-n1-4097: bridge fdb replace 02:42:0a:00:01:06 dev vxlan0 dst 192.0.2.2 self permanent',
      'shoal-n1-4097: bridge fdb replace 02:42:0a:00:01:06 dev vxlan0 master static',
      'shoal-n1-4097: ip neigh replace 10.0.1.6 lladdr 02:42:0a:00:01:06 dev vxlan0 nud permanent',
    ]);
  });

  it('plans nothing once the kernel matches (restart safety)', () => {
    expect(planDataPlane(desired, converged(), context)).toEqual([]);
  });

  it('removes a departed peer, a moved peer and a stopped endpoint, touching nothing else', () => {
    const observed = converged();
    const next: DataPlaneDesiredState = {
      ...desired,
      localEndpoints: [],
      peers: [{ networkId: 'appnet', ip: '10.0.1.8', mac: macFromIp('10.0.1.8'), vtep: '192.0.2.3' }],
    };
    const steps = render(planDataPlane(next, observed, context));
    expect(steps.filter((s) => s.includes('link del ve'))).toHaveLength(1);
    expect(steps).toContain('shoal-n1-4097: bridge fdb del 02:42:0a:00:01:06 dev vxlan0 dst 192.0.2.2 self');
    expect(steps).toContain('shoal-n1-4097: bridge fdb del 02:42:0a:00:01:06 dev vxlan0 master');
    expect(steps).toContain('shoal-n1-4097: ip neigh del 10.0.1.6 dev vxlan0');
    expect(steps).toContain('shoal-n1-4097: ip neigh replace 10.0.1.8 lladdr 02:42:0a:00:01:08 dev vxlan0 nud permanent');
    expect(steps.some((s) => s.includes('netns add') || s.includes('br0 mtu'))).toBe(false);
  });

  it('removes whole networks by deleting their namespace and the node link', () => {
    const steps = render(planDataPlane({ ...desired, networks: [], localEndpoints: [], peers: [] }, converged(), context));
    expect(steps).toEqual(['node: ip netns del shoal-n1-4097', 'node: ip link del shg4097 (may fail)']);
  });

  it('honours an MTU override and gives the ingress network the node address with reply routing', () => {
    const ingress: DataPlaneDesiredState = {
      ...desired,
      networks: [{ id: 'ingress', vni: 4096, subnet: '10.255.0.0/16', gateway: '10.255.0.1', mtu: 1400, nodeAddress: '10.255.0.3' }],
      localEndpoints: [{ networkId: 'ingress', taskId: 't1', containerNetnsPath: '/run/netns/c1', ip: '10.255.0.9' }],
      peers: [],
    };
    const steps = render(planDataPlane(ingress, nothing, context));
    expect(steps).toContain('node: ip addr add 10.255.0.3/16 dev shg4096');
    expect(steps.some((s) => s.includes('mtu 1400 type bridge'))).toBe(true);
    expect(steps).toContain('/run/netns/c1: ip route replace default via 10.255.0.3 dev ov4096 table 5096');
    expect(steps).toContain('/run/netns/c1: ip rule add from 10.255.0.9 table 5096 pref 5096 (may fail)');
  });

  it('names container namespaces by pid or path and rejects anything else', () => {
    expect(containerNetns({ networkId: 'n', taskId: 't', ip: '10.0.0.2', containerNetnsPath: '/proc/77/ns/net' })).toEqual({ path: '/proc/77/ns/net', ipArgument: '77' });
    expect(containerNetns({ networkId: 'n', taskId: 't', ip: '10.0.0.2', containerNetnsPath: '/var/run/netns/x' })).toEqual({ path: '/var/run/netns/x', ipArgument: 'x' });
    expect(() => containerNetns({ networkId: 'n', taskId: 't', ip: '10.0.0.2', containerNetnsPath: '/tmp/x' })).toThrow(/pid or/);
  });
});

describe('batchSteps', () => {
  it('groups consecutive steps for the same namespace and tool, isolating may-fail steps', () => {
    const node = { kind: 'node' } as const;
    const ov = { kind: 'overlay', name: 'x' } as const;
    const batches = batchSteps([
      { target: node, tool: 'ip', args: ['a'] },
      { target: node, tool: 'ip', args: ['b'] },
      { target: ov, tool: 'ip', args: ['c'] },
      { target: ov, tool: 'bridge', args: ['d'] },
      { target: ov, tool: 'bridge', args: ['e'], mayFail: true },
      { target: ov, tool: 'bridge', args: ['f'] },
    ]);
    expect(batches.map((b) => b.map((s) => s.args[0]).join(''))).toEqual(['ab', 'c', 'd', 'e', 'f']);
  });
});
