// The part of the Control API stack commands use, so tests and callers can
// hand in any client that has it.
import type { ControlService, ListFilter } from '../../gen/index.js';
import type { RpcClient } from '../../rpc/index.js';
import type { ClusterView } from './deploy-plan.js';

/** Control methods the stack commands call. */
export type StackControl = Pick<
  RpcClient<typeof ControlService>,
  | 'listServices'
  | 'createService'
  | 'updateService'
  | 'removeService'
  | 'listTasks'
  | 'listNetworks'
  | 'createNetwork'
  | 'removeNetwork'
  | 'listSecrets'
  | 'createSecret'
  | 'updateSecret'
  | 'removeSecret'
  | 'listConfigs'
  | 'createConfig'
  | 'updateConfig'
  | 'removeConfig'
>;

/** A list filter with only the given fields set. */
export function listFilter(over: Partial<ListFilter> = {}): ListFilter {
  return { ids: [], names: [], labels: {}, serviceIds: [], nodeIds: [], namespace: '', desiredStates: [], ...over };
}

/** Every service, network, secret and config; `namespace` narrows to one stack's. */
export async function readCluster(control: StackControl, namespace = ''): Promise<ClusterView> {
  const filter = listFilter({ namespace });
  const [{ services }, { networks }, { secrets }, { configs }] = await Promise.all([
    control.listServices({ filter }),
    control.listNetworks({ filter }),
    control.listSecrets({ filter }),
    control.listConfigs({ filter }),
  ]);
  return { services, networks, secrets, configs };
}
