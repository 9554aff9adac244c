// Global services: one task per eligible node. The orchestrator asks which
// nodes need a task and which tasks no longer belong, whenever a node joins,
// leaves or changes (labels, availability, status) or the service changes.
// Tasks it creates carry their node already; schedule() then only checks
// that node's resources and ports, and explains if they do not fit.
import type { Service } from '../gen/index.js';
import type { NodeId, ServiceId, TaskId } from '../common/ids.js';
import { validatePlacement } from './constraint.js';
import { satisfies, supportsPlatform } from './filters.js';
import type { NodeEntry } from './node-entry.js';
import type { SchedulerState } from './state.js';

/** What a global service needs changed. */
export interface GlobalPlan {
  /** Nodes that qualify and have no live task of the service: create one there. */
  readonly create: NodeId[];
  /** Tasks on nodes that no longer qualify (removed, drained, constraints or platform no longer met): shut them down. */
  readonly remove: TaskId[];
}

/** Reconciles one global service against the nodes; `onlyNodes` limits it to nodes that just changed. */
export function reconcileGlobal(state: SchedulerState, service: Service, onlyNodes?: readonly NodeId[]): GlobalPlan {
  const serviceId = service.id as ServiceId;
  const placement = service.spec?.task?.placement;
  const parsed = validatePlacement(placement);
  const constraints = parsed.ok ? parsed.value.constraints : [];
  const platforms = placement?.platforms ?? [];
  const matches = (entry: NodeEntry): boolean => constraints.every((c) => satisfies(entry, c)) && supportsPlatform(entry, platforms);
  const index = state.serviceIndex(serviceId);

  // Live tasks (occupying or waiting) per node, from the service's own index.
  const tasksByNode = new Map<NodeId, TaskId[]>();
  for (const id of [...index.occupying, ...index.pending]) {
    const record = state.task(id);
    // A task being shut down no longer counts as the node's task.
    if (record === undefined || record.task.desiredState !== 'RUNNING') continue;
    const nodeId = (record.ordinal >= 0 ? state.nodes[record.ordinal]?.id : record.task.nodeId) as NodeId | undefined;
    if (nodeId === undefined || nodeId === '') continue;
    const list = tasksByNode.get(nodeId);
    if (list === undefined) tasksByNode.set(nodeId, [id]);
    else list.push(id);
  }

  const create: NodeId[] = [];
  const remove: TaskId[] = [];
  const wanted = onlyNodes === undefined ? undefined : new Set(onlyNodes);
  for (const entry of state.nodes) {
    if (entry === undefined || !entry.known || (wanted !== undefined && !wanted.has(entry.id))) continue;
    const tasks = tasksByNode.get(entry.id) ?? [];
    // Invalid placements never reach here (Control API); if one does, keep what runs and add nothing.
    const qualifies = parsed.ok && entry.availability !== 'DRAIN' && matches(entry);
    if (!qualifies) {
      if (parsed.ok) remove.push(...tasks);
      continue;
    }
    // Paused and not-ready nodes keep their task but get no new one, as in Swarm.
    if (tasks.length === 0 && entry.ready && entry.availability === 'ACTIVE') create.push(entry.id);
    // Duplicates (e.g. after a leader change) are trimmed to one.
    if (tasks.length > 1) remove.push(...tasks.slice(1));
  }
  // Tasks on nodes that left the cluster.
  for (const [nodeId, tasks] of tasksByNode) {
    if (state.entry(nodeId) === undefined && (wanted === undefined || wanted.has(nodeId))) remove.push(...tasks);
  }
  return { create, remove };
}
