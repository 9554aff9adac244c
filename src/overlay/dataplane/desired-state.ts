// What one node's overlay data plane should look like. The worker agent
// builds it from the dispatcher's assignments (networks, its own tasks'
// attachments, and peers: other nodes' task addresses with their VTEPs).
import type { OverlayPeer } from '../../gen/index.js';

/** One overlay network this node takes part in. */
export interface DesiredNetwork {
  readonly id: string;
  /** VXLAN network identifier, 1..16777215, the same on every node. */
  readonly vni: number;
  /** "a.b.c.d/n". */
  readonly subnet: string;
  readonly gateway: string;
  /** Override of the MTU (com.docker.network.driver.mtu); default: underlay MTU minus 50. */
  readonly mtu?: number | undefined;
  /**
   * This node's own address on the network. Set for the ingress network
   * (each node needs a distinct one for routing-mesh return traffic); when
   * unset the node joins with the gateway address, where the embedded DNS
   * listens (never advertised to peers, so each node answers locally).
   */
  readonly nodeAddress?: string | undefined;
}

/** A task's attachment to a network on this node. */
export interface DesiredEndpoint {
  readonly networkId: string;
  readonly taskId: string;
  /** The container's network namespace: /run/netns/NAME or /proc/PID/ns/net. */
  readonly containerNetnsPath?: string | undefined;
  /** Alternative to containerNetnsPath: the pid of a process in the container. */
  readonly pid?: number | undefined;
  /** Address without prefix, e.g. "10.0.1.5". */
  readonly ip: string;
  /** Default: derived from the IP (02:42:...). */
  readonly mac?: string | undefined;
  /** Interface name inside the container; default ov<VNI>. */
  readonly ifName?: string | undefined;
}

/** A task (or a node's ingress address) on another node: the dispatcher's OverlayPeer as is. */
export type DesiredPeer = Readonly<Pick<OverlayPeer, 'networkId' | 'ip' | 'mac' | 'vtep'>>;

/** Everything the data plane of this node should hold. */
export interface DataPlaneDesiredState {
  /** This node's underlay address (its advertise address). */
  readonly vtep: string;
  /** VXLAN UDP port: 4789 unless --data-path-port. */
  readonly dataPathPort: number;
  readonly networks: readonly DesiredNetwork[];
  readonly localEndpoints: readonly DesiredEndpoint[];
  readonly peers: readonly DesiredPeer[];
}
