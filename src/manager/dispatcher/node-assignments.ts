// What one node must know to run its tasks (DESIGN.md step 7): its tasks, and
// exactly the secrets, configs, networks, overlay peers and service endpoints
// those tasks use. Pure: the store is read through NodeAssignmentSource.
import type { Assignment, Config, Network, Node, OverlayPeer, Secret, Service, Task } from '../../gen/index.js';
import { isTerminal, wantsRun } from '../../common/task-state.js';
import { macFromIp, parseIpv4 } from '../../overlay/index.js';

/** One assignment with a key that names it and a fingerprint that changes when it does. */
export interface NodeAssignmentItem {
  key: string;
  fingerprint: string;
  assignment: Assignment;
}

/** An address on an overlay network, of a task or of a node's routing-mesh endpoint. */
export interface NetworkEndpoint {
  networkId: string;
  /** CIDR, as in NetworkAttachment.addresses. */
  address: string;
  nodeId: string;
  taskId: string;
  serviceId: string;
  /** Whether it takes traffic: the task reports RUNNING (a node's own mesh address always does). */
  running: boolean;
}

/** The reads the computation needs; the leader's store view implements it with indexes. */
export interface NodeAssignmentSource {
  tasksOnNode(nodeId: string): Task[];
  node(nodeId: string): Node | undefined;
  secret(id: string): Secret | undefined;
  config(id: string): Config | undefined;
  network(id: string): Network | undefined;
  service(id: string): Service | undefined;
  /** Networks every node joins (the routing mesh's ingress). */
  ingressNetworks(): Network[];
  /** Services that publish ports through the routing mesh (every node serves them). */
  meshServices(): Service[];
  /** Live endpoints on a network: tasks that should be running there, and nodes' mesh addresses. */
  endpointsOn(networkId: string): NetworkEndpoint[];
  /** The node's underlay address for VXLAN (data path address, else its session address). */
  vtepOf(nodeId: string): string;
}

/** Whether the task still needs its resources on its node: its container may run now or start later. */
export function taskHoldsResources(task: Task): boolean {
  return !isTerminal(task.status?.state ?? 'NEW') || wantsRun(task.desiredState);
}

const version = (o: { meta?: { version?: { index?: number } | undefined } | undefined } | undefined): string => String(o?.meta?.version?.index ?? 0);

/** The node's full assignment set. Peers exclude the node's own endpoints. */
export function nodeAssignments(nodeId: string, source: NodeAssignmentSource): NodeAssignmentItem[] {
  const items: NodeAssignmentItem[] = [];
  const secretIds = new Set<string>();
  const configIds = new Set<string>();
  const networkIds = new Set<string>();
  const serviceIds = new Set<string>();
  for (const task of source.tasksOnNode(nodeId)) {
    items.push({ key: `task:${task.id}`, fingerprint: version(task), assignment: { task } });
    if (!taskHoldsResources(task)) continue;
    for (const ref of task.spec?.container?.secrets ?? []) secretIds.add(ref.secretId);
    for (const ref of task.spec?.container?.configs ?? []) configIds.add(ref.configId);
    for (const attachment of task.networks) networkIds.add(attachment.networkId);
    if (task.serviceId) serviceIds.add(task.serviceId);
  }
  for (const network of source.ingressNetworks()) networkIds.add(network.id);
  for (const service of source.meshServices()) serviceIds.add(service.id);

  for (const id of secretIds) {
    const secret = source.secret(id);
    if (secret) items.push({ key: `secret:${id}`, fingerprint: version(secret), assignment: { secret } });
  }
  for (const id of configIds) {
    const config = source.config(id);
    if (config) items.push({ key: `config:${id}`, fingerprint: version(config), assignment: { config } });
  }
  for (const id of networkIds) {
    const network = source.network(id);
    if (!network) continue;
    items.push({ key: `network:${id}`, fingerprint: version(network), assignment: { network } });
    for (const endpoint of source.endpointsOn(id)) {
      if (endpoint.serviceId) serviceIds.add(endpoint.serviceId);
      if (endpoint.nodeId === nodeId) continue;
      const peer = peerOf(endpoint, source.vtepOf(endpoint.nodeId));
      if (!peer) continue;
      items.push({ key: `peer:${id}:${peer.ip}`, fingerprint: `${peer.vtep}|${peer.mac}|${peer.taskId}|${peer.nodeId}|${peer.running}`, assignment: { peer } });
    }
  }
  for (const id of serviceIds) {
    const service = source.service(id);
    if (service) items.push({ key: `service:${id}`, fingerprint: version(service), assignment: { service } });
  }
  return items;
}

/** A remote endpoint as the node's data plane programs it; undefined when its node has no underlay address yet. */
function peerOf(endpoint: NetworkEndpoint, vtep: string): OverlayPeer | undefined {
  const ip = endpoint.address.split('/')[0] ?? '';
  if (parseIpv4(ip) === undefined || vtep === '') return undefined;
  return { networkId: endpoint.networkId, ip, mac: macFromIp(ip), vtep, taskId: endpoint.taskId, serviceId: endpoint.serviceId, nodeId: endpoint.nodeId, running: endpoint.running };
}

/** What a REMOVE change carries for an item key: just enough to name it. */
export function removalFor(key: string): Assignment {
  const [kind = '', id = '', ip = ''] = key.split(':');
  switch (kind) {
    case 'task':
      return { task: { id } as Task };
    case 'secret':
      return { secret: { id } as Secret };
    case 'config':
      return { config: { id } as Config };
    case 'network':
      return { network: { id } as Network };
    case 'service':
      return { service: { id } as Service };
    default:
      return { peer: { networkId: id, ip } as OverlayPeer };
  }
}
