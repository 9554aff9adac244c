// One scheduling pass, wired in one place: group the pending tasks by service
// and spec, filter every node once per group (recording why each is rejected),
// build the ranking tree over the survivors, then place the group's tasks one
// by one, re-checking only the filters a placement can change.
import type { Node, Placement_Strategy, Service, Task } from '../gen/index.js';
import type { NodeId } from '../common/ids.js';
import { validatePlacement } from './constraint.js';
import { Explanation, NodeFilter } from './filters.js';
import type { Plan } from './plan.js';
import { seededPrng, type Prng } from './prng.js';
import { PlacementTree } from './rank.js';
import { SchedulerState, type TaskRecord } from './state.js';

/** Inputs of a pass over maintained state: the time failures are judged at, and the seed for `random`. */
export interface PassOptions {
  readonly now: number;
  readonly seed: number;
}

/** A snapshot to schedule from scratch. */
export interface Snapshot extends PassOptions {
  readonly nodes: readonly Node[];
  readonly tasks: readonly Task[];
  readonly services?: readonly Service[] | undefined;
}

/** Pure form: builds the state from a snapshot and places every pending task. */
export function schedule(snapshot: Snapshot): Plan {
  return schedulePending(SchedulerState.fromSnapshot(snapshot), snapshot);
}

/** Incremental form: places the state's pending tasks and records the assignments tentatively in it. */
export function schedulePending(state: SchedulerState, options: PassOptions): Plan {
  const prng = seededPrng(options.seed);
  const plan: Plan = { assignments: [], unplaceable: [] };
  const groups = new Map<string, Map<string, TaskRecord[]>>();
  for (const record of state.pending.values()) {
    // Nothing freed up since this task was last found unplaceable: same answer, no scan.
    if (record.blocked !== undefined && record.blocked.epoch === state.capacityEpoch) {
      plan.unplaceable.push({ taskId: record.id, reason: record.blocked.reason });
      continue;
    }
    let bySpec = groups.get(record.serviceId);
    if (bySpec === undefined) {
      bySpec = new Map();
      groups.set(record.serviceId, bySpec);
    }
    const key = specKey(record.task);
    const group = bySpec.get(key);
    if (group === undefined) bySpec.set(key, [record]);
    else group.push(record);
  }
  for (const bySpec of groups.values()) for (const group of bySpec.values()) placeGroup(state, group, options.now, prng, plan);
  return plan;
}

function placeGroup(state: SchedulerState, group: readonly TaskRecord[], nowMs: number, prng: Prng, plan: Plan): void {
  const first = group[0];
  if (first === undefined) return;
  const placement = first.task.spec?.placement;
  const parsed = validatePlacement(placement);
  if (!parsed.ok) {
    // The Control API rejects these at create time; one that slips through stays pending, loudly.
    for (const r of group) {
      plan.unplaceable.push({ taskId: r.id, reason: parsed.error.message });
      r.blocked = { epoch: state.capacityEpoch, reason: parsed.error.message };
    }
    return;
  }
  const index = state.serviceIndex(first.serviceId);
  const filter = new NodeFilter({
    constraints: parsed.value.constraints,
    platforms: placement?.platforms ?? [],
    maxReplicas: placement?.maxReplicas ?? 0,
    demand: first.demand,
    serviceCounts: index.countsByNode,
  });
  const explanation = new Explanation();
  const preassigned = first.task.nodeId !== '';
  if (preassigned) {
    // Global tasks arrive with their node chosen by the orchestrator: only check that node.
    for (const r of group) placePreassigned(state, r, filter, plan);
    return;
  }
  const eligible: number[] = [];
  const failing = new Set<number>();
  const checkFailures = index.failuresByNode.size > 0;
  for (const entry of state.nodes) {
    if (entry === undefined || !entry.known) continue;
    const rejected = filter.check(entry);
    if (rejected !== undefined) {
      explanation.add(rejected);
      continue;
    }
    eligible.push(entry.ordinal);
    if (checkFailures && state.failingOn(index, entry.id, nowMs)) failing.add(entry.ordinal);
  }
  const tree = new PlacementTree(eligible, parsed.value.preferences, {
    nodes: state.nodes, serviceCounts: index.countsByNode, failing, strategy: strategyOf(placement?.strategy), prng,
    labelColumn: (source, label) => state.labelColumn(source, label),
  });
  const stillFits = (ordinal: number): boolean => {
    const entry = state.nodes[ordinal];
    if (entry === undefined) return false;
    const rejected = filter.checkDynamic(entry);
    if (rejected === undefined) return true;
    explanation.add(rejected);
    return false;
  };
  let reason: string | undefined;
  for (const record of group) {
    const ordinal = reason === undefined ? tree.pick(stillFits) : -1;
    const entry = ordinal >= 0 ? state.nodes[ordinal] : undefined;
    if (entry === undefined) {
      reason ??= explanation.render();
      plan.unplaceable.push({ taskId: record.id, reason });
      record.blocked = { epoch: state.capacityEpoch, reason };
      continue;
    }
    state.assignTentatively(record, ordinal);
    tree.placed(ordinal);
    plan.assignments.push({ taskId: record.id, nodeId: entry.id });
  }
}

function placePreassigned(state: SchedulerState, record: TaskRecord, filter: NodeFilter, plan: Plan): void {
  const entry = state.entry(record.task.nodeId as NodeId);
  const explanation = new Explanation();
  const rejected = entry === undefined ? undefined : filter.check(entry);
  if (entry === undefined || rejected !== undefined) {
    if (rejected !== undefined) explanation.add(rejected);
    const reason = entry === undefined ? `no suitable node (node ${record.task.nodeId} is not in the cluster)` : explanation.render();
    plan.unplaceable.push({ taskId: record.id, reason });
    record.blocked = { epoch: state.capacityEpoch, reason };
    return;
  }
  state.assignTentatively(record, entry.ordinal);
  plan.assignments.push({ taskId: record.id, nodeId: entry.id });
}

function strategyOf(strategy: Placement_Strategy | undefined): Placement_Strategy {
  return strategy ?? 'SPREAD';
}

const specKeys = new WeakMap<object, string>();

/** Within a service, tasks with the same placement-relevant spec are placed together. */
function specKey(task: Task): string {
  const spec = task.spec;
  // Global tasks come with their node; they are checked one by one, apart from the rest.
  const preassigned = task.nodeId === '' ? '' : 'pre';
  if (spec === undefined) return preassigned;
  let key = specKeys.get(spec);
  if (key === undefined) {
    key = JSON.stringify([spec.placement, spec.resources?.reservations]);
    specKeys.set(spec, key);
  }
  // Host ports come from the endpoint, so tasks of one spec could differ there.
  const ports = task.endpoint?.ports.length ? JSON.stringify(task.endpoint.ports) : '';
  // The common case returns the cached string itself, whose hash V8 keeps: no per-task concatenation.
  return preassigned === '' && ports === '' ? key : `${preassigned}\0${key}\0${ports}`;
}
