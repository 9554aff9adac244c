// What this node's overlay should hold, from what the managers sent (the
// agent's NodeResources), the node's own ingress address and the local
// task containers that run now. Pure: the shell (overlay-attacher.ts) finds
// the containers' pids and applies the result with src/overlay's NodeOverlay.
import { wantsRun } from '../common/task-state.js';
import type { Network, Service, Task } from '../gen/index.js';
import {
  desiredNetworkFromProto, hostLinkName, routingMeshFromServices, vipServicesForContainer, buildNameRecords,
  type ContainerVips, type DesiredEndpoint, type DesiredNetwork, type DesiredPeer, type NamedService, type NodeOverlayState, type ServicePorts,
} from '../overlay/index.js';
import type { NodeResources } from './node-resources.js';

/** Docker's stack label: a stack service also answers to its short name. */
export const stackNamespaceLabel = 'com.docker.stack.namespace';

/** A local task whose container runs now, in the process `pid`. */
export interface RunningTask {
  readonly task: Task;
  readonly pid: number;
  /** Reported RUNNING (healthy, when it has a healthcheck): only then do names, VIPs and the mesh send it traffic. */
  readonly ready: boolean;
}

/** Everything the plan is computed from. */
export interface OverlayPlanInput {
  /** This node's underlay address (its data path address). */
  readonly vtep: string;
  readonly dataPathPort: number;
  readonly resources: NodeResources;
  /** This node's address on the ingress network ("10.0.0.3/24", from Node.attachments); undefined until the allocator gave one. */
  readonly nodeIngressAddress: string | undefined;
  readonly running: readonly RunningTask[];
}

/** The state to apply, and what could not be planned (one line each, for the log and the task's error). */
export interface OverlayPlan {
  readonly state: NodeOverlayState;
  /** Network ID → why the node cannot join it now. */
  readonly unusable: ReadonlyMap<string, string>;
}

const hostPart = (cidr: string): string => cidr.split('/')[0] ?? '';

/** Whether a local task takes traffic: ready, and still wanted running (a task being stopped leaves names and VIPs at once). */
function serving({ task, ready }: RunningTask): boolean {
  return ready && wantsRun(task.desiredState);
}

/** Whether a service publishes a port through the routing mesh (so every node holds the ingress network). */
export function publishesThroughMesh(service: Service): boolean {
  return (service.endpoint?.ports ?? []).some((p) => p.publishMode === 'INGRESS' && p.publishedPort !== 0);
}

/**
 * The container interface name of a task's n-th network: eth0 is the engine's
 * own bridge, so overlays start at eth1. A container without that bridge
 * (internal networks only, internal-networks.ts) has no eth0 but keeps the
 * same names: the plan cannot see a container's network mode, and a name that
 * depended on it would clash with a container created the other way (one
 * re-adopted from before an upgrade, say).
 */
export function containerIfName(index: number): string {
  return `eth${index + 1}`;
}

/** Which networks the node takes part in, as the data plane wants them. */
function desiredNetworks(input: OverlayPlanInput, ingress: Network | undefined, unusable: Map<string, string>): Map<string, DesiredNetwork> {
  const wanted = new Set<string>();
  for (const { task } of input.running) for (const attachment of task.networks) wanted.add(attachment.networkId);
  const meshWanted = [...input.resources.services.values()].some(publishesThroughMesh);
  if (ingress !== undefined && meshWanted) wanted.add(ingress.id);
  const result = new Map<string, DesiredNetwork>();
  for (const id of [...wanted].sort()) {
    const network = input.resources.networks.get(id);
    if (network === undefined) {
      unusable.set(id, `network ${id} is not known on this node yet`);
      continue;
    }
    const isIngress = network.spec?.ingress === true;
    if (isIngress && input.nodeIngressAddress === undefined) {
      unusable.set(id, `this node has no address on the ingress network yet`);
      continue;
    }
    const desired = desiredNetworkFromProto(network, isIngress ? hostPart(input.nodeIngressAddress ?? '') : undefined);
    if (!desired.ok) {
      unusable.set(id, desired.error.message);
      continue;
    }
    result.set(id, desired.value);
  }
  return result;
}

