// Kernel object names. Interface names are at most 15 bytes (IFNAMSIZ-1);
// namespace names carry the node's tag so several nodes simulated on one
// machine never collide, and so cleanup can find everything by prefix.
import { createHash } from 'node:crypto';
import { assert } from '../common/assert.js';

/** Prefix of every network namespace shoal creates. */
export const netnsPrefix = 'shoal-';
/** Name of the bridge inside each overlay namespace. */
export const bridgeName = 'br0';
/** Name of the VXLAN device inside each overlay namespace. */
export const vxlanName = 'vxlan0';
/** Name of the nftables table holding the routing mesh in a node's namespace. */
export const meshTableName = 'shoal-mesh';
/** Name of the nftables table holding VIP balancing in a container's namespace. */
export const vipTableName = 'shoal-vip';

/** Check a node tag: short lowercase alphanumerics, so names stay under kernel limits. */
export function assertNodeTag(nodeTag: string): void {
  assert(/^[a-z0-9]{1,12}$/.test(nodeTag), `node tag must be 1-12 lowercase alphanumerics, got "${nodeTag}"`);
}

/** Prefix of this node's overlay namespaces. */
export function nodeNetnsPrefix(nodeTag: string): string {
  return `${netnsPrefix}${nodeTag}-`;
}

/** The overlay namespace of one network on one node. */
export function overlayNetnsName(nodeTag: string, vni: number): string {
  return `${nodeNetnsPrefix(nodeTag)}${vni}`;
}

/** The node-side end of the veth joining the node to a network (gateway / ingress address). */
export function hostLinkName(vni: number): string {
  return `shg${vni}`;
}

/** The bridge-side end of that veth, inside the overlay namespace. */
export function hostBridgePortName(vni: number): string {
  return `shb${vni}`;
}

/** The VXLAN device's name while it is still in the node's namespace. */
export function vxlanTempName(vni: number): string {
  return `shx${vni}`;
}

function endpointHash(networkId: string, taskId: string): string {
  return createHash('sha256').update(`${networkId}/${taskId}`).digest('hex').slice(0, 10);
}

/** The bridge-side veth of a container endpoint, in the overlay namespace. */
export function endpointBridgePortName(networkId: string, taskId: string): string {
  return `ve${endpointHash(networkId, taskId)}`;
}

/** The container-side veth before it is renamed inside the container. */
export function endpointTempName(networkId: string, taskId: string): string {
  return `vt${endpointHash(networkId, taskId)}`;
}

/** The default interface name inside the container for a network. */
export function defaultContainerIfName(vni: number): string {
  return `ov${vni}`;
}

/** The routing table (in the container) used to send replies of source-preserved connections back through the local node. */
export function replyTableId(vni: number): number {
  // Tables 1..252 are free by convention; keep clear of them and of 253-255.
  return 1000 + (vni % 100000);
}
