// The pure heart of the data plane: desired state + observed kernel state →
// the commands that close the gap, and nothing else. What already exists is
// left alone, so re-running after a daemon restart disturbs no traffic.
import { assert } from '../../common/assert.js';
import { parseCidr, parseIpv4 } from '../ipam/cidr.js';
import { macFromIp } from '../mac.js';
import {
  bridgeName, defaultContainerIfName, endpointBridgePortName, endpointTempName, hostBridgePortName, hostLinkName,
  overlayNetnsName, replyTableId, vxlanName, vxlanTempName,
} from '../names.js';
import type { DataPlaneDesiredState, DesiredEndpoint, DesiredNetwork } from './desired-state.js';
import type { ObservedNode, ObservedOverlay } from './observed-state.js';

/** Where a command runs: the node's namespace, a named overlay namespace, or a container's namespace by path. */
export type StepTarget = { kind: 'node' } | { kind: 'overlay'; name: string } | { kind: 'container'; path: string };

/** One `ip` or `bridge` command line (without the tool name), run in a target namespace. */
export interface Step {
  readonly target: StepTarget;
  readonly tool: 'ip' | 'bridge' | 'sysctl';
  readonly args: readonly string[];
  /** Set for commands whose failure means "already so" (e.g. `ip rule add` of an existing rule). */
  readonly mayFail?: boolean;
  /** Set on the steps that attach one endpoint: if one fails, the rest are skipped and `undo` runs, so one dead container cannot block the node. */
  readonly endpoint?: EndpointUnit;
}

/** Identifies one endpoint's attachment steps and how to take a half-made one apart. */
export interface EndpointUnit {
  readonly taskId: string;
  readonly networkId: string;
  readonly undo: readonly Step[];
}

/** Bytes VXLAN adds to each frame (outer Ethernet is not counted by MTU: IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const vxlanOverheadBytes = 50;

/** Context the plan needs besides desired and observed state. */
export interface PlanContext {
  readonly nodeTag: string;
  /** MTU of the underlay interface holding the VTEP address. */
  readonly underlayMtu: number;
}

const node: StepTarget = { kind: 'node' };

/** Compute the commands that take the kernel from `observed` to `desired`. Pure. */
export function planDataPlane(desired: DataPlaneDesiredState, observed: ObservedNode, context: PlanContext): Step[] {
  const steps: Step[] = [];
  const wantedNetns = new Map(desired.networks.map((n) => [overlayNetnsName(context.nodeTag, n.vni), n]));
  const wantedVnis = new Set(desired.networks.map((n) => n.vni));
  // Removals first, so names are free before anything is created.
  for (const name of [...observed.overlays.keys()].sort()) {
    if (!wantedNetns.has(name)) steps.push({ target: node, tool: 'ip', args: ['netns', 'del', name] });
  }
  for (const link of [...observed.nodeLinks.keys()].sort()) {
    const vni = /^sh[gx](\d+)$/.exec(link)?.[1];
    const stale = (vni !== undefined && !wantedVnis.has(Number(vni))) || link.startsWith('shx') || /^vt[0-9a-f]{10}$/.test(link);
    // May fail: deleting a namespace above destroys veth peers asynchronously.
    if (stale) steps.push({ target: node, tool: 'ip', args: ['link', 'del', link], mayFail: true });
  }
  for (const network of [...desired.networks].sort((a, b) => a.vni - b.vni)) {
    const name = overlayNetnsName(context.nodeTag, network.vni);
    const overlay = observed.overlays.get(name);
    const endpoints = desired.localEndpoints.filter((e) => e.networkId === network.id);
    const peers = desired.peers.filter((p) => p.networkId === network.id && p.vtep !== desired.vtep);
    steps.push(...planNetwork(desired, observed, overlay, network, context));
    steps.push(...planEndpoints(overlay, network, endpoints, context));
    steps.push(...planPeers(overlay, name, peers));
  }
  return steps;
}

/** The MTU of a network's devices. */
export function networkMtu(network: DesiredNetwork, underlayMtu: number): number {
  return network.mtu ?? underlayMtu - vxlanOverheadBytes;
}

