import type { ControlService, ListServicesResponse, Service, ServiceSpec, ServiceStatusCounts } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { ControlDeps } from './deps.js';
import { mustApply, resolveFailure } from './errors.js';
import { serviceSpecProblem } from './validate.js';
import { resolveDataReferences } from './data-refs.js';
import { filterFrom } from './filters.js';
import { planServiceRebalance, updatedService } from './service-update.js';

type ServiceHandlers = Pick<Handlers<typeof ControlService>, 'createService' | 'getService' | 'updateService' | 'removeService' | 'listServices'>;

/** Published ingress ports must be unique across services (the routing mesh owns them cluster-wide). */
function portConflict(deps: ControlDeps, spec: ServiceSpec, selfId: string): string | undefined {
  const wanted = new Set((spec.endpoint?.ports ?? []).filter((p) => p.publishedPort > 0 && p.publishMode === 'INGRESS').map((p) => `${p.publishedPort}/${p.protocol}`));
  if (wanted.size === 0) return undefined;
  for (const other of deps.store.list('service')) {
    if (other.id === selfId) continue;
    for (const p of other.spec?.endpoint?.ports ?? []) {
      if (p.publishMode === 'INGRESS' && wanted.has(`${p.publishedPort}/${p.protocol}`)) {
        return `port ${p.publishedPort} is already published by service ${other.spec?.annotations?.name ?? other.id}`;
      }
    }
  }
  return undefined;
}

/** The service's endpoint as the spec asks for it (VIPs come with the overlay work). */
function endpointOf(spec: ServiceSpec): NonNullable<Service['endpoint']> {
  return { spec: spec.endpoint, ports: spec.endpoint?.ports ?? [], virtualIps: [] };
}

/** Control methods on services. */
export function serviceHandlers(deps: ControlDeps): ServiceHandlers {
  const resolve = (ref: string): Service => {
    const found = deps.store.resolve('service', ref);
    if (!found.ok) throw resolveFailure(found.error);
    return found.value;
  };
  const check = (spec: ServiceSpec, selfId: string): void => {
    const problem = serviceSpecProblem(spec, deps.validatePlacement) ?? portConflict(deps, spec, selfId);
    if (problem) throw new RpcError('invalid-argument', problem);
  };
  /** Secret and config names to IDs; unknown ones refuse the whole request. */
  const withDataIds = (spec: ServiceSpec): ServiceSpec => {
    const resolved = resolveDataReferences(deps.store, spec);
    if ('problem' in resolved) throw new RpcError('invalid-argument', resolved.problem);
    return resolved.spec;
  };
  return {
    createService: async (req) => {
      if (!req.spec) throw new RpcError('invalid-argument', 'a service spec is required');
      let spec: ServiceSpec = structuredClone(req.spec);
      spec.annotations = { name: spec.annotations?.name || deps.randomName(), labels: spec.annotations?.labels ?? {} };
      await deps.readBarrier();
      check(spec, '');
      spec = withDataIds(spec);
      const service: Service = { id: deps.newId(), spec, endpoint: endpointOf(spec), forceUpdate: 0 };
      const result = await deps.propose([{ kind: 'CREATE', object: { service } }]);
      if (!result.ok && result.error.kind === 'name-taken') throw new RpcError('already-exists', `service ${spec.annotations?.name ?? ""} already exists: choose another --name, or change the existing one with "shoal service update"`);
      mustApply(result);
      return { service: deps.store.get('service', service.id) ?? service, warnings: [] };
    },
    getService: async (req) => {
      await deps.readBarrier();
      return { service: resolve(req.serviceId) };
    },
    updateService: async (req) => {
      await deps.readBarrier();
      const current = resolve(req.serviceId);
      const readVersion = req.serviceVersion?.index ?? 0;
      if (readVersion !== (current.meta?.version?.index ?? 0)) throw new RpcError('failed-precondition', `update out of sequence: service ${current.spec?.annotations?.name ?? current.id} changed since it was read (version ${readVersion}, now ${current.meta?.version?.index ?? 0}); read it again and retry`);
      const rollback = req.rollback === 'PREVIOUS';
      if (rollback && req.rebalance) throw new RpcError('invalid-argument', '--rebalance may not be combined with --rollback');
      if (!rollback && !req.spec) throw new RpcError('invalid-argument', 'a service spec is required');
      const spec = rollback ? current.previousSpec : req.spec;
      if (spec !== undefined) {
        if ((spec.annotations?.name ?? '') !== (current.spec?.annotations?.name ?? '')) throw new RpcError('invalid-argument', 'renaming services is not supported: create a new service instead');
        if ((spec.mode?.kind ?? 'REPLICATED') !== (current.spec?.mode?.kind ?? 'REPLICATED')) throw new RpcError('invalid-argument', 'service mode change is not allowed: remove the service and create it again');
        check(spec, current.id);
      }
      const warnings: string[] = [];
      let rebalanceTaskIds: string[] = [];
      if (req.rebalance) {
        if ((spec?.mode?.kind ?? 'REPLICATED') !== 'REPLICATED') throw new RpcError('invalid-argument', '--rebalance applies to replicated services only: a global service already runs one task per node');
        const plan = planServiceRebalance(deps.store, current, deps.nowMs());
        rebalanceTaskIds = plan.taskIds;
        if (plan.taskIds.length === 0) warnings.push(`service ${current.spec?.annotations?.name ?? current.id} is already balanced: no task needs to move`);
      }
      const resolved = spec !== undefined && !rollback ? withDataIds(spec) : spec;
      const next = updatedService(current, { spec: resolved, rollback, force: req.force, rebalanceTaskIds, nowMs: deps.nowMs() });
      mustApply(await deps.propose([{ kind: 'UPDATE', object: { service: next } }]));
      return { service: deps.store.get('service', current.id) ?? next, warnings };
    },
    removeService: async (req) => {
      await deps.readBarrier();
      const service = resolve(req.serviceId);
      mustApply(await deps.propose([{ kind: 'REMOVE', object: { service } }]));
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
