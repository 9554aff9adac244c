// Everything besides tasks that the managers send a node for the tasks it
// runs: secrets and configs to mount, overlay networks and the remote peers
// on them, and the services whose endpoints (VIPs, DNS names, published
// ports) the node serves. The agent keeps the latest set; the executor reads
// secrets and configs from it when it creates a container, and the overlay
// data plane subscribes to it.
import type { Config, Network, OverlayPeer, Secret, Service } from '../gen/index.js';

/** The node's current non-task assignments, by ID (peers by `networkId/ip`). */
export interface NodeResources {
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly configs: ReadonlyMap<string, Config>;
  readonly networks: ReadonlyMap<string, Network>;
  readonly peers: ReadonlyMap<string, OverlayPeer>;
  readonly services: ReadonlyMap<string, Service>;
}

/** A set with nothing in it: a node with no managers yet, or tasks that need nothing. */
export function emptyNodeResources(): NodeResources {
  return { secrets: new Map(), configs: new Map(), networks: new Map(), peers: new Map(), services: new Map() };
}

/** The key a peer is stored under. */
export function peerKey(peer: Pick<OverlayPeer, 'networkId' | 'ip'>): string {
  return `${peer.networkId}/${peer.ip}`;
}