function prefixLengthOf(network: DesiredNetwork): number {
  const cidr = parseCidr(network.subnet);
  assert(cidr.ok, `network ${network.id}: invalid subnet ${network.subnet}`);
  return cidr.value.prefixLength;
}

function planNetwork(desired: DataPlaneDesiredState, observed: ObservedNode, overlay: ObservedOverlay | undefined, network: DesiredNetwork, context: PlanContext): Step[] {
  const steps: Step[] = [];
  const name = overlayNetnsName(context.nodeTag, network.vni);
  const ov: StepTarget = { kind: 'overlay', name };
  const mtu = String(networkMtu(network, context.underlayMtu));
  const links = overlay?.links ?? new Map();
  if (overlay === undefined) {
    steps.push({ target: node, tool: 'ip', args: ['netns', 'add', name] });
    steps.push({ target: ov, tool: 'ip', args: ['link', 'set', 'lo', 'up'] });
    // Frames bridged here need no iptables (nothing filters in this namespace),
    // but with br_netfilter loaded (dockerd loads it) every one would walk the
    // netfilter hooks: about 5 % of overlay throughput. The switch is per
    // namespace; where br_netfilter is not loaded there is nothing to switch.
    steps.push({ target: ov, tool: 'sysctl', args: ['-qw', 'net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0', 'net.bridge.bridge-nf-call-arptables=0'], mayFail: true });
  }
  if (!links.has(bridgeName)) {
    steps.push({ target: ov, tool: 'ip', args: ['link', 'add', bridgeName, 'mtu', mtu, 'type', 'bridge'] });
    steps.push({ target: ov, tool: 'ip', args: ['link', 'set', bridgeName, 'up'] });
  }
  if (!links.has(vxlanName)) {
    // Created in the node's namespace so its UDP socket is bound there (on
    // the underlay), then moved: the device itself lives with the bridge.
    const temp = vxlanTempName(network.vni);
    steps.push({
      target: node, tool: 'ip',
      args: ['link', 'add', temp, 'mtu', mtu, 'type', 'vxlan', 'id', String(network.vni), 'local', desired.vtep, 'dstport', String(desired.dataPathPort), 'proxy', 'nolearning'],
    });
    steps.push({ target: node, tool: 'ip', args: ['link', 'set', temp, 'netns', name] });
    steps.push({ target: ov, tool: 'ip', args: ['link', 'set', temp, 'name', vxlanName] });
    steps.push({ target: ov, tool: 'ip', args: ['link', 'set', vxlanName, 'master', bridgeName, 'up'] });
    // Remote MACs are programmed, never learned: nothing stale survives a removal.
    steps.push({ target: ov, tool: 'ip', args: ['link', 'set', 'dev', vxlanName, 'type', 'bridge_slave', 'learning', 'off'] });
  }
  const hostLink = hostLinkName(network.vni);
  const hostPort = hostBridgePortName(network.vni);
  const address = `${network.nodeAddress ?? network.gateway}/${prefixLengthOf(network)}`;
  const hostLinkPresent = links.has(hostPort) && observed.nodeLinks.has(hostLink);
  if (!hostLinkPresent) {
    if (links.has(hostPort)) steps.push({ target: ov, tool: 'ip', args: ['link', 'del', hostPort] });
    else if (observed.nodeLinks.has(hostLink)) steps.push({ target: node, tool: 'ip', args: ['link', 'del', hostLink] });
    steps.push({ target: node, tool: 'ip', args: ['link', 'add', hostLink, 'mtu', mtu, 'address', macFromIp(network.nodeAddress ?? network.gateway), 'type', 'veth', 'peer', 'name', hostPort, 'mtu', mtu] });
    steps.push({ target: node, tool: 'ip', args: ['link', 'set', hostPort, 'netns', name] });
    steps.push({ target: ov, tool: 'ip', args: ['link', 'set', hostPort, 'master', bridgeName, 'up'] });
  }
  const addresses = hostLinkPresent ? observed.nodeAddresses.get(hostLink) ?? [] : [];
  if (!addresses.includes(address)) {
    for (const stale of addresses) steps.push({ target: node, tool: 'ip', args: ['addr', 'del', stale, 'dev', hostLink] });
    steps.push({ target: node, tool: 'ip', args: ['addr', 'add', address, 'dev', hostLink] });
  }
  if (!hostLinkPresent) steps.push({ target: node, tool: 'ip', args: ['link', 'set', hostLink, 'up'] });
  return steps;
}

