// Replicated services: slots 1..replicas each hold one running task (the
// glossary: scaling 5 → 3 removes slots 4 and 5, so slots stay 1..N).
import type { Service } from '../../gen/index.js';
import type { Action } from './actions.js';
import { isDead, pruneSlot } from './reconcile-history.js';
import { type DesiredService, type ObservedService, type ReconcileDeps, groupBy } from './reconcile-inputs.js';
import { historyToKeep, restartPolicyOf } from './reconcile-restart.js';
import { type SlotContext, reconcileSlot, retireSlot } from './reconcile-slot.js';
import { type UpdatableSlot, reconcileUpdate } from './reconcile-update.js';

/** One pass over a replicated service. */
export function reconcileReplicated(service: Service, desired: DesiredService, observed: ObservedService, nowMs: number, deps: ReconcileDeps): Action[] {
  const replicas = service.spec?.mode?.replicas ?? 0;
  const policy = restartPolicyOf(service);
  const ctx: SlotContext = { service, policy, nodes: observed.nodes, nowMs, newId: deps.newId };
  const bySlot = groupBy(observed.tasks, (t) => t.slot);
  let actions: Action[] = [];
  const slots: UpdatableSlot[] = [];
  for (let slot = 1; slot <= replicas; slot++) {
    const place = { slot, nodeId: '', mayStart: true };
    const outcome = reconcileSlot(place, bySlot.get(slot) ?? [], ctx);
    actions.push(...outcome.actions);
    slots.push({ place, status: outcome.status });
  }
  const extra = [...bySlot.keys()].filter((slot) => slot < 1 || slot > replicas).sort((a, b) => a - b);
  // A slot scaled away keeps no history: its tasks are shut down, then
  // deleted once dead, and the agent removes their containers (as Swarm does).
  for (const slot of extra) {
    const tasks = bySlot.get(slot) ?? [];
    actions.push(...retireSlot(tasks.filter((t) => !isDead(t, observed.nodes))));
    for (const t of tasks) if (isDead(t, observed.nodes)) actions.push({ kind: 'remove-task', taskId: t.id });
  }
  const update = reconcileUpdate(slots, observed.tasks, ctx);
  // Rolling back: the failed spec's replacements (restarts) must not start.
  if (update.abandonsSpec) actions = actions.filter((a) => a.kind !== 'create-task');
  actions.push(...update.actions);
  const keep = historyToKeep(policy, desired.taskHistoryLimit);
  for (let slot = 1; slot <= replicas; slot++) actions.push(...pruneSlot(bySlot.get(slot) ?? [], keep, observed.nodes));
  return actions;
}
