import type { ControlService, Node } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { ControlDeps } from './deps.js';
import { mustApply, resolveFailure } from './errors.js';
import { filterFrom } from './filters.js';

type NodeHandlers = Pick<Handlers<typeof ControlService>, 'getNode' | 'listNodes' | 'updateNode' | 'removeNode'>;

/** The node with its manager status filled in from Raft (not stored: it changes with every election). */
function withManagerStatus(deps: ControlDeps, node: Node): Node {
  const raft = deps.managerStatus(node.id);
  if (!raft) return { ...node, managerStatus: undefined };
  return { ...node, managerStatus: { raftId: raft.raftId, addr: raft.addr, leader: raft.leader, reachability: raft.reachable ? 'REACHABLE' : 'UNREACHABLE' } };
}

/** Control methods on nodes. */
export function nodeHandlers(deps: ControlDeps): NodeHandlers {
  const resolve = (ref: string): Node => {
    const found = deps.store.resolve('node', ref);
    if (!found.ok) throw resolveFailure(found.error);
    return found.value;
  };
  const nameOf = (n: Node): string => n.description?.hostname || n.id;
  return {
    getNode: async (req) => {
      await deps.readBarrier();
      return { node: withManagerStatus(deps, resolve(req.nodeId)) };
    },
    listNodes: async (req) => {
      await deps.readBarrier();
      return { nodes: deps.store.list('node', filterFrom(req.filter)).map((n) => withManagerStatus(deps, n)) };
    },
    updateNode: async (req) => {
      await deps.readBarrier();
      const node = resolve(req.nodeId);
      if (!req.spec) throw new RpcError('invalid-argument', 'a node spec is required');
      if ((req.nodeVersion?.index ?? 0) !== (node.meta?.version?.index ?? 0)) throw new RpcError('failed-precondition', `update out of sequence: node ${nameOf(node)} changed since it was read; read it again and retry`);
      if (req.spec.desiredRole === 'MANAGER' && node.spec?.desiredRole !== 'MANAGER' && node.status?.state === 'DOWN') {
        throw new RpcError('failed-precondition', `node ${nameOf(node)} is down and cannot be promoted: bring it back first`);
      }
      if (req.spec.desiredRole === 'WORKER' && node.spec?.desiredRole === 'MANAGER') {
        const managers = deps.store.list('node').filter((n) => n.spec?.desiredRole === 'MANAGER');
        if (managers.length <= 1) throw new RpcError('failed-precondition', `attempting to demote the last manager of the swarm: promote another node first (or "shoal swarm leave --force" to destroy the swarm)`);
      }
      mustApply(await deps.propose([{ kind: 'UPDATE', object: { node: { ...node, spec: req.spec } } }]));
      return { node: withManagerStatus(deps, deps.store.get('node', node.id) ?? node) };
    },
    removeNode: async (req) => {
      await deps.readBarrier();
      const node = resolve(req.nodeId);
      const isManager = node.spec?.desiredRole === 'MANAGER' || deps.managerStatus(node.id) !== undefined;
      if (isManager && !req.force) {
        throw new RpcError('failed-precondition', `node ${nameOf(node)} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
      }
      if (isManager) {
        const managers = deps.store.list('node').filter((n) => n.spec?.desiredRole === 'MANAGER');
        if (managers.length <= 1) throw new RpcError('failed-precondition', `node ${nameOf(node)} is the last manager of the swarm and cannot be removed`);
      }
      if (!req.force && node.status?.state !== 'DOWN') {
        throw new RpcError('failed-precondition', `node ${nameOf(node)} is not down and can't be removed: stop its daemon first, or use --force`);
      }
      if (isManager) await deps.removeManager(node.id);
      mustApply(await deps.propose([{ kind: 'REMOVE', object: { node } }]));
      return {};
    },
  };
}
