// The imperative shell around planDataPlane: observe, plan, execute, one
// reconcile at a time. It holds no state of its own, so a new instance after
// a daemon restart converges exactly like the old one would have.
import { assert } from '../../common/assert.js';
import { parseIpv4 } from '../ipam/cidr.js';
import { assertNodeTag, nodeNetnsPrefix } from '../names.js';
import { inNetns, runChecked, type CommandRunner } from './command-runner.js';
import type { DataPlaneDesiredState } from './desired-state.js';
import { executeSteps, type EndpointFailure } from './execute.js';
import { isolationRuleset, isolationTableName } from './isolation.js';
import { applyTable } from '../mesh/apply.js';
import { observeNode, type ObservedNode } from './observed-state.js';
import { planDataPlane, type Step } from './plan.js';

/** How the data plane reaches the kernel. */
export interface NetworkDataPlaneOptions {
  readonly runner: CommandRunner;
  /** Short unique name of this node on this machine, used in namespace names (e.g. first 8 chars of the node ID, lowercased). */
  readonly nodeTag: string;
  /** The node's own network namespace when it is not the caller's (namespace hosts in tests); default: the caller's. */
  readonly nodeNetnsPath?: string | undefined;
}

/** What one reconcile did. */
export interface ReconcileReport {
  readonly steps: readonly Step[];
  /** Endpoints whose container could not be reached; the rest of the node converged. */
  readonly failedEndpoints: readonly EndpointFailure[];
}

/** The empty state: reconciling to it removes everything this node's data plane made. */
export const emptyDataPlaneState = (vtep: string, dataPathPort = 4789): DataPlaneDesiredState => ({ vtep, dataPathPort, networks: [], localEndpoints: [], peers: [] });

/** Reconciles one node's overlay networks (namespaces, bridges, VXLAN, veths, FDB and neighbour entries) to a desired state. */
export class NetworkDataPlane {
  private queue: Promise<unknown> = Promise.resolve();

  /** Build a data plane for one node. */
  constructor(private readonly options: NetworkDataPlaneOptions) {
    assertNodeTag(options.nodeTag);
  }

  /** Bring the kernel to `desired`; reports the steps it ran (none when already converged) and endpoints it could not attach. Calls are serialized. */
  reconcile(desired: DataPlaneDesiredState): Promise<ReconcileReport> {
    const next = this.queue.then(() => this.reconcileNow(desired));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Remove every namespace and link this node's data plane created. */
  async destroy(): Promise<void> {
    await this.reconcile(emptyDataPlaneState('0.0.0.0'));
  }

  /** Read what the kernel holds for this node. */
  observe(): Promise<ObservedNode> {
    return observeNode(this.options.runner, this.options.nodeNetnsPath, nodeNetnsPrefix(this.options.nodeTag));
  }

  private async reconcileNow(desired: DataPlaneDesiredState): Promise<ReconcileReport> {
    assert(parseIpv4(desired.vtep) !== undefined, `vtep must be an IPv4 address, got "${desired.vtep}"`);
    const observed = await this.observe();
    const underlayMtu = desired.networks.length === 0 ? 1500 : await this.underlayMtu(desired.vtep, observed);
    const steps = planDataPlane(desired, observed, { nodeTag: this.options.nodeTag, underlayMtu });
    const failedEndpoints = await executeSteps(this.options.runner, steps, this.options.nodeNetnsPath);
    // Re-applied every time (one atomic nft transaction): cheap, and repairs tampering.
    await applyTable(this.options.runner, this.options.nodeNetnsPath, isolationTableName, desired.networks.length === 0 ? undefined : isolationRuleset());
    return { steps, failedEndpoints };
  }

  // The MTU of the interface that holds the VTEP address; if the address is
  // not local (e.g. behind NAT), of the route towards it.
  private async underlayMtu(vtep: string, observed: ObservedNode): Promise<number> {
    for (const [link, addresses] of observed.nodeAddresses) {
      if (addresses.some((a) => a.startsWith(`${vtep}/`))) return observed.nodeLinks.get(link)?.mtu ?? 1500;
    }
    const route = await runChecked(this.options.runner, inNetns(this.options.nodeNetnsPath, ['ip', '-j', 'route', 'get', '1.1.1.1']));
    const dev = (JSON.parse(route) as { dev?: string }[])[0]?.dev;
    return (dev === undefined ? undefined : observed.nodeLinks.get(dev)?.mtu) ?? 1500;
  }
}
