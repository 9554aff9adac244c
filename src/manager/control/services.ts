import type { ControlService, ListServicesResponse, PortConfig, Service, ServiceSpec, ServiceStatusCounts } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import { ingressPortsInUse, planEndpoint, publishesIngress, resolvePorts, vipNetworkIds, vipOwner, type AddressBook, type EndpointPlan } from '../allocator/index.js';
import type { ControlDeps } from './deps.js';
import { allocationOf } from './networks.js';
import { mustApply, resolveFailure } from './errors.js';
import { serviceSpecProblem } from './validate.js';
import { filterFrom } from './filters.js';

type ServiceHandlers = Pick<Handlers<typeof ControlService>, 'createService' | 'getService' | 'updateService' | 'removeService' | 'listServices'>;

/**
 * Resolves the spec's network references (name, ID or ID prefix) to IDs, as
 * Docker stores them, refusing unknown networks, the ingress network and
 * the same network twice.
 */
function resolveNetworks(deps: ControlDeps, spec: ServiceSpec): void {
  const networks = spec.task?.networks ?? [];
  const seen = new Set<string>();
  for (const config of networks) {
    const found = deps.store.resolve('network', config.target);
    if (!found.ok) throw new RpcError('not-found', found.error.kind === 'ambiguous' ? found.error.message : `network ${config.target} not found`);
    const network = found.value;
    if (network.spec?.ingress) throw new RpcError('invalid-argument', `service cannot be explicitly attached to the ingress network "${network.spec.annotations?.name ?? network.id}": publish a port instead`);
    if (seen.has(network.id)) throw new RpcError('invalid-argument', `network ${config.target} is given twice: attach each network once`);
    seen.add(network.id);
    config.target = network.id;
  }
}

/**
 * The endpoint the service will have: published ports resolved and VIPs
 * allocated in the leader's address book. Throws (nothing kept) on a port
 * conflict, a missing ingress network or a full subnet.
 */
function planServiceEndpoint(deps: ControlDeps, book: AddressBook, serviceId: string, spec: ServiceSpec, previousPorts: readonly PortConfig[]): EndpointPlan {
  const specPorts = spec.endpoint?.ports ?? [];
  if ((spec.endpoint?.mode ?? 'VIP') === 'DNSRR' && publishesIngress({ ports: specPorts })) {
    throw new RpcError('invalid-argument', 'port published with ingress mode can\'t be used with dnsrr mode: publish with mode=host, or use --endpoint-mode vip');
  }
  const ports = resolvePorts(specPorts, previousPorts, ingressPortsInUse(deps.store.list('service'), serviceId));
  if (!ports.ok) throw new RpcError('invalid-argument', ports.error);
  const ingress = deps.store.list('network').find((n) => n.spec?.ingress);
  if (publishesIngress({ ports: ports.value }) && !ingress) throw new RpcError('failed-precondition', 'the swarm has no ingress network to publish ports on: create one with "shoal network create --ingress -d overlay ingress", or publish with mode=host');
  const plan = planEndpoint(book, serviceId, spec, ports.value, vipNetworkIds(spec, ports.value, ingress?.id));
  if (!plan.ok) throw new RpcError('failed-precondition', plan.error);
  return plan.value;
}

/** Proposes one service write with its planned endpoint, giving back new VIPs if it fails and dropped ones once it commits. */
async function proposeWithEndpoint(deps: ControlDeps, book: AddressBook, serviceId: string, plan: EndpointPlan, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    for (const id of plan.added) book.release(vipOwner(serviceId), id);
    throw error;
  }
  for (const id of plan.dropped) book.release(vipOwner(serviceId), id);
}

