// Service keys Swarm cannot honour, as docker/cli's compose/types lists them,
// with the warning and error texts `docker stack deploy` prints.
import { isRecord } from './values.js';

/** Ignored with one warning line naming them all (docker/cli UnsupportedProperties). */
export const unsupportedProperties: readonly string[] = [
  'build', 'cgroupns_mode', 'cgroup_parent', 'devices', 'domainname', 'external_links', 'ipc', 'links',
  'mac_address', 'network_mode', 'pid', 'privileged', 'restart', 'security_opt', 'shm_size', 'userns_mode',
];

/**
 * Keys the Compose Specification allows but shoal's specs cannot carry
 * (Docker's v3 schema refuses most of them outright); they join the same
 * "Ignoring unsupported options" line. Dotted entries are nested keys.
 */
export const alsoUnsupported: readonly string[] = [
  'blkio_config', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'credential_spec',
  'device_cgroup_rules', 'dns_opt', 'dns_search', 'group_add', 'isolation', 'mem_reservation', 'mem_swappiness',
  'oom_kill_disable', 'oom_score_adj', 'pids_limit', 'platform', 'profiles', 'pull_policy', 'runtime', 'scale',
  'stdin_open', 'storage_opt',
  'deploy.resources.limits.pids', 'deploy.resources.reservations.devices', 'healthcheck.start_interval',
];

/** Ignored with an explanation each (docker/cli DeprecatedProperties). */
export const deprecatedProperties: Readonly<Record<string, string>> = {
  container_name: 'Setting the container name is not supported.',
  expose: "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
};

/** Refused: the file does not deploy (docker/cli ForbiddenProperties). */
export const forbiddenProperties: Readonly<Record<string, string>> = {
  extends: 'Support for `extends` is not implemented yet.',
  volume_driver: 'Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.',
  volumes_from: 'To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.',
  cpu_quota: 'Set resource limits using deploy.resources',
  cpu_shares: 'Set resource limits using deploy.resources',
  cpuset: 'Set resource limits using deploy.resources',
  mem_limit: 'Set resource limits using deploy.resources',
  memswap_limit: 'Set resource limits using deploy.resources',
};

function servicesOf(file: unknown): Record<string, unknown>[] {
  if (!isRecord(file) || !isRecord(file.services)) return [];
  return Object.values(file.services).filter(isRecord);
}

function has(svc: Record<string, unknown>, dotted: string): boolean {
  let node: unknown = svc;
  for (const part of dotted.split('.')) {
    if (!isRecord(node) || !(part in node)) return false;
    node = node[part];
  }
  return true;
}

function used(files: readonly unknown[], names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const f of files) for (const svc of servicesOf(f)) for (const n of names) if (has(svc, n)) found.add(n);
  return [...found].sort();
}

// docker/cli's propertyWarnings: "name: description" sorted, blank-line separated.
function propertyWarnings(names: readonly string[], descriptions: Readonly<Record<string, string>>): string {
  return names.map((n) => `${n}: ${descriptions[n] ?? ''}`).sort().join('\n\n');
}

/** The warnings `docker stack deploy` prints for these (unmerged) files, in its order. */
export function propertyWarningsFor(files: readonly unknown[]): string[] {
  const warnings: string[] = [];
  const unsupported = used(files, [...unsupportedProperties, ...alsoUnsupported]);
  if (unsupported.length > 0) warnings.push(`Ignoring unsupported options: ${unsupported.join(', ')}`);
  const deprecated = used(files, Object.keys(deprecatedProperties));
  if (deprecated.length > 0) warnings.push(`Ignoring deprecated options:\n\n${propertyWarnings(deprecated, deprecatedProperties)}`);
  return warnings;
}

/** Forbidden keys used by a service, by service name, for error reporting. */
export function forbiddenIn(service: Record<string, unknown>): string[] {
  return Object.keys(forbiddenProperties).filter((n) => n in service).sort();
}
