import { TaskStatus_StateValues, type Config, type Network, type Node, type Secret, type Service, type Task } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { invalidFlag, oneLine } from './flag-error.js';

/** `-f/--filter` values grouped by name, as Docker's filters.Args. */
export type Filters = ReadonlyMap<string, readonly string[]>;

/** The filter names each list accepts, as Docker's daemon accepts them. */
export const ACCEPTED_FILTERS = {
  service: ['id', 'label', 'mode', 'name'],
  task: ['desired-state', 'id', 'label', 'name', 'node', 'service'],
  node: ['id', 'label', 'membership', 'name', 'node.label', 'role'],
  network: ['driver', 'id', 'label', 'name', 'scope', 'type'],
  secret: ['id', 'label', 'name', 'names'],
  config: ['id', 'label', 'name'],
} as const;

/**
 * `-f name=value` flags to filters: names lower-cased and trimmed as Docker
 * does; a value without `=` or a name the list does not accept is refused.
 */
export function parseFilterFlags(values: readonly string[] | undefined, accepted: readonly string[]): Filters {
  const out = new Map<string, string[]>();
  for (const value of values ?? []) {
    if (value === '') continue;
    const eq = value.indexOf('=');
    if (eq < 0) throw invalidFlag('filter', value, 'bad format of filter (expected name=value)');
    const name = value.slice(0, eq).trim().toLowerCase();
    if (!accepted.includes(name)) throw usageError(`invalid filter '${oneLine(name)}'; use one of ${accepted.join(', ')}`);
    out.set(name, [...(out.get(name) ?? []), value.slice(eq + 1).trim()]);
  }
  return out;
}

// Within one filter name any value may match; across names all must (Docker's semantics).
function each(filters: Filters, name: string, match: (value: string) => boolean): boolean {
  const values = filters.get(name);
  return values === undefined || values.length === 0 || values.some(match);
}

/** Docker's label filter: `key` needs the label, `key=value` needs that value too; all given labels must match. */
function labelsMatch(filters: Filters, name: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  return (filters.get(name) ?? []).every((f) => {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (!Object.hasOwn(labels ?? {}, key)) return false;
    return eq < 0 || f.slice(eq + 1) === '' || labels?.[key] === f.slice(eq + 1);
  });
}

const MODE_NAMES: Record<string, string> = { REPLICATED: 'replicated', GLOBAL: 'global', REPLICATED_JOB: 'replicated-job', GLOBAL_JOB: 'global-job' };

/** Whether a service passes `service ls` filters: id and name by prefix, label, mode exactly. */
export function serviceMatches(service: Service, filters: Filters): boolean {
  return (
    each(filters, 'id', (v) => service.id.startsWith(v)) &&
    each(filters, 'name', (v) => (service.spec?.annotations?.name ?? '').startsWith(v)) &&
    each(filters, 'mode', (v) => MODE_NAMES[service.spec?.mode?.kind ?? 'REPLICATED'] === v) &&
    labelsMatch(filters, 'label', service.spec?.annotations?.labels)
  );
}

const TASK_STATES = new Set(Object.keys(TaskStatus_StateValues).map((state) => state.toLowerCase()));

/**
 * Whether a task passes `service ps`/`node ps` filters. `service` and `node`
 * take IDs (the caller resolves names first, as Docker's CLI does); `name`
 * is a prefix of the task's name (`web.1`), `id` of its ID.
 */
export function taskMatches(task: Task, taskName: string, filters: Filters): boolean {
  for (const state of filters.get('desired-state') ?? []) {
    if (state !== '' && !TASK_STATES.has(state.toLowerCase())) throw usageError(`Invalid desired-state filter: '${oneLine(state)}'; use running, shutdown or accepted`);
  }
  return (
    each(filters, 'id', (v) => task.id.startsWith(v)) &&
    each(filters, 'name', (v) => taskName.startsWith(v)) &&
    each(filters, 'service', (v) => task.serviceId === v) &&
    each(filters, 'node', (v) => task.nodeId === v) &&
    each(filters, 'desired-state', (v) => task.desiredState.toLowerCase() === v.toLowerCase()) &&
    labelsMatch(filters, 'label', task.spec?.container?.labels)
  );
}

/** Whether a node passes `node ls` filters: id and name (or hostname) by prefix, engine and node labels, role, membership. */
export function nodeMatches(node: Node, filters: Filters): boolean {
  for (const role of filters.get('role') ?? []) {
    if (role !== '' && !['worker', 'manager'].includes(role.toLowerCase())) throw usageError(`Invalid role filter: '${oneLine(role)}'; use worker or manager`);
  }
  for (const m of filters.get('membership') ?? []) {
    if (m !== '' && !['accepted', 'pending'].includes(m.toLowerCase())) throw usageError(`Invalid membership filter: '${oneLine(m)}'; use accepted or pending`);
  }
  const name = node.spec?.annotations?.name ?? '';
  const hostname = node.description?.hostname ?? '';
  return (
    each(filters, 'id', (v) => node.id.startsWith(v)) &&
    each(filters, 'name', (v) => (name !== '' && name.startsWith(v)) || hostname.startsWith(v)) &&
    each(filters, 'role', (v) => (node.spec?.desiredRole ?? node.role).toLowerCase() === v.toLowerCase()) &&
    // Every node in a shoal cluster joined with a valid token, so is accepted.
    each(filters, 'membership', (v) => v.toLowerCase() === 'accepted') &&
    labelsMatch(filters, 'label', node.description?.engineLabels) &&
    labelsMatch(filters, 'node.label', node.spec?.annotations?.labels)
  );
}

/** Whether a network passes `network ls` filters: name and id match any part (Docker's network filters), driver, scope, type, label. */
export function networkMatches(network: Network, filters: Filters): boolean {
  const name = network.spec?.annotations?.name ?? '';
  return (
    each(filters, 'id', (v) => network.id.startsWith(v)) &&
    each(filters, 'name', (v) => name.includes(v)) &&
    each(filters, 'driver', (v) => (network.spec?.driver?.name || 'overlay') === v) &&
    each(filters, 'scope', (v) => v === 'swarm') &&
    each(filters, 'type', (v) => v === (network.spec?.ingress === true ? 'builtin' : 'custom')) &&
    labelsMatch(filters, 'label', network.spec?.annotations?.labels)
  );
}

/** Whether a secret passes `secret ls` filters: id and name by prefix, names exactly, label. */
export function secretMatches(secret: Secret, filters: Filters): boolean {
  const name = secret.spec?.annotations?.name ?? '';
  return each(filters, 'id', (v) => secret.id.startsWith(v)) && each(filters, 'name', (v) => name.startsWith(v)) && each(filters, 'names', (v) => name === v) && labelsMatch(filters, 'label', secret.spec?.annotations?.labels);
}

/** Whether a config passes `config ls` filters: id and name by prefix, label. */
export function configMatches(config: Config, filters: Filters): boolean {
  const name = config.spec?.annotations?.name ?? '';
  return each(filters, 'id', (v) => config.id.startsWith(v)) && each(filters, 'name', (v) => name.startsWith(v)) && labelsMatch(filters, 'label', config.spec?.annotations?.labels);
}
