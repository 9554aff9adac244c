import type { ListFilter } from '../../gen/index.js';
import type { ObjectFilter, TaskFilter } from '../store/index.js';

/** The store's filter from a Control list request's. */
export function filterFrom(filter: ListFilter | undefined): ObjectFilter {
  if (!filter) return {};
  const out: ObjectFilter = {};
  if (filter.ids.length) out.idPrefixes = filter.ids;
  if (filter.names.length) out.namePrefixes = filter.names;
  if (Object.keys(filter.labels).length) out.labels = filter.labels;
  if (filter.namespace) out.namespace = filter.namespace;
  return out;
}

/** The store's task filter from a Control list request's. */
export function taskFilterFrom(filter: ListFilter | undefined): TaskFilter {
  const out: TaskFilter = filterFrom(filter);
  if (!filter) return out;
  if (filter.serviceIds.length) out.serviceIds = filter.serviceIds;
  if (filter.nodeIds.length) out.nodeIds = filter.nodeIds;
  if (filter.desiredStates.length) out.desiredStates = filter.desiredStates;
  return out;
}
