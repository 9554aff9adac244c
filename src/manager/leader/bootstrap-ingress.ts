import type { StoreAction } from '../../gen/index.js';
import { RpcError } from '../../rpc/index.js';
import { addressPoolsOf, addressPoolsProblem, ingressNetwork } from '../allocator/index.js';

/**
 * The first batch of a new cluster plus its ingress network (Docker creates
 * `ingress` at `swarm init`), carved from the cluster's address pools. Bad
 * pools are refused here, before anything is written.
 */
export function withIngressNetwork(objects: StoreAction[], newId: () => string): StoreAction[] {
  const cluster = objects.find((a) => a.object?.cluster !== undefined)?.object?.cluster;
  if (cluster === undefined || objects.some((a) => a.object?.network !== undefined)) return objects;
  const problem = addressPoolsProblem(cluster.spec?.defaultAddrPool ?? [], cluster.spec?.subnetSize ?? 0);
  if (problem) throw new RpcError('invalid-argument', problem);
  const ingress = ingressNetwork(newId(), [], addressPoolsOf(cluster.spec));
  if (!ingress.ok) throw new RpcError('invalid-argument', `cannot create the ingress network: ${ingress.error.message}`);
  return [...objects, { kind: 'CREATE', object: { network: ingress.value } }];
}
