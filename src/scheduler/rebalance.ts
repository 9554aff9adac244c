// The rebalancing planner (Swarm has none): after nodes join, a service's
// tasks sit where they were placed. This proposes the fewest moves that even
// them out again, level by level of the spread preferences (zones before
// racks before nodes), never onto a node the service could not be scheduled
// on now. The orchestrator applies the moves as a rolling update.
import type { NodeId, ServiceId, TaskId } from '../common/ids.js';
import { assert } from '../common/assert.js';
import { validatePlacement, type SpreadPreference } from './constraint.js';
import { demandOfSpec, type Demand } from './demand.js';
import { NodeFilter } from './filters.js';
import { applyDemand } from './node-entry.js';
import type { SchedulerState, TaskRecord } from './state.js';

/** Replace the task on `fromNodeId` with one on `toNodeId`. */
export interface Move {
  readonly taskId: TaskId;
  readonly fromNodeId: NodeId;
  readonly toNodeId: NodeId;
}

/** The moves, and how uneven the service is before and after them (max minus min tasks per eligible node). */
export interface RebalancePlan {
  readonly moves: Move[];
  readonly imbalanceBefore: number;
  readonly imbalanceAfter: number;
}

interface Group {
  readonly children: Group[];
  readonly ordinals: number[];
  count: number;
}

/** Plans the fewest moves that spread `serviceId` within one task per branch and node, within its constraints. */
export function planRebalance(state: SchedulerState, serviceId: ServiceId, options: { readonly now: number }): RebalancePlan {
  const index = state.serviceIndex(serviceId);
  const records = [...index.occupying].map((id) => state.task(id)).filter((r): r is TaskRecord => r !== undefined && r.task.desiredState === 'RUNNING');
  const spec = state.service(serviceId)?.spec?.task ?? records[0]?.task.spec;
  const parsed = validatePlacement(spec?.placement);
  if (!parsed.ok || records.length === 0) return { moves: [], imbalanceBefore: 0, imbalanceAfter: 0 };
  const ports = state.service(serviceId)?.spec?.endpoint?.ports ?? records[0]?.task.endpoint?.ports ?? [];
  const demand: Demand = demandOfSpec(spec, ports);
  const counts = new Map<number, number>();
  const tasksOn = new Map<number, TaskRecord[]>();
  for (const r of records) {
    counts.set(r.ordinal, (counts.get(r.ordinal) ?? 0) + 1);
    const list = tasksOn.get(r.ordinal);
    if (list === undefined) tasksOn.set(r.ordinal, [r]);
    else list.push(r);
  }
  // The highest slots move first, so low slots stay put across repeated plans.
  for (const list of tasksOn.values()) list.sort((a, b) => a.task.slot - b.task.slot || (a.id < b.id ? -1 : 1));
  const filter = new NodeFilter({ constraints: parsed.value.constraints, platforms: spec?.placement?.platforms ?? [], maxReplicas: spec?.placement?.maxReplicas ?? 0, demand, serviceCounts: counts });

  const candidates: number[] = [];
  const destination = new Set<number>();
  for (const entry of state.nodes) {
    if (entry === undefined || !entry.known || filter.checkStatic(entry) !== undefined) continue;
    candidates.push(entry.ordinal);
    if (!state.failingOn(index, entry.id, options.now)) destination.add(entry.ordinal);
  }
  const imbalance = (): number => {
    const values = candidates.map((o) => counts.get(o) ?? 0);
    return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
  };
  const imbalanceBefore = imbalance();
  const root = buildGroups(state, candidates, parsed.value.preferences, 0, counts);

  // Moves are tried on the real node entries so the real filters judge them, then undone.
  const applied: { from: number; to: number; record: TaskRecord }[] = [];
  const fits = (ordinal: number): boolean => {
    const entry = state.nodes[ordinal];
    return entry !== undefined && destination.has(ordinal) && filter.checkDynamic(entry) === undefined;
  };
  const move = (from: number, to: number): void => {
    const record = tasksOn.get(from)?.pop();
    const source = state.nodes[from];
    const target = state.nodes[to];
    assert(record !== undefined && source !== undefined && target !== undefined, 'rebalance moved a task that is not there');
    applyDemand(source, record.demand, -1);
    applyDemand(target, demand, 1);
    counts.set(from, (counts.get(from) ?? 0) - 1);
    counts.set(to, (counts.get(to) ?? 0) + 1);
    applied.push({ from, to, record });
  };
  try {
    const budget = records.length * (parsed.value.preferences.length + 1);
    balance(root, counts, fits, move, budget);
  } finally {
    for (const { from, to, record } of applied) {
      const source = state.nodes[from];
      const target = state.nodes[to];
      if (source !== undefined) applyDemand(source, record.demand, 1);
      if (target !== undefined) applyDemand(target, demand, -1);
    }
  }
  const moves = applied.map(({ from, to, record }) => ({ taskId: record.id, fromNodeId: state.nodes[from]?.id as NodeId, toNodeId: state.nodes[to]?.id as NodeId }));
  return { moves, imbalanceBefore, imbalanceAfter: imbalance() };
}

