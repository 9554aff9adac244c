import { isTerminal, wantsRun } from '../../common/task-state.js';
import type { Config, Network, Node, Secret, Service, Task, WeightedPeer } from '../../gen/index.js';
import { nodeAssignments, type DispatcherStoreView, type NetworkEndpoint, type NodeAssignmentItem, type NodeAssignmentSource } from '../dispatcher/index.js';
import type { MemoryStore, StoreChangeSet } from '../store/index.js';

/** Default dispatcher heartbeat period: short, so a dead worker's tasks move within seconds. */
export const DEFAULT_HEARTBEAT_PERIOD_MS = 1_000;

/**
 * The dispatcher's view of the leader's store. Node watchers are indexed by
 * node, so a batch of plain task changes wakes only the sessions of nodes
 * whose tasks it touched. Changes to what many nodes share (networks,
 * overlay endpoints, services, secrets, configs) wake every session; each
 * then sends only what differs for it. Endpoints per network are indexed
 * once per store change, not once per node.
 */
export class StoreDispatcherView implements DispatcherStoreView, NodeAssignmentSource {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;
  private endpoints: Map<string, NetworkEndpoint[]> | undefined;

  constructor(
    private readonly store: MemoryStore,
    private readonly managerAddrs: () => string[],
    /** Opens a stored (sealed) secret for a node; undefined when it cannot be opened. */
    private readonly openSecret: (sealed: Secret) => Secret | undefined = () => undefined,
  ) {
    this.unsubscribe = store.watch((changes) => this.notify(changes));
  }

  node(nodeId: string): Node | undefined {
    return this.store.get('node', nodeId);
  }

  tasksForNode(nodeId: string): Task[] {
    return this.store.tasksOnNode(nodeId);
  }

  assignmentsForNode(nodeId: string): NodeAssignmentItem[] {
    return nodeAssignments(nodeId, this);
  }

  tasksOnNode(nodeId: string): Task[] {
    return this.store.tasksOnNode(nodeId);
  }

  /** The secret with its data opened: only ever streamed to a node whose tasks use it. */
  secret(id: string): Secret | undefined {
    const sealed = this.store.get('secret', id);
    return sealed ? this.openSecret(sealed) : undefined;
  }

  config(id: string): Config | undefined {
    return this.store.get('config', id);
  }

  network(id: string): Network | undefined {
    return this.store.get('network', id);
  }

  service(id: string): Service | undefined {
    return this.store.get('service', id);
  }

  ingressNetworks(): Network[] {
    return this.store.list('network').filter((n) => n.spec?.ingress === true);
  }

  meshServices(): Service[] {
    return this.store.list('service').filter((s) => (s.endpoint?.ports ?? []).some((p) => p.publishMode === 'INGRESS' && p.publishedPort !== 0));
  }

  endpointsOn(networkId: string): NetworkEndpoint[] {
    this.endpoints ??= indexEndpoints(this.store);
    return this.endpoints.get(networkId) ?? [];
  }

  vtepOf(nodeId: string): string {
    const node = this.store.get('node', nodeId);
    return node?.dataPathAddr || node?.status?.addr || '';
  }

  watchNode(nodeId: string, listener: () => void): () => void {
    let set = this.watchers.get(nodeId);
    if (!set) this.watchers.set(nodeId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(nodeId);
    };
  }

  managers(): WeightedPeer[] {
    return this.managerAddrs().map((addr) => ({ addr, weight: 1 }));
  }

  heartbeatPeriodMs(): number {
    const [cluster] = this.store.list('cluster');
    return cluster?.spec?.heartbeatPeriodMs || DEFAULT_HEARTBEAT_PERIOD_MS;
  }

  /** Stops watching the store. */
  close(): void {
    this.unsubscribe();
    this.watchers.clear();
  }

  private notify(changes: StoreChangeSet): void {
    const nodes = new Set<string>();
    let shared = false;
    for (const event of changes.events) {
      if (event.kind === 'task') {
        if (event.object.nodeId) nodes.add(event.object.nodeId);
        if (event.previous?.nodeId) nodes.add(event.previous.nodeId);
        if (event.object.networks.length > 0 || (event.previous?.networks.length ?? 0) > 0) shared = true;
      } else if (event.kind === 'node') {
        nodes.add(event.object.id);
        if (event.object.attachments.length > 0 || (event.previous?.attachments.length ?? 0) > 0 || event.object.dataPathAddr !== event.previous?.dataPathAddr) shared = true;
      } else if (event.kind !== 'cluster') {
        shared = true;
      }
    }
    if (shared) this.endpoints = undefined;
    const wake = shared ? [...this.watchers.keys()] : nodes;
    for (const nodeId of wake) for (const listener of this.watchers.get(nodeId) ?? []) listener();
  }
}

/** Every live overlay address by network: tasks that should be running on a node, and nodes' mesh addresses. */
function indexEndpoints(store: MemoryStore): Map<string, NetworkEndpoint[]> {
  const byNetwork = new Map<string, NetworkEndpoint[]>();
  const add = (endpoint: NetworkEndpoint): void => {
    const list = byNetwork.get(endpoint.networkId);
    if (list) list.push(endpoint);
    else byNetwork.set(endpoint.networkId, [endpoint]);
  };
  for (const task of store.byId('task').values()) {
    if (task.nodeId === '' || task.networks.length === 0) continue;
    // A stopped task leaves every node's tables at once (stale entries are a top Swarm complaint).
    if (!wantsRun(task.desiredState)) continue;
    if (isTerminal(task.status?.state ?? 'NEW')) continue;
    for (const attachment of task.networks) {
      for (const address of attachment.addresses) add({ networkId: attachment.networkId, address, nodeId: task.nodeId, taskId: task.id, serviceId: task.serviceId, running: task.status?.state === 'RUNNING' });
    }
  }
  for (const node of store.byId('node').values()) {
    for (const attachment of node.attachments) {
      for (const address of attachment.addresses) add({ networkId: attachment.networkId, address, nodeId: node.id, taskId: '', serviceId: '', running: true });
    }
  }
  return byNetwork;
}
