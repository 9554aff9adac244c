import type { Config, Network, Node, Secret } from '../../gen/index.js';
import { goTimeJson } from './human.js';
import { lower, metaFields, omitEmpty, sortedMap } from './inspect-common.js';

/** One node as `docker node inspect` prints it. */
export function nodeInspectJson(node: Node): Record<string, unknown> {
  const d = node.description;
  const ms = node.managerStatus;
  return {
    ID: node.id,
    ...metaFields(node.meta),
    Spec: {
      ...omitEmpty({ Name: node.spec?.annotations?.name }),
      Labels: sortedMap(node.spec?.annotations?.labels),
      Role: lower(node.spec?.desiredRole ?? node.role),
      Availability: lower(node.spec?.availability ?? 'ACTIVE'),
    },
    Description: {
      ...omitEmpty({ Hostname: d?.hostname }),
      Platform: omitEmpty({ Architecture: d?.platform?.architecture, OS: d?.platform?.os }),
      Resources: omitEmpty({ NanoCPUs: d?.resources?.nanoCpus, MemoryBytes: d?.resources?.memoryBytes }),
      Engine: omitEmpty({ EngineVersion: d?.engineVersion, Labels: sortedMap(d?.engineLabels) }),
      TLSInfo: {},
    },
    Status: omitEmpty({ State: lower(node.status?.state ?? 'UNKNOWN'), Message: node.status?.message, Addr: node.status?.addr }),
    ...(ms === undefined ? {} : { ManagerStatus: omitEmpty({ Leader: ms.leader, Reachability: lower(ms.reachability), Addr: ms.addr }) }),
  };
}

/** The overlay VXLAN option key Docker shows under a swarm network's Options. */
export const VXLAN_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';

/** One network as `docker network inspect` prints a swarm network (the engine's network shape, not swarm's). */
export function networkInspectJson(network: Network): Record<string, unknown> {
  const spec = network.spec;
  const ipam = network.ipam.length > 0 ? network.ipam : (spec?.ipam ?? []);
  const labels = spec?.annotations?.labels ?? {};
  const options = { ...(spec?.driver?.options ?? {}), ...(network.driverState?.options ?? {}) };
  return {
    Name: spec?.annotations?.name ?? '',
    Id: network.id,
    Created: goTimeJson(network.meta?.createdAtMs ?? 0),
    Scope: 'swarm',
    Driver: network.driverState?.name || spec?.driver?.name || 'overlay',
    EnableIPv4: true,
    EnableIPv6: spec?.ipv6 ?? false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: ipam.map((c) => omitEmpty({ Subnet: c.subnet, IPRange: c.range, Gateway: c.gateway })),
    },
    Internal: spec?.internal ?? false,
    Attachable: spec?.attachable ?? false,
    Ingress: spec?.ingress ?? false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    // Seen from the cluster, not from an engine with local endpoints.
    Containers: null,
    Options: Object.keys(options).length === 0 ? null : sortedMap(options),
    Labels: Object.keys(labels).length === 0 ? null : sortedMap(labels),
  };
}

/** One secret as `docker secret inspect` prints it; the data is never shown. */
export function secretInspectJson(secret: Secret): Record<string, unknown> {
  const driver = secret.spec?.driver;
  return {
    ID: secret.id,
    ...metaFields(secret.meta),
    Spec: {
      ...omitEmpty({ Name: secret.spec?.annotations?.name }),
      Labels: sortedMap(secret.spec?.annotations?.labels),
      ...(driver === undefined || driver.name === '' ? {} : { Driver: omitEmpty({ Name: driver.name, Options: sortedMap(driver.options) }) }),
    },
  };
}

/** One config as `docker config inspect` prints it, data in base64 as Go marshals bytes. */
export function configInspectJson(config: Config): Record<string, unknown> {
  const data = config.spec?.data ?? new Uint8Array();
  return {
    ID: config.id,
    ...metaFields(config.meta),
    Spec: {
      ...omitEmpty({ Name: config.spec?.annotations?.name }),
      Labels: sortedMap(config.spec?.annotations?.labels),
      ...omitEmpty({ Data: Buffer.from(data).toString('base64') }),
    },
  };
}

