import { wantsStop } from '../../common/task-state.js';
import type { ControlService, Network, Service, Task } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import { addressPoolsOf, allocateNetwork, holdsAddresses, publishesIngress } from '../allocator/index.js';
import type { AllocationPort, ControlDeps } from './deps.js';
import { mustApply, resolveFailure } from './errors.js';
import { filterFrom } from './filters.js';
import { networkSpecProblem } from './validate.js';

type NetworkHandlers = Pick<Handlers<typeof ControlService>, 'createNetwork' | 'getNetwork' | 'listNetworks' | 'removeNetwork'>;

/** The leader's allocator, or the retryable answer while leadership is still starting. */
export function allocationOf(deps: ControlDeps): AllocationPort {
  const allocation = deps.allocation();
  if (!allocation) throw new RpcError('unavailable', 'this manager became the leader a moment ago and is still starting; retry');
  return allocation;
}

/** A task its service still wants (not being stopped or removed). */
function wantsRunning(task: Task): boolean {
  return !wantsStop(task.desiredState);
}

function nameOf(object: Network | Service): string {
  return object.spec?.annotations?.name || object.id;
}

/** Services whose tasks attach to the network (by ID, or by name in specs stored before names were resolved). */
function servicesUsing(deps: ControlDeps, network: Network): Service[] {
  const name = network.spec?.annotations?.name;
  if (network.spec?.ingress) return deps.store.list('service').filter((s) => publishesIngress(s.endpoint?.ports.length ? s.endpoint : s.spec?.endpoint));
  return deps.store.list('service').filter((s) => (s.spec?.task?.networks ?? []).some((n) => n.target === network.id || n.target === name));
}

/**
 * Control methods on networks. Create validates and allocates (subnet,
 * gateway, VXLAN ID) before proposing, so `network inspect` right after
 * shows them and a refused network leaves nothing behind.
 */
export function networkHandlers(deps: ControlDeps): NetworkHandlers {
  const resolve = (ref: string): Network => {
    const found = deps.store.resolve('network', ref);
    if (!found.ok) throw resolveFailure(found.error);
    return found.value;
  };
  return {
    createNetwork: async (req) => {
      if (!req.spec) throw new RpcError('invalid-argument', 'a network spec is required');
      const problem = networkSpecProblem(req.spec);
      if (problem) throw new RpcError('invalid-argument', problem);
      const driver = req.spec.driver?.name || 'overlay';
      if (driver !== 'overlay') throw new RpcError('invalid-argument', `network driver "${driver}" is not supported in a swarm: use -d overlay`);
      const allocation = allocationOf(deps);
      const name = req.spec.annotations?.name ?? '';
      return allocation.exclusive(async () => {
        await deps.readBarrier();
        const existing = deps.store.list('network');
        if (existing.some((n) => n.spec?.annotations?.name === name)) throw new RpcError('already-exists', `network with name ${name} already exists`);
        const ingress = existing.find((n) => n.spec?.ingress);
        if (req.spec?.ingress && ingress) throw new RpcError('already-exists', `an ingress network already exists (${nameOf(ingress)}): remove it before creating another`);
        const spec = { ...req.spec!, driver: { name: driver, options: req.spec?.driver?.options ?? {} } };
        const [cluster] = deps.store.list('cluster');
        const allocated = allocateNetwork(spec, existing, addressPoolsOf(cluster?.spec));
        if (!allocated.ok) throw new RpcError(allocated.error.kind === 'exhausted' ? 'failed-precondition' : 'invalid-argument', allocated.error.message);
        const network: Network = { id: deps.newId(), spec, ipam: [allocated.value.ipam], driverState: allocated.value.driverState };
        const result = await deps.propose([{ kind: 'CREATE', object: { network } }]);
        if (!result.ok && result.error.kind === 'name-taken') throw new RpcError('already-exists', `network with name ${name} already exists`);
        mustApply(result);
        const stored = deps.store.get('network', network.id) ?? network;
        allocation.book.ensureNetwork(stored);
        return { network: stored };
      });
    },
    getNetwork: async (req) => {
      await deps.readBarrier();
      return { network: resolve(req.networkId) };
    },
    listNetworks: async (req) => {
      await deps.readBarrier();
      return { networks: deps.store.list('network', filterFrom(req.filter)) };
    },
    removeNetwork: async (req) => {
      const allocation = allocationOf(deps);
      return allocation.exclusive(async () => {
        await deps.readBarrier();
        const network = resolve(req.networkId);
        const name = nameOf(network);
        const users = servicesUsing(deps, network);
        if (users.length > 0) {
          const names = users.map(nameOf).sort().join(', ');
          if (network.spec?.ingress) throw new RpcError('failed-precondition', `network ${name} is in use by service(s) ${names} publishing ports through the routing mesh: remove them or their published ports first`);
          throw new RpcError('failed-precondition', `network ${name} is in use by service(s) ${names}: remove or update them first`);
        }
        // Tasks a service still wants there (a rolling update moving it off the
        // network). Tasks of removed services, or merely stopping, do not block
        // (`service rm` then `network rm`, as `stack rm` does: a Swarm complaint).
        const holders = new Set(deps.store.listTasks().filter((t) => holdsAddresses(t) && wantsRunning(t) && t.networks.some((a) => a.networkId === network.id)).map((t) => t.serviceId));
        const updating = [...holders].flatMap((id) => deps.store.get('service', id) ?? []);
        if (updating.length > 0) throw new RpcError('failed-precondition', `network ${name} is still used by tasks of service(s) ${updating.map(nameOf).sort().join(', ')} being updated: retry once the update is done`);
        mustApply(await deps.propose([{ kind: 'REMOVE', object: { network } }]));
        allocation.book.dropNetwork(network.id);
        return {};
      });
    },
  };
}