function buildGroups(state: SchedulerState, ordinals: number[], preferences: readonly SpreadPreference[], level: number, counts: Map<number, number>): Group {
  const preference = preferences[level];
  const count = ordinals.reduce((sum, o) => sum + (counts.get(o) ?? 0), 0);
  if (preference === undefined) return { children: [], ordinals, count };
  const byValue = new Map<string, number[]>();
  for (const o of ordinals) {
    const entry = state.nodes[o];
    const value = (preference.source === 'nodeLabel' ? entry?.nodeLabels : entry?.engineLabels)?.get(preference.label) ?? '';
    byValue.set(value, [...(byValue.get(value) ?? []), o]);
  }
  const children = [...byValue.keys()].sort().map((v) => buildGroups(state, byValue.get(v) ?? [], preferences, level + 1, counts));
  return { children, ordinals, count };
}

/** Evens out `group`'s children (or nodes), then recurses; each move goes from a fullest leaf node to an emptiest one that fits. */
function balance(group: Group, counts: Map<number, number>, fits: (o: number) => boolean, move: (from: number, to: number) => void, budget: number): number {
  let left = budget;
  const moveBetween = (from: Group, to: Group): boolean => {
    const src = fullestNode(from, counts);
    const dst = emptiestNode(to, counts, fits);
    if (src < 0 || dst < 0) return false;
    move(src, dst);
    for (const g of pathTo(group, src)) g.count--;
    for (const g of pathTo(group, dst)) g.count++;
    left--;
    return true;
  };
  if (group.children.length === 0) {
    const leaves = group.ordinals.map((o) => ({ children: [], ordinals: [o], count: counts.get(o) ?? 0 }));
    evenOut(leaves, counts, fits, (from, to) => left > 0 && moveBetween(from, to));
    return left;
  }
  evenOut(group.children, counts, fits, (from, to) => left > 0 && moveBetween(from, to));
  for (const child of group.children) left = balance(child, counts, fits, move, left);
  return left;
}

/** Moves from the fullest sibling to the emptiest one that can take a task until they differ by at most one. */
function evenOut(siblings: Group[], counts: Map<number, number>, fits: (o: number) => boolean, moveBetween: (from: Group, to: Group) => boolean): boolean {
  for (;;) {
    let fullest: Group | undefined;
    let emptiest: Group | undefined;
    for (const g of siblings) {
      if (fullest === undefined || g.count > fullest.count) fullest = g;
      if ((emptiest === undefined || g.count < emptiest.count) && emptiestNode(g, counts, fits) >= 0) emptiest = g;
    }
    if (fullest === undefined || emptiest === undefined || fullest.count - emptiest.count <= 1) return true;
    if (!moveBetween(fullest, emptiest)) return false;
    // Leaf groups are snapshots of one node: keep them in step with the counts.
    if (fullest.children.length === 0 && fullest.ordinals.length === 1) fullest.count = counts.get(fullest.ordinals[0] ?? -1) ?? 0;
    if (emptiest.children.length === 0 && emptiest.ordinals.length === 1) emptiest.count = counts.get(emptiest.ordinals[0] ?? -1) ?? 0;
  }
}

/** Follows the fullest branch down to its fullest node, so lower levels stay even too; -1 if empty. */
function fullestNode(group: Group, counts: Map<number, number>): number {
  if (group.children.length > 0) {
    let best: Group | undefined;
    for (const c of group.children) if (c.count > 0 && (best === undefined || c.count > best.count)) best = c;
    return best === undefined ? -1 : fullestNode(best, counts);
  }
  let best = -1;
  let bestCount = 0;
  for (const o of group.ordinals) {
    const c = counts.get(o) ?? 0;
    if (c > bestCount) {
      best = o;
      bestCount = c;
    }
  }
  return best;
}

/** Follows the emptiest branch that can take a task down to its emptiest node that fits; -1 if none fits. */
function emptiestNode(group: Group, counts: Map<number, number>, fits: (o: number) => boolean): number {
  if (group.children.length > 0) {
    const order = [...group.children].sort((a, b) => a.count - b.count);
    for (const child of order) {
      const o = emptiestNode(child, counts, fits);
      if (o >= 0) return o;
    }
    return -1;
  }
  let best = -1;
  let bestCount = Infinity;
  for (const o of group.ordinals) {
    const c = counts.get(o) ?? 0;
    if (c < bestCount && fits(o)) {
      best = o;
      bestCount = c;
    }
  }
  return best;
}

function pathTo(root: Group, ordinal: number): Group[] {
  const path: Group[] = [];
  let g: Group | undefined = root;
  while (g !== undefined && g.children.length > 0) {
    g = g.children.find((c) => c.ordinals.includes(ordinal));
    if (g !== undefined) path.push(g);
  }
  return path;
}