/** Control methods on services. */
export function serviceHandlers(deps: ControlDeps): ServiceHandlers {
  const resolve = (ref: string): Service => {
    const found = deps.store.resolve('service', ref);
    if (!found.ok) throw resolveFailure(found.error);
    return found.value;
  };
  const check = (spec: ServiceSpec): void => {
    const problem = serviceSpecProblem(spec, deps.validatePlacement);
    if (problem) throw new RpcError('invalid-argument', problem);
  };
  return {
    createService: async (req) => {
      if (!req.spec) throw new RpcError('invalid-argument', 'a service spec is required');
      const spec: ServiceSpec = structuredClone(req.spec);
      spec.annotations = { name: spec.annotations?.name || deps.randomName(), labels: spec.annotations?.labels ?? {} };
      check(spec);
      const allocation = allocationOf(deps);
      return allocation.exclusive(async () => {
        await deps.readBarrier();
        resolveNetworks(deps, spec);
        const id = deps.newId();
        const plan = planServiceEndpoint(deps, allocation.book, id, spec, []);
        const service: Service = { id, spec, endpoint: plan.endpoint, forceUpdate: 0 };
        await proposeWithEndpoint(deps, allocation.book, id, plan, async () => {
          const result = await deps.propose([{ kind: 'CREATE', object: { service } }]);
          if (!result.ok && result.error.kind === 'name-taken') throw new RpcError('already-exists', `service ${spec.annotations?.name ?? ''} already exists: choose another --name, or change the existing one with "shoal service update"`);
          mustApply(result);
        });
        return { service: deps.store.get('service', service.id) ?? service, warnings: [] };
      });
    },
    getService: async (req) => {
      await deps.readBarrier();
      return { service: resolve(req.serviceId) };
    },
    updateService: async (req) => {
      const allocation = allocationOf(deps);
      return allocation.exclusive(async () => {
        await deps.readBarrier();
        const current = resolve(req.serviceId);
        const readVersion = req.serviceVersion?.index ?? 0;
        if (readVersion !== (current.meta?.version?.index ?? 0)) throw new RpcError('failed-precondition', `update out of sequence: service ${current.spec?.annotations?.name ?? current.id} changed since it was read (version ${readVersion}, now ${current.meta?.version?.index ?? 0}); read it again and retry`);
        let spec: ServiceSpec;
        let previousSpec = current.spec;
        if (req.rollback === 'PREVIOUS') {
          if (!current.previousSpec) throw new RpcError('failed-precondition', `service ${current.spec?.annotations?.name ?? current.id} does not have a previous spec to roll back to`);
          spec = structuredClone(current.previousSpec);
          previousSpec = undefined;
        } else {
          if (!req.spec) throw new RpcError('invalid-argument', 'a service spec is required');
          spec = structuredClone(req.spec);
        }
        if ((spec.annotations?.name ?? '') !== (current.spec?.annotations?.name ?? '')) throw new RpcError('invalid-argument', 'renaming services is not supported: create a new service instead');
        if ((spec.mode?.kind ?? 'REPLICATED') !== (current.spec?.mode?.kind ?? 'REPLICATED')) throw new RpcError('invalid-argument', 'service mode change is not allowed: remove the service and create it again');
        check(spec);
        resolveNetworks(deps, spec);
        const forceUpdate = current.forceUpdate + (req.force ? 1 : 0);
        if (spec.task && req.force) spec.task = { ...spec.task, forceUpdate: (current.spec?.task?.forceUpdate ?? 0) + 1 };
        const plan = planServiceEndpoint(deps, allocation.book, current.id, spec, current.endpoint?.ports ?? []);
        const next: Service = { ...current, spec, previousSpec, endpoint: plan.endpoint, forceUpdate };
        await proposeWithEndpoint(deps, allocation.book, current.id, plan, async () => mustApply(await deps.propose([{ kind: 'UPDATE', object: { service: next } }])));
        return { service: deps.store.get('service', current.id) ?? next, warnings: [] };
      });
    },
    removeService: async (req) => {
      await deps.readBarrier();
      const service = resolve(req.serviceId);
      mustApply(await deps.propose([{ kind: 'REMOVE', object: { service } }]));
      deps.allocation()?.book.release(vipOwner(service.id));
      return {};
    },
    listServices: async (req): Promise<ListServicesResponse> => {
      await deps.readBarrier();
      const services = deps.store.list('service', filterFrom(req.filter));
      const statuses: Record<string, ServiceStatusCounts> = {};
      for (const s of services) {
        const counts = deps.store.taskCounts(s.id);
        statuses[s.id] = { runningTasks: counts.running, completedTasks: counts.completed, desiredTasks: desiredTasks(deps, s) };
      }
      return { services, statuses };
    },
  };
}

/** How many tasks the service wants running now (the denominator of REPLICAS). */
function desiredTasks(deps: ControlDeps, service: Service): number {
  const mode = service.spec?.mode;
  switch (mode?.kind ?? 'REPLICATED') {
    case 'REPLICATED':
      return mode?.replicas ?? 1;
    case 'REPLICATED_JOB':
      return Math.min(mode?.maxConcurrent || mode?.totalCompletions || 1, mode?.totalCompletions || 1);
    case 'GLOBAL':
    case 'GLOBAL_JOB':
      return deps.store.tasksOfService(service.id).filter((t) => t.desiredState === 'RUNNING' || t.desiredState === 'COMPLETE').length;
  }
}
