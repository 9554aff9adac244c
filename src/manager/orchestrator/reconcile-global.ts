// Global services: one task per eligible node (ready, active, matching the
// service's constraints; new tasks come with their node already set). Tasks of drained, Down, removed or no longer
// matching nodes are shut down; paused nodes keep theirs but get no new ones.
import type { Node, Service } from '../../gen/index.js';
import type { Action } from './actions.js';
import { pruneSlot } from './reconcile-history.js';
import { type DesiredService, type ObservedService, type ReconcileDeps, groupBy } from './reconcile-inputs.js';
import { historyToKeep, restartPolicyOf } from './reconcile-restart.js';
import { type SlotContext, reconcileSlot, retireSlot } from './reconcile-slot.js';
import { type UpdatableSlot, reconcileUpdate } from './reconcile-update.js';

/** Whether a node may keep a global task, and whether it may start one. */
export function globalPlacement(node: Node, service: Service, deps: ReconcileDeps): { keep: boolean; start: boolean } {
  // Keeping only needs "not Down": after a leader change nodes are UNKNOWN
  // until they heartbeat, and that must not stop every global task.
  const state = node.status?.state ?? 'UNKNOWN';
  const availability = node.spec?.availability ?? 'ACTIVE';
  const keep = state !== 'DOWN' && availability !== 'DRAIN' && deps.isNodeEligible(node, service);
  return { keep, start: keep && state === 'READY' && availability === 'ACTIVE' };
}

/** One pass over a global service. */
export function reconcileGlobal(service: Service, desired: DesiredService, observed: ObservedService, nowMs: number, deps: ReconcileDeps): Action[] {
  const policy = restartPolicyOf(service);
  const ctx: SlotContext = { service, policy, nodes: observed.nodes, nowMs, newId: deps.newId };
  const byNode = groupBy(observed.tasks, (t) => t.nodeId);
  let actions: Action[] = [];
  const slots: UpdatableSlot[] = [];
  for (const node of sortedNodes(observed.nodes)) {
    const tasks = byNode.get(node.id) ?? [];
    const { keep, start } = globalPlacement(node, service, deps);
    if (!keep) {
      actions.push(...retireSlot(tasks));
      continue;
    }
    const place = { slot: 0, nodeId: node.id, mayStart: start };
    const outcome = reconcileSlot(place, tasks, ctx);
    actions.push(...outcome.actions);
    slots.push({ place, status: outcome.status });
  }
  // Tasks of removed nodes (and unassigned ones, which global tasks never are).
  for (const [nodeId, tasks] of [...byNode].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!observed.nodes.has(nodeId)) actions.push(...retireSlot(tasks));
  }
  const update = reconcileUpdate(slots, observed.tasks, ctx);
  // Rolling back: the failed spec's replacements (restarts) must not start.
  if (update.abandonsSpec) actions = actions.filter((a) => a.kind !== 'create-task');
  actions.push(...update.actions);
  const keep = historyToKeep(policy, desired.taskHistoryLimit);
  for (const [nodeId, tasks] of [...byNode].sort(([a], [b]) => (a < b ? -1 : 1))) {
    actions.push(...pruneSlot(tasks, observed.nodes.has(nodeId) ? keep : 0, observed.nodes));
  }
  return actions;
}

/** Nodes in ID order, so every leader emits the same actions. */
export function sortedNodes(nodes: ReadonlyMap<string, Node>): Node[] {
  return [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