/** Services as the embedded DNS and VIP tables see them: remote task addresses from peers, local ones from running tasks. */
export function namedServices(resources: NodeResources, running: readonly RunningTask[]): NamedService[] {
  const tasksByService = new Map<string, { networkId: string; ip: string }[]>();
  const add = (serviceId: string, networkId: string, ip: string): void => {
    const list = tasksByService.get(serviceId);
    if (list) list.push({ networkId, ip });
    else tasksByService.set(serviceId, [{ networkId, ip }]);
  };
  for (const peer of resources.peers.values()) if (peer.serviceId !== '' && peer.running) add(peer.serviceId, peer.networkId, peer.ip);
  for (const local of running) {
    const { task } = local;
    if (!serving(local) || task.serviceId === '') continue;
    for (const attachment of task.networks) {
      const address = attachment.addresses[0];
      if (address !== undefined) add(task.serviceId, attachment.networkId, hostPart(address));
    }
  }
  const services: NamedService[] = [];
  for (const service of resources.services.values()) {
    const name = service.spec?.annotations?.name ?? '';
    if (name === '') continue;
    services.push({
      name,
      stackNamespace: service.spec?.annotations?.labels[stackNamespaceLabel],
      endpointMode: service.endpoint?.spec?.mode === 'DNSRR' ? 'dnsrr' : 'vip',
      vips: (service.endpoint?.virtualIps ?? []).map((v) => ({ networkId: v.networkId, ip: hostPart(v.addr) })),
      tasks: tasksByService.get(service.id) ?? [],
    });
  }
  return services;
}

/** The routing mesh's view of every service publishing ports: backends are the tasks' ingress addresses. */
function servicePorts(resources: NodeResources, running: readonly RunningTask[], ingressId: string): ServicePorts[] {
  const result: ServicePorts[] = [];
  for (const service of resources.services.values()) {
    if (!publishesThroughMesh(service)) continue;
    const remote = [...resources.peers.values()].filter((p) => p.serviceId === service.id && p.networkId === ingressId && p.running).map((p) => p.ip);
    const local = running
      .filter((local) => local.task.serviceId === service.id && serving(local))
      .flatMap(({ task }) => task.networks.filter((a) => a.networkId === ingressId).map((a) => hostPart(a.addresses[0] ?? '')))
      .filter((ip) => ip !== '');
    // Host-mode ports are the engine's own port bindings (container-config.ts), not the mesh's.
    result.push({ ports: service.endpoint?.ports ?? [], ingressBackends: [...remote, ...local], localIngressBackends: local, localHostTargets: [] });
  }
  return result;
}

/** The node's whole overlay state. Pure. */
export function planNodeOverlay(input: OverlayPlanInput): OverlayPlan {
  const unusable = new Map<string, string>();
  const ingress = [...input.resources.networks.values()].find((n) => n.spec?.ingress === true);
  const networks = desiredNetworks(input, ingress, unusable);
  const services = namedServices(input.resources, input.running);
  const localEndpoints: DesiredEndpoint[] = [];
  const containers: ContainerVips[] = [];
  for (const { task, pid } of input.running) {
    const attached: string[] = [];
    let dns: ContainerVips['spec']['dns'];
    let dnsLink: string | undefined;
    task.networks.forEach((attachment, index) => {
      const network = networks.get(attachment.networkId);
      const ip = hostPart(attachment.addresses[0] ?? '');
      if (network === undefined || ip === '') return;
      const ifName = containerIfName(index);
      localEndpoints.push({ networkId: network.id, taskId: task.id, pid, ip, ifName });
      if (network.nodeAddress !== undefined) return; // ingress: no VIPs, no DNS (as Docker)
      attached.push(network.id);
      // The first overlay's gateway answers 127.0.0.11 (its node's embedded DNS).
      if (dns === undefined) {
        dns = { dnsAddress: network.gateway, sourceAddress: ip };
        dnsLink = ifName;
      }
    });
    if (attached.length === 0) continue;
    containers.push({ netnsPath: `/proc/${pid}/ns/net`, spec: { services: vipServicesForContainer(attached, services), dns }, dnsLink });
  }
  const peers: DesiredPeer[] = [...input.resources.peers.values()].filter((p) => networks.has(p.networkId) && p.vtep !== input.vtep);
  let mesh: NodeOverlayState['mesh'];
  const ingressNetwork = ingress === undefined ? undefined : networks.get(ingress.id);
  if (ingress !== undefined && ingressNetwork?.nodeAddress !== undefined) {
    const spec = routingMeshFromServices(servicePorts(input.resources, input.running, ingress.id), hostLinkName(ingressNetwork.vni), ingressNetwork.nodeAddress);
    if (spec.ok) mesh = spec.value;
    else unusable.set(ingress.id, spec.error.message);
  }
  return {
    state: {
      dataPlane: { vtep: input.vtep, dataPathPort: input.dataPathPort, networks: [...networks.values()], localEndpoints, peers },
      containers,
      mesh,
      names: buildNameRecords(services),
    },
    unusable,
  };
}
