import type { Cluster, ControlService } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { ControlDeps } from './deps.js';
import { mustApply } from './errors.js';

type ClusterHandlers = Pick<Handlers<typeof ControlService>, 'getCluster' | 'updateCluster'>;

/** The cluster object as it may leave the managers: no CA key, no data key. */
export function publicCluster(cluster: Cluster): Cluster {
  return { ...cluster, rootCa: cluster.rootCa ? { ...cluster.rootCa, caKeyPem: new Uint8Array() } : undefined, secretsDataKey: new Uint8Array() };
}

/** Control methods on the cluster object (swarm update, join-token rotation). */
export function clusterHandlers(deps: ControlDeps): ClusterHandlers {
  const current = (): Cluster => {
    const [cluster] = deps.store.list('cluster');
    if (!cluster) throw new RpcError('unavailable', 'this manager has not loaded the cluster yet; retry in a moment');
    return cluster;
  };
  return {
    getCluster: async () => {
      await deps.readBarrier();
      return { cluster: publicCluster(current()) };
    },
    updateCluster: async (req) => {
      await deps.readBarrier();
      const cluster = current();
      if ((req.clusterVersion?.index ?? 0) !== (cluster.meta?.version?.index ?? 0)) throw new RpcError('failed-precondition', 'update out of sequence: the swarm changed since it was read; retry');
      const spec = req.spec ?? cluster.spec;
      if (spec && spec.taskHistoryRetentionLimit < 0) throw new RpcError('invalid-argument', `invalid task history limit ${spec.taskHistoryRetentionLimit}: use 0 or more`);
      if (spec && spec.heartbeatPeriodMs !== 0 && spec.heartbeatPeriodMs < 100) throw new RpcError('invalid-argument', `dispatcher heartbeat period ${spec.heartbeatPeriodMs}ms is too short: use at least 100ms`);
      const tokens = cluster.rootCa?.joinTokens ?? { worker: '', manager: '' };
      const rootCa = cluster.rootCa && {
        ...cluster.rootCa,
        joinTokens: { worker: req.rotateWorkerToken ? deps.newJoinToken() : tokens.worker, manager: req.rotateManagerToken ? deps.newJoinToken() : tokens.manager },
      };
      mustApply(await deps.propose([{ kind: 'UPDATE', object: { cluster: { ...cluster, spec, rootCa } } }]));
      return { cluster: publicCluster(deps.store.get('cluster', cluster.id) ?? cluster) };
    },
  };
}
