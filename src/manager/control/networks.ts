import type { ControlService, Network } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { ControlDeps } from './deps.js';
import { mustApply, resolveFailure } from './errors.js';
import { filterFrom } from './filters.js';
import { networkSpecProblem } from './validate.js';

type NetworkHandlers = Pick<Handlers<typeof ControlService>, 'createNetwork' | 'getNetwork' | 'listNetworks' | 'removeNetwork'>;

/** Control methods on networks; address allocation and the data plane come with the overlay work. */
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
      await deps.readBarrier();
      const network: Network = { id: deps.newId(), spec: { ...req.spec, driver: { name: driver, options: req.spec.driver?.options ?? {} } }, ipam: req.spec.ipam };
      const result = await deps.propose([{ kind: 'CREATE', object: { network } }]);
      if (!result.ok && result.error.kind === 'name-taken') throw new RpcError('already-exists', `network with name ${req.spec.annotations?.name ?? ''} already exists`);
      mustApply(result);
      return { network: deps.store.get('network', network.id) ?? network };
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
      await deps.readBarrier();
      const network = resolve(req.networkId);
      if (network.spec?.ingress) throw new RpcError('failed-precondition', 'the ingress network cannot be removed: it carries the routing mesh');
      const users = deps.store.list('service').filter((s) => (s.spec?.task?.networks ?? []).some((n) => n.target === network.id || n.target === network.spec?.annotations?.name));
      if (users.length > 0) throw new RpcError('failed-precondition', `network ${network.spec?.annotations?.name ?? network.id} is in use by service${users.length > 1 ? 's' : ''} ${users.map((s) => s.spec?.annotations?.name ?? s.id).join(', ')}: remove ${users.length > 1 ? 'them' : 'it'} first`);
      mustApply(await deps.propose([{ kind: 'REMOVE', object: { network } }]));
      return {};
    },
  };
}