/** The namespace path of an endpoint's container, and what `ip link set netns` accepts for it. */
export function containerNetns(endpoint: DesiredEndpoint): { path: string; ipArgument: string } {
  if (endpoint.pid !== undefined) return { path: `/proc/${endpoint.pid}/ns/net`, ipArgument: String(endpoint.pid) };
  const path = endpoint.containerNetnsPath ?? '';
  const named = /^\/(?:var\/)?run\/netns\/([^/]+)$/.exec(path)?.[1];
  if (named !== undefined) return { path, ipArgument: named };
  const pid = /^\/proc\/(\d+)\/ns\/net$/.exec(path)?.[1];
  assert(pid !== undefined, `endpoint ${endpoint.taskId}: need pid or a /run/netns/NAME or /proc/PID/ns/net path, got "${path}"`);
  return { path, ipArgument: pid };
}

function planEndpoints(overlay: ObservedOverlay | undefined, network: DesiredNetwork, endpoints: readonly DesiredEndpoint[], context: PlanContext): Step[] {
  const steps: Step[] = [];
  const name = overlayNetnsName(context.nodeTag, network.vni);
  const ov: StepTarget = { kind: 'overlay', name };
  const mtu = String(networkMtu(network, context.underlayMtu));
  const wanted = new Set(endpoints.map((e) => endpointBridgePortName(e.networkId, e.taskId)));
  for (const link of [...(overlay?.links.keys() ?? [])].sort()) {
    if (/^ve[0-9a-f]{10}$/.test(link) && !wanted.has(link)) steps.push({ target: ov, tool: 'ip', args: ['link', 'del', link] });
  }
  const prefixLength = prefixLengthOf(network);
  for (const endpoint of endpoints) {
    const port = endpointBridgePortName(endpoint.networkId, endpoint.taskId);
    if (overlay?.links.get(port)?.master === bridgeName) continue;
    if (overlay?.links.has(port) === true) steps.push({ target: ov, tool: 'ip', args: ['link', 'del', port] });
    const temp = endpointTempName(endpoint.networkId, endpoint.taskId);
    const netns = containerNetns(endpoint);
    const inside: StepTarget = { kind: 'container', path: netns.path };
    const ifName = endpoint.ifName ?? defaultContainerIfName(network.vni);
    const mac = endpoint.mac ?? macFromIp(endpoint.ip);
    // Wherever the pair got to, deleting either end removes both.
    const unit: EndpointUnit = {
      taskId: endpoint.taskId,
      networkId: endpoint.networkId,
      undo: [
        { target: node, tool: 'ip', args: ['link', 'del', port], mayFail: true },
        { target: ov, tool: 'ip', args: ['link', 'del', port], mayFail: true },
        { target: inside, tool: 'ip', args: ['link', 'del', temp], mayFail: true },
      ],
    };
    const attach: Step[] = [
      { target: node, tool: 'ip', args: ['link', 'add', port, 'mtu', mtu, 'type', 'veth', 'peer', 'name', temp, 'mtu', mtu] },
      { target: node, tool: 'ip', args: ['link', 'set', port, 'netns', name] },
      { target: node, tool: 'ip', args: ['link', 'set', temp, 'netns', netns.ipArgument] },
      { target: ov, tool: 'ip', args: ['link', 'set', port, 'master', bridgeName, 'up'] },
      { target: inside, tool: 'ip', args: ['link', 'set', temp, 'name', ifName, 'address', mac] },
      { target: inside, tool: 'ip', args: ['addr', 'add', `${endpoint.ip}/${prefixLength}`, 'dev', ifName] },
      { target: inside, tool: 'ip', args: ['link', 'set', ifName, 'up'] },
      { target: inside, tool: 'ip', args: ['link', 'set', 'lo', 'up'] },
      ...(network.nodeAddress === undefined ? [] : replyRouting(inside, network, endpoint.ip, ifName)),
    ];
    steps.push(...attach.map((step) => ({ ...step, endpoint: unit })));
  }
  return steps;
}

