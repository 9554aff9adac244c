import type { Network, Task } from '../../gen/index.js';
import { goTimeJson } from './human.js';
import { lower, metaFields, omitEmpty, sortedMap } from './inspect-common.js';
import { portJson } from './inspect-service.js';

/** A network as Docker's swarm API shows it inside a task (`NetworksAttachments[].Network`). */
export function swarmNetworkJson(network: Network): Record<string, unknown> {
  const spec = network.spec;
  const ipamConfigs = (ipam: readonly { subnet: string; gateway: string; range: string }[]): Record<string, unknown> => ({
    Driver: { Name: 'default' },
    ...omitEmpty({ Configs: ipam.map((c) => omitEmpty({ Subnet: c.subnet, Range: c.range, Gateway: c.gateway })) }),
  });
  return {
    ID: network.id,
    ...metaFields(network.meta),
    Spec: {
      Name: spec?.annotations?.name ?? '',
      Labels: sortedMap(spec?.annotations?.labels),
      DriverConfiguration: omitEmpty({ Name: spec?.driver?.name || 'overlay', Options: sortedMap(spec?.driver?.options) }),
      ...omitEmpty({ Internal: spec?.internal, Attachable: spec?.attachable, Ingress: spec?.ingress }),
      IPAMOptions: ipamConfigs(spec?.ipam ?? []),
      Scope: 'swarm',
    },
    DriverState: { Name: network.driverState?.name || 'overlay', Options: sortedMap(network.driverState?.options) },
    IPAMOptions: ipamConfigs(network.ipam),
  };
}

/**
 * One task as `docker inspect TASK` prints it, with its network attachments
 * (`NetworksAttachments[].Addresses`: the addresses the allocator gave it).
 */
export function taskInspectJson(task: Task, networks: ReadonlyMap<string, Network>): Record<string, unknown> {
  const status = task.status;
  return {
    ID: task.id,
    ...metaFields(task.meta),
    Labels: {},
    ServiceID: task.serviceId,
    ...omitEmpty({ Slot: task.slot, NodeID: task.nodeId }),
    Status: {
      Timestamp: goTimeJson(status?.timestampMs ?? 0),
      State: lower(status?.state ?? 'NEW'),
      ...omitEmpty({ Message: status?.message, Err: status?.err }),
      ContainerStatus: omitEmpty({ ContainerID: status?.containerId, PID: status?.pid, ExitCode: status?.exitCode }),
      PortStatus: omitEmpty({ Ports: (task.endpoint?.ports ?? []).filter((p) => p.publishMode === 'HOST').map(portJson) }),
    },
    DesiredState: lower(task.desiredState),
    ...omitEmpty({
      NetworksAttachments: task.networks.map((a) => {
        const network = networks.get(a.networkId);
        return { Network: network ? swarmNetworkJson(network) : { ID: a.networkId }, Addresses: a.addresses, ...omitEmpty({ Aliases: a.aliases }) };
      }),
    }),
  };
}
