import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServiceId } from '../common/ids.js';
import { planRebalance, SchedulerState, type Move } from './index.js';
import { makeNode, makeTask, type NodeOptions, type TaskOptions } from './fixtures.test-support.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261122);
console.log(`rebalance property tests: FC_SEED=${SEED}`);
const GiB = 2 ** 30;

function cluster(nodes: [string, NodeOptions?][], tasksPerNode: Record<string, number>, task: TaskOptions = {}): SchedulerState {
  const state = new SchedulerState();
  for (const [id, o] of nodes) state.nodeUpserted(makeNode(id, o));
  let n = 0;
  for (const [nodeId, count] of Object.entries(tasksPerNode)) {
    for (let i = 0; i < count; i++) state.taskAdded({ ...makeTask(`t${n}`, 's', { ...task, nodeId }), slot: ++n });
  }
  return state;
}

function perNode(state: SchedulerState, moves: Move[], start: Record<string, number>): Record<string, number> {
  const counts = { ...start };
  for (const m of moves) {
    counts[m.fromNodeId] = (counts[m.fromNodeId] ?? 0) - 1;
    counts[m.toNodeId] = (counts[m.toNodeId] ?? 0) + 1;
  }
  void state;
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0));
}

const s = 's' as ServiceId;

describe('planRebalance', () => {
  it('evens a service out over nodes that joined, with the fewest moves', () => {
    const state = cluster([['a'], ['b'], ['c']], { a: 7 });
    const plan = planRebalance(state, s, { now: 0 });
    expect(plan.moves).toHaveLength(4);
    expect(perNode(state, plan.moves, { a: 7 })).toEqual({ a: 3, b: 2, c: 2 });
    expect(plan).toMatchObject({ imbalanceBefore: 7, imbalanceAfter: 1 });
    // Highest slots move first.
    expect(plan.moves.map((m) => m.taskId)).toEqual(['t6', 't5', 't4', 't3']);
  });

  it('proposes nothing for a balanced service and leaves the state untouched', () => {
    const state = cluster([['a', { memoryBytes: 2 * GiB }], ['b', { memoryBytes: 2 * GiB }]], { a: 2, b: 1 }, { memoryBytes: GiB });
    expect(planRebalance(state, s, { now: 0 }).moves).toEqual([]);
    const skewed = cluster([['a', { memoryBytes: 4 * GiB }], ['b', { memoryBytes: 4 * GiB }]], { a: 4 }, { memoryBytes: GiB });
    const before = skewed.entry('b' as never)?.memoryBytesReserved;
    expect(planRebalance(skewed, s, { now: 0 }).moves).toHaveLength(2);
    expect(skewed.entry('b' as never)?.memoryBytesReserved).toBe(before);
    expect(skewed.entry('a' as never)?.memoryBytesReserved).toBe(4 * GiB);
  });

  it('stays within constraints, availability and resources', () => {
    const placement = { constraints: ['node.labels.tier==web'] };
    const state = cluster([
      ['a', { labels: { tier: 'web' } }], ['b', { labels: { tier: 'web' }, memoryBytes: GiB }], ['c', { labels: { tier: 'web' }, availability: 'DRAIN' }], ['d'],
    ], { a: 6 }, { placement, memoryBytes: GiB });
    const plan = planRebalance(state, s, { now: 0 });
    expect(perNode(state, plan.moves, { a: 6 })).toEqual({ a: 5, b: 1 });
  });

  it('evens zones first, then nodes within each zone', () => {
    const placement = { preferences: [{ spreadDescriptor: 'node.labels.zone' }] };
    const state = cluster([['eu1', { labels: { zone: 'eu' } }], ['eu2', { labels: { zone: 'eu' } }], ['us1', { labels: { zone: 'us' } }]], { eu1: 4 }, { placement });
    const plan = planRebalance(state, s, { now: 0 });
    expect(perNode(state, plan.moves, { eu1: 4 })).toEqual({ eu1: 1, eu2: 1, us1: 2 });
    expect(plan.moves).toHaveLength(3);
  });

  it('needs exactly the minimum number of moves (single level, nothing else interferes)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 8 }), (start) => {
      const names = start.map((_, i) => `n${i}`);
      const initial = Object.fromEntries(start.map((c, i) => [`n${i}`, c]));
      const state = cluster(names.map((n) => [n]), initial);
      const plan = planRebalance(state, s, { now: 0 });
      const after = names.map((n) => perNode(state, plan.moves, initial)[n] ?? 0);
      expect(Math.max(...after) - Math.min(...after)).toBeLessThanOrEqual(1);
      // Minimum: the nodes holding most keep q+1, the rest q; every task above its target moves once.
      const total = start.reduce((a, b) => a + b, 0);
      const q = Math.floor(total / start.length);
      const r = total % start.length;
      const sorted = [...start].sort((a, b) => b - a);
      const minimum = sorted.reduce((sum, c, i) => sum + Math.max(0, c - (i < r ? q + 1 : q)), 0);
      expect(plan.moves).toHaveLength(minimum);
    }), { seed: SEED, numRuns: 200 });
  });

  it('moves only onto nodes that pass every filter, and never makes things worse', () => {
    const arb = fc.record({
      nodes: fc.array(fc.record({ web: fc.boolean(), memGiB: fc.integer({ min: 1, max: 4 }), zone: fc.constantFrom('a', 'b'), active: fc.boolean() }), { minLength: 1, maxLength: 8 }),
      tasks: fc.array(fc.nat(), { maxLength: 16 }),
      maxReplicas: fc.integer({ min: 0, max: 3 }),
      prefs: fc.boolean(),
    });
    fc.assert(fc.property(arb, (c) => {
      const placement = { constraints: ['node.labels.web==yes'], maxReplicas: c.maxReplicas, preferences: c.prefs ? [{ spreadDescriptor: 'node.labels.zone' }] : [] };
      const state = new SchedulerState();
      c.nodes.forEach((n, i) => state.nodeUpserted(makeNode(`n${i}`, { labels: { web: n.web ? 'yes' : 'no', zone: n.zone }, memoryBytes: n.memGiB * GiB, availability: n.active ? 'ACTIVE' : 'PAUSE' })));
      const start: Record<string, number> = {};
      c.tasks.forEach((t, i) => {
        const nodeId = `n${t % c.nodes.length}`;
        start[nodeId] = (start[nodeId] ?? 0) + 1;
        state.taskAdded({ ...makeTask(`t${i}`, 's', { nodeId, placement, memoryBytes: GiB / 2 }), slot: i + 1 });
      });
      const plan = planRebalance(state, s, { now: 0 });
      expect(plan.imbalanceAfter).toBeLessThanOrEqual(plan.imbalanceBefore);
      const after = perNode(state, plan.moves, start);
      for (const m of plan.moves) {
        const i = Number(m.toNodeId.slice(1));
        const node = c.nodes[i]!;
        expect(node.web && node.active, `${m.toNodeId} passes the static filters`).toBe(true);
        expect((after[m.toNodeId] ?? 0) * 0.5, `${m.toNodeId} memory`).toBeLessThanOrEqual(node.memGiB);
        if (c.maxReplicas > 0) expect(after[m.toNodeId] ?? 0).toBeLessThanOrEqual(c.maxReplicas);
      }
      // Each task moves at most once.
      expect(new Set(plan.moves.map((m) => m.taskId)).size).toBe(plan.moves.length);
    }), { seed: SEED, numRuns: 300 });
  });
});