// Replies from a task's ingress address go back through the node it runs
// on, whichever default route the container has: this is what lets the
// routing mesh skip SNAT for source-preserving ports (mesh/README).
function replyRouting(inside: StepTarget, network: DesiredNetwork, ip: string, ifName: string): Step[] {
  const table = String(replyTableId(network.vni));
  assert(parseIpv4(network.nodeAddress ?? '') !== undefined, `network ${network.id}: invalid node address ${network.nodeAddress ?? ''}`);
  return [
    { target: inside, tool: 'ip', args: ['route', 'replace', network.subnet, 'dev', ifName, 'table', table] },
    { target: inside, tool: 'ip', args: ['route', 'replace', 'default', 'via', network.nodeAddress ?? '', 'dev', ifName, 'table', table] },
    { target: inside, tool: 'ip', args: ['rule', 'add', 'from', ip, 'table', table, 'pref', table], mayFail: true },
  ];
}

function planPeers(overlay: ObservedOverlay | undefined, name: string, peers: readonly { ip: string; mac: string; vtep: string }[]): Step[] {
  const steps: Step[] = [];
  const ov: StepTarget = { kind: 'overlay', name };
  const wantedFdb = new Map(peers.map((p) => [p.mac.toLowerCase(), p.vtep]));
  const wantedNeigh = new Map(peers.map((p) => [p.ip, p.mac.toLowerCase()]));
  for (const entry of overlay?.fdb ?? []) {
    if (wantedFdb.get(entry.mac.toLowerCase()) !== entry.dst) steps.push({ target: ov, tool: 'bridge', args: ['fdb', 'del', entry.mac, 'dev', vxlanName, 'dst', entry.dst, 'self'] });
  }
  for (const mac of overlay?.bridgeFdb ?? []) {
    if (!wantedFdb.has(mac.toLowerCase())) steps.push({ target: ov, tool: 'bridge', args: ['fdb', 'del', mac, 'dev', vxlanName, 'master'] });
  }
  for (const entry of overlay?.neighbours ?? []) {
    if (!wantedNeigh.has(entry.ip)) steps.push({ target: ov, tool: 'ip', args: ['neigh', 'del', entry.ip, 'dev', vxlanName] });
  }
  const haveFdb = new Set((overlay?.fdb ?? []).map((e) => `${e.mac.toLowerCase()}>${e.dst}`));
  const haveNeigh = new Set((overlay?.neighbours ?? []).map((n) => `${n.ip}>${n.mac.toLowerCase()}`));
  for (const [mac, vtep] of [...wantedFdb].sort()) {
    if (!haveFdb.has(`${mac}>${vtep}`)) steps.push({ target: ov, tool: 'bridge', args: ['fdb', 'replace', mac, 'dev', vxlanName, 'dst', vtep, 'self', 'permanent'] });
  }
  const haveBridgeFdb = new Set((overlay?.bridgeFdb ?? []).map((m) => m.toLowerCase()));
  for (const mac of [...wantedFdb.keys()].sort()) {
    if (!haveBridgeFdb.has(mac)) steps.push({ target: ov, tool: 'bridge', args: ['fdb', 'replace', mac, 'dev', vxlanName, 'master', 'static'] });
  }
  for (const [ip, mac] of [...wantedNeigh].sort()) {
    if (!haveNeigh.has(`${ip}>${mac}`)) steps.push({ target: ov, tool: 'ip', args: ['neigh', 'replace', ip, 'lladdr', mac, 'dev', vxlanName, 'nud', 'permanent'] });
  }
  return steps;
}
