// Pure nftables rule generation for VIP load balancing (inside a container's
// namespace) and the routing mesh (in a node's namespace). Output is a
// complete `nft -f` transaction that replaces one table atomically:
// conntrack keeps the NAT of established connections, so a swap never
// breaks them, and new connections see only the new backends.
import { assert } from '../../common/assert.js';
import { parseIpv4 } from '../ipam/cidr.js';
import { meshTableName, vipTableName } from '../names.js';

/** Transport protocols the mesh balances. */
export type MeshProtocol = 'tcp' | 'udp';

/** A port published through the routing mesh (publish mode ingress). */
export interface PublishedPort {
  readonly protocol: MeshProtocol;
  readonly publishedPort: number;
  readonly targetPort: number;
  /** Ingress-network addresses of the service's healthy tasks on all nodes. */
  readonly backends: readonly string[];
  /** Which of `backends` run on this node (used when preserving the source address). */
  readonly localBackends: readonly string[];
  /** PortConfig.preserveSourceIp: no SNAT when a local task can take the connection. */
  readonly preserveSourceIp: boolean;
}

/** A port published in host mode: only on this node, straight to a local task. */
export interface HostPort {
  readonly protocol: MeshProtocol;
  readonly publishedPort: number;
  readonly targetIp: string;
  readonly targetPort: number;
}

/** Everything the routing mesh of one node needs. */
export interface RoutingMeshSpec {
  /** The node's link into the ingress network (hostLinkName(ingress VNI)). */
  readonly ingressLink: string;
  /** The node's own address on the ingress network, the SNAT source for mesh traffic. */
  readonly nodeIngressAddress: string;
  readonly published: readonly PublishedPort[];
  readonly hostPorts: readonly HostPort[];
}

/** A service VIP as seen from one container. */
export interface VipService {
  readonly vip: string;
  /** Task addresses on the VIP's network; empty means the VIP is not rewritten. */
  readonly backends: readonly string[];
}

/** Where a container's 127.0.0.11:53 should go (the embedded DNS on the network gateway). */
export interface DnsRedirect {
  readonly dnsAddress: string;
  /** The container's own address on the network that reaches dnsAddress. */
  readonly sourceAddress: string;
}

/** Everything the VIP table of one container needs. */
export interface ContainerVipSpec {
  readonly services: readonly VipService[];
  readonly dns?: DnsRedirect | undefined;
}

/** Connection mark of mesh connections that keep their source address (ASCII "SP"). */
export const preservedMark = 0x5350;
/** Docker's embedded DNS address inside containers. */
export const containerDnsAddress = '127.0.0.11';

function checkIp(ip: string): string {
  assert(parseIpv4(ip) !== undefined, `not an IPv4 address: ${ip}`);
  return ip;
}

function checkPort(port: number): string {
  assert(Number.isInteger(port) && port > 0 && port < 65536, `not a port: ${port}`);
  return String(port);
}

/** `dnat to` a random one of `ips` (optionally with a port), or the single address. */
function balancedDnat(ips: readonly string[], port: number | undefined): string {
  const sorted = [...new Set(ips.map(checkIp))].sort();
  const suffix = port === undefined ? '' : ` : ${checkPort(port)}`;
  if (sorted.length === 1) return `dnat to ${sorted[0] ?? ''}${suffix}`;
  const map = sorted.map((ip, i) => `${i} : ${ip}`).join(', ');
  return `dnat to numgen random mod ${sorted.length} map { ${map} }${suffix}`;
}

function tableTransaction(table: string, body: readonly string[]): string {
  // Declaring then flushing makes the script valid whether or not the table
  // exists; the whole file is one transaction, so there is no empty window.
  return [`table ip ${table} {}`, `flush table ip ${table}`, `table ip ${table} {`, ...body, '}', ''].join('\n');
}

/** The `nft -f` script that deletes a table if present. */
export function deleteTableScript(table: string): string {
  return `table ip ${table} {}\ndelete table ip ${table}\n`;
}

/** Rules for the routing mesh on one node; an empty spec still yields a valid (empty) table. Pure. */
export function routingMeshRuleset(spec: RoutingMeshSpec): string {
  checkIp(spec.nodeIngressAddress);
  const published: string[] = [];
  for (const port of [...spec.published].sort((a, b) => a.publishedPort - b.publishedPort || a.protocol.localeCompare(b.protocol))) {
    const match = `${port.protocol} dport ${checkPort(port.publishedPort)}`;
    if (port.backends.length === 0) continue;
    const local = port.localBackends.filter((ip) => port.backends.includes(ip));
    // Source-preserving connections are served by this node's own tasks, so
    // replies come back through it without SNAT (mesh/README.md).
    if (port.preserveSourceIp && local.length > 0) {
      published.push(`    ${match} ip saddr != 127.0.0.0/8 ct mark set ${preservedMark} ${balancedDnat(local, port.targetPort)}`);
    }
    published.push(`    ${match} ${balancedDnat(port.backends, port.targetPort)}`);
  }
  for (const port of [...spec.hostPorts].sort((a, b) => a.publishedPort - b.publishedPort || a.protocol.localeCompare(b.protocol))) {
    published.push(`    ${port.protocol} dport ${checkPort(port.publishedPort)} ct mark set ${preservedMark} dnat to ${checkIp(port.targetIp)} : ${checkPort(port.targetPort)}`);
  }
  const link = spec.ingressLink;
  assert(/^[A-Za-z0-9_.-]{1,15}$/.test(link), `bad interface name ${link}`);
  return tableTransaction(meshTableName, [
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    fib daddr type local jump published',
    '  }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    '    fib daddr type local jump published',
    '  }',
    '  chain published {',
    ...published,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    // Loopback sources can never be answered from outside: always SNAT them.
    '    ct status dnat ip saddr 127.0.0.0/8 masquerade',
    `    oifname "${link}" ct status dnat ct mark != ${preservedMark} snat to ${spec.nodeIngressAddress}`,
    '  }',
  ]);
}

/** Rules for one container: VIP → task balancing and the 127.0.0.11 DNS redirect; undefined when none are needed. Pure. */
export function containerVipRuleset(spec: ContainerVipSpec): string | undefined {
  const rules: string[] = [];
  for (const service of [...spec.services].sort((a, b) => a.vip.localeCompare(b.vip))) {
    if (service.backends.length === 0) continue;
    // No port in the match: a VIP stands for the whole service, every port.
    rules.push(`    ip daddr ${checkIp(service.vip)} ${balancedDnat(service.backends, undefined)}`);
  }
  const post: string[] = [];
  if (spec.dns !== undefined) {
    const dns = checkIp(spec.dns.dnsAddress);
    for (const protocol of ['udp', 'tcp']) rules.push(`    ip daddr ${containerDnsAddress} ${protocol} dport 53 dnat to ${dns} : 53`);
    post.push(`    ip saddr 127.0.0.0/8 ip daddr ${dns} snat to ${checkIp(spec.dns.sourceAddress)}`);
  }
  if (rules.length === 0) return undefined;
  return tableTransaction(vipTableName, [
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    ...rules,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...post,
    '  }',
  ]);
}
