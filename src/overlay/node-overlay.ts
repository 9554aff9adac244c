// One call per assignments change for a worker: data plane, then the DNS
// names, each local container's VIP table, the routing mesh, and the DNS
// listeners. Each part converges on its own, so one failure is reported and the
// rest still converges; the next apply retries.
import { CommandError, type CommandRunner } from './dataplane/command-runner.js';
import type { DataPlaneDesiredState } from './dataplane/desired-state.js';
import type { EndpointFailure } from './dataplane/execute.js';
import { NetworkDataPlane } from './dataplane/network-data-plane.js';
import type { NameRecords, NameTable } from './dns/name-table.js';
import type { EmbeddedDnsServer } from './dns/server.js';
import { applyContainerVips, applyRoutingMesh } from './mesh/apply.js';
import type { ContainerVipSpec, RoutingMeshSpec } from './mesh/rules.js';

/** A local container's VIP table. */
export interface ContainerVips {
  /** /proc/PID/ns/net or /run/netns/NAME. */
  readonly netnsPath: string;
  readonly spec: ContainerVipSpec;
  /** The container's interface towards spec.dns (gets route_localnet). */
  readonly dnsLink?: string | undefined;
}

/** Everything overlay-related one node should hold. */
export interface NodeOverlayState {
  readonly dataPlane: DataPlaneDesiredState;
  readonly containers: readonly ContainerVips[];
  /** Undefined when the node has no ingress network (the mesh table is removed). */
  readonly mesh?: RoutingMeshSpec | undefined;
  /** Names per network for the embedded DNS. */
  readonly names: NameRecords;
}

/** What an apply could not do (all retried on the next apply). */
export interface NodeOverlayReport {
  readonly failedEndpoints: readonly EndpointFailure[];
  readonly failedContainers: readonly { netnsPath: string; message: string }[];
}

/** Dependencies of a node's overlay. */
export interface NodeOverlayOptions {
  readonly runner: CommandRunner;
  readonly nodeTag: string;
  /** Only for namespace hosts driven from outside (tests); the daemon runs in its node's namespace. */
  readonly nodeNetnsPath?: string | undefined;
  /** Set when this process runs in the node's namespace: serve DNS on each network's gateway. */
  readonly dns?: { server: EmbeddedDnsServer; table: NameTable } | undefined;
}

/** A worker node's whole overlay: data plane, VIPs, routing mesh and DNS. */
export class NodeOverlay {
  private readonly dataPlane: NetworkDataPlane;
  private readonly dnsAddresses = new Set<string>();

  /** Build it; nothing changes until apply(). */
  constructor(private readonly options: NodeOverlayOptions) {
    this.dataPlane = new NetworkDataPlane({ runner: options.runner, nodeTag: options.nodeTag, nodeNetnsPath: options.nodeNetnsPath });
  }

  /** Converge everything to `state`. Throws only when the node-level data plane itself fails. */
  async apply(state: NodeOverlayState): Promise<NodeOverlayReport> {
    const { failedEndpoints } = await this.dataPlane.reconcile(state.dataPlane);
    // Names as soon as the peers they point at are programmed: VIP tables and
    // the mesh below do not change what a name means, only add latency.
    this.options.dns?.table.replace(state.names);
    const failedContainers: { netnsPath: string; message: string }[] = [];
    for (const container of state.containers) {
      try {
        await applyContainerVips(this.options.runner, container.netnsPath, container.spec, container.dnsLink);
      } catch (error) {
        // The container may have exited since the state was built.
        if (!(error instanceof CommandError)) throw error;
        failedContainers.push({ netnsPath: container.netnsPath, message: error.message });
      }
    }
    await applyRoutingMesh(this.options.runner, this.options.nodeNetnsPath, state.mesh);
    await this.applyDns(state);
    return { failedEndpoints, failedContainers };
  }

  /** Remove everything this node's overlay made (swarm leave). */
  async shutdown(): Promise<void> {
    await applyRoutingMesh(this.options.runner, this.options.nodeNetnsPath, undefined);
    if (this.options.dns !== undefined) {
      for (const address of this.dnsAddresses) await this.options.dns.server.unlisten(address);
      this.dnsAddresses.clear();
    }
    await this.dataPlane.destroy();
  }

  private async applyDns(state: NodeOverlayState): Promise<void> {
    const dns = this.options.dns;
    if (dns === undefined) return;
    // DNS lives on gateways, not on the ingress network (nodeAddress set), as in Docker.
    const wanted = new Map(state.dataPlane.networks.filter((n) => n.nodeAddress === undefined).map((n) => [n.gateway, n.id]));
    for (const address of [...this.dnsAddresses]) {
      if (!wanted.has(address)) {
        await dns.server.unlisten(address);
        this.dnsAddresses.delete(address);
      }
    }
    for (const [address, networkId] of wanted) {
      if (this.dnsAddresses.has(address)) continue;
      await dns.server.listen({ networkId, address });
      this.dnsAddresses.add(address);
    }
  }
}
