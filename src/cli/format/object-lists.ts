import type { Config, Network, Secret } from '../../gen/index.js';
import { goTimeString, humanAgo, naturalCompare, truncateId } from './human.js';
import { renderRows } from './list-template.js';
import type { ListFormat } from './table.js';

/** Column names for custom `table` templates, as Docker names them. */
const NETWORK_HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };

/** Column names for custom `table` templates, as Docker names them. */
const SECRET_HEADERS = { ID: 'ID', Name: 'NAME', Driver: 'DRIVER', CreatedAt: 'CREATED', UpdatedAt: 'UPDATED', Labels: 'LABELS' };

/** Column names for custom `table` templates, as Docker names them. */
const CONFIG_HEADERS = { ID: 'ID', Name: 'NAME', CreatedAt: 'CREATED', UpdatedAt: 'UPDATED', Labels: 'LABELS' };

/** Column names for custom `table` templates, as Docker names them. */
const STACK_HEADERS = { Name: 'NAME', Services: 'SERVICES' };

/** Labels as Docker's list formatters join them: "k=v,k2=v2" (sorted here; Go's map order is random). */
export function joinLabels(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels?.[k] ?? ''}`)
    .join(',');
}

function byName<T extends { spec?: { annotations?: { name: string } | undefined } | undefined }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => naturalCompare(a.spec?.annotations?.name ?? '', b.spec?.annotations?.name ?? ''));
}

/** `network ls`: NETWORK ID NAME DRIVER SCOPE, IDs truncated unless `noTrunc`. */
export function formatNetworkList(networks: readonly Network[], format: ListFormat, noTrunc = false): string[] {
  const rows = byName(networks).map((n) => ({
    ID: noTrunc ? n.id : truncateId(n.id),
    Name: n.spec?.annotations?.name ?? '',
    Driver: n.spec?.driver?.name ?? 'overlay',
    Scope: 'swarm',
    IPv4: 'true',
    IPv6: String(n.spec?.ipv6 ?? false),
    Internal: String(n.spec?.internal ?? false),
    Labels: joinLabels(n.spec?.annotations?.labels),
    CreatedAt: goTimeString(n.meta?.createdAtMs ?? 0),
  }));
  return renderRows(rows, format, { quiet: (r) => r.ID, headers: ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], cells: (r) => [r.ID, r.Name, r.Driver, r.Scope], templateHeaders: NETWORK_HEADERS });
}

/** `secret ls`: ID NAME DRIVER CREATED UPDATED. */
export function formatSecretList(secrets: readonly Secret[], format: ListFormat, nowMs: number): string[] {
  const rows = byName(secrets).map((s) => ({
    ID: s.id,
    Name: s.spec?.annotations?.name ?? '',
    Driver: s.spec?.driver?.name ?? '',
    CreatedAt: humanAgo(s.meta?.createdAtMs ?? nowMs, nowMs),
    UpdatedAt: humanAgo(s.meta?.updatedAtMs ?? nowMs, nowMs),
    Labels: joinLabels(s.spec?.annotations?.labels),
  }));
  return renderRows(rows, format, { quiet: (r) => r.ID, headers: ['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED'], cells: (r) => [r.ID, r.Name, r.Driver, r.CreatedAt, r.UpdatedAt], templateHeaders: SECRET_HEADERS });
}

/** `config ls`: ID NAME CREATED UPDATED. */
export function formatConfigList(configs: readonly Config[], format: ListFormat, nowMs: number): string[] {
  const rows = byName(configs).map((c) => ({
    ID: c.id,
    Name: c.spec?.annotations?.name ?? '',
    CreatedAt: humanAgo(c.meta?.createdAtMs ?? nowMs, nowMs),
    UpdatedAt: humanAgo(c.meta?.updatedAtMs ?? nowMs, nowMs),
    Labels: joinLabels(c.spec?.annotations?.labels),
  }));
  return renderRows(rows, format, { quiet: (r) => r.ID, headers: ['ID', 'NAME', 'CREATED', 'UPDATED'], cells: (r) => [r.ID, r.Name, r.CreatedAt, r.UpdatedAt], templateHeaders: CONFIG_HEADERS });
}

/** One row of `stack ls`. */
export interface StackSummary {
  name: string;
  services: number;
}

/** `stack ls`: NAME SERVICES, sorted by name. Docker has no -q here; `quiet` prints names. */
export function formatStackList(stacks: readonly StackSummary[], format: ListFormat): string[] {
  const rows = [...stacks].sort((a, b) => naturalCompare(a.name, b.name)).map((s) => ({ Name: s.name, Services: String(s.services) }));
  return renderRows(rows, format, { quiet: (r) => r.Name, headers: ['NAME', 'SERVICES'], cells: (r) => [r.Name, r.Services], templateHeaders: STACK_HEADERS });
}

/** Stacks from services' `com.docker.stack.namespace` labels, as Docker derives `stack ls`. */
export function summarizeStacks(services: readonly { spec?: { annotations?: { labels: Record<string, string> } | undefined } | undefined }[]): StackSummary[] {
  const counts = new Map<string, number>();
  for (const s of services) {
    const ns = s.spec?.annotations?.labels['com.docker.stack.namespace'];
    if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  return [...counts].map(([name, services]) => ({ name, services }));
}
