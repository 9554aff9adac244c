// Service keys Swarm cannot honour, as docker/cli's compose/types lists them,
// with the warning and error texts `docker stack deploy` prints.
import { isRecord } from './values.js';

/** Ignored with one warning line naming them all (docker/cli UnsupportedProperties). */
export const unsupportedProperties: readonly string[] = [
  'build', 'cgroupns_mode', 'cgroup_parent', 'devices', 'domainname', 'external_links', 'ipc', 'links',
  'mac_address', 'network_mode', 'pid', 'privileged', 'restart', 'security_opt', 'shm_size', 'userns_mode',
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

function used(files: readonly unknown[], names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const f of files) for (const svc of servicesOf(f)) for (const n of names) if (n in svc) found.add(n);
  return [...found].sort();
}

// docker/cli's propertyWarnings: "name: description" sorted, blank-line separated.
function propertyWarnings(names: readonly string[], descriptions: Readonly<Record<string, string>>): string {
  return names.map((n) => `${n}: ${descriptions[n] ?? ''}`).sort().join('\n\n');
}

/** The warnings `docker stack deploy` prints for these (unmerged) files, in its order. */
export function propertyWarningsFor(files: readonly unknown[]): string[] {
  const warnings: string[] = [];
  const unsupported = used(files, unsupportedProperties);
  if (unsupported.length > 0) warnings.push(`Ignoring unsupported options: ${unsupported.join(', ')}`);
  const deprecated = used(files, Object.keys(deprecatedProperties));
  if (deprecated.length > 0) warnings.push(`Ignoring deprecated options:\n\n${propertyWarnings(deprecated, deprecatedProperties)}`);
  return warnings;
}

/** Forbidden keys used by a service, by service name, for error reporting. */
export function forbiddenIn(service: Record<string, unknown>): string[] {
  return Object.keys(forbiddenProperties).filter((n) => n in service).sort();
}
