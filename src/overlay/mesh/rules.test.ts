import { describe, expect, it } from 'vitest';
import { containerVipRuleset, deleteTableScript, routingMeshRuleset } from './rules.js';
import { vipServicesForContainer } from './vip-services.js';

describe('routingMeshRuleset', () => {
  it('balances published ports across all backends with SNAT, and preserves sources via local backends (golden)', () => {
    const script = routingMeshRuleset({
      ingressLink: 'shg4096',
      nodeIngressAddress: '10.255.0.3',
      published: [
        { protocol: 'udp', publishedPort: 5353, targetPort: 53, backends: ['10.255.0.9'], localBackends: [], preserveSourceIp: false },
        { protocol: 'tcp', publishedPort: 8080, targetPort: 80, backends: ['10.255.0.8', '10.255.0.7'], localBackends: [], preserveSourceIp: false },
        { protocol: 'tcp', publishedPort: 8443, targetPort: 443, backends: ['10.255.0.7', '10.255.0.8'], localBackends: ['10.255.0.8'], preserveSourceIp: true },
        { protocol: 'tcp', publishedPort: 9999, targetPort: 99, backends: [], localBackends: [], preserveSourceIp: false },
      ],
      hostPorts: [{ protocol: 'tcp', publishedPort: 7000, targetIp: '172.18.0.5', targetPort: 70 }],
    });
    expect(script).toBe(`table ip shoal-mesh {}
flush table ip shoal-mesh
table ip shoal-mesh {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local jump published
  }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local jump published
  }
  chain published {
    udp dport 5353 dnat to 10.255.0.9 : 53
    tcp dport 8080 dnat to numgen random mod 2 map { 0 : 10.255.0.7, 1 : 10.255.0.8 } : 80
    tcp dport 8443 ip saddr != 127.0.0.0/8 ct mark set 21328 dnat to 10.255.0.8 : 443
    tcp dport 8443 dnat to numgen random mod 2 map { 0 : 10.255.0.7, 1 : 10.255.0.8 } : 443
    tcp dport 7000 ct mark set 21328 dnat to 172.18.0.5 : 70
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ct status dnat ip saddr 127.0.0.0/8 masquerade
    oifname "shg4096" ct status dnat ct mark != 21328 snat to 10.255.0.3
  }
}
`);
  });
  it('refuses malformed input loudly (a bug upstream, not a user error)', () => {
    expect(() => routingMeshRuleset({ ingressLink: 'x', nodeIngressAddress: 'nope', published: [], hostPorts: [] })).toThrow(/IPv4/);
    expect(() => routingMeshRuleset({ ingressLink: 'bad name"', nodeIngressAddress: '10.0.0.1', published: [], hostPorts: [] })).toThrow(/interface/);
  });
});

describe('containerVipRuleset', () => {
  it('rewrites each VIP to a random backend and redirects 127.0.0.11:53 to the network DNS (golden)', () => {
    const script = containerVipRuleset({
      services: [{ vip: '10.0.1.2', backends: ['10.0.1.6', '10.0.1.5'] }, { vip: '10.0.1.3', backends: [] }],
      dns: { dnsAddress: '10.0.1.1', sourceAddress: '10.0.1.5' },
    });
    expect(script).toBe(`table ip shoal-vip {}
flush table ip shoal-vip
table ip shoal-vip {
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr 10.0.1.2 dnat to numgen random mod 2 map { 0 : 10.0.1.5, 1 : 10.0.1.6 }
    ip daddr 127.0.0.11 udp dport 53 dnat to 10.0.1.1 : 53
    ip daddr 127.0.0.11 tcp dport 53 dnat to 10.0.1.1 : 53
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 127.0.0.0/8 ip daddr 10.0.1.1 snat to 10.0.1.5
  }
}
`);
  });
  it('needs no table when nothing is to be rewritten', () => {
    expect(containerVipRuleset({ services: [{ vip: '10.0.1.3', backends: [] }] })).toBeUndefined();
    expect(deleteTableScript('shoal-vip')).toBe('table ip shoal-vip {}\ndelete table ip shoal-vip\n');
  });
});

describe('vipServicesForContainer', () => {
  it('keeps vip-mode services on the container networks, with their tasks on that network', () => {
    expect(vipServicesForContainer(['a'], [
      { name: 'web', endpointMode: 'vip', vips: [{ networkId: 'a', ip: '10.0.1.2' }, { networkId: 'b', ip: '10.0.2.2' }], tasks: [{ networkId: 'a', ip: '10.0.1.5' }, { networkId: 'b', ip: '10.0.2.5' }] },
      { name: 'db', endpointMode: 'dnsrr', vips: [], tasks: [{ networkId: 'a', ip: '10.0.1.9' }] },
    ])).toEqual([{ vip: '10.0.1.2', backends: ['10.0.1.5'] }]);
  });
});
