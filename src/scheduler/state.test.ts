// The incremental state: fed by store events it must agree with a fresh
// snapshot, hold tentative assignments until the store confirms them, and
// give back exactly what a task took.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Task } from '../gen/index.js';
import type { NodeId, TaskId } from '../common/ids.js';
import { schedule, schedulePending, SchedulerState } from './index.js';
import { makeNode, makeTask } from './fixtures.test-support.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261122);
console.log(`state property tests: FC_SEED=${SEED}`);
const GiB = 2 ** 30;

function confirmed(task: Task, nodeId: string): Task {
  return { ...task, nodeId, status: { ...task.status!, state: 'ASSIGNED' } };
}

describe('SchedulerState', () => {
  it('holds tentative assignments so the next pass does not over-commit', () => {
    const state = new SchedulerState();
    state.nodeUpserted(makeNode('a', { memoryBytes: GiB }));
    state.taskAdded(makeTask('t1', 's', { memoryBytes: GiB }));
    expect(schedulePending(state, { now: 0, seed: 0 }).assignments).toEqual([{ taskId: 't1', nodeId: 'a' }]);
    state.taskAdded(makeTask('t2', 's', { memoryBytes: GiB }));
    const second = schedulePending(state, { now: 0, seed: 0 });
    expect(second.assignments).toEqual([]);
    expect(second.unplaceable[0]?.reason).toBe('no suitable node (1 node lacks 1GiB memory)');
    // An unrelated store update of the still-unassigned task does not undo the tentative assignment.
    state.taskUpdated(makeTask('t1', 's', { memoryBytes: GiB }));
    expect(state.entry('a' as NodeId)?.memoryBytesReserved).toBe(GiB);
    // The store confirms: nothing changes.
    state.taskUpdated(confirmed(makeTask('t1', 's', { memoryBytes: GiB }), 'a'));
    expect(state.entry('a' as NodeId)?.memoryBytesReserved).toBe(GiB);
    expect(state.task('t1' as TaskId)?.tentative).toBe(false);
  });

  it('abandons assignments whose commit failed: the task waits again and the node is freed', () => {
    const state = new SchedulerState();
    state.nodeUpserted(makeNode('a', { memoryBytes: GiB }));
    state.taskAdded(makeTask('t1', 's', { memoryBytes: GiB }));
    const plan = schedulePending(state, { now: 0, seed: 0 });
    state.abandon(plan.assignments.map((a) => a.taskId));
    expect(state.entry('a' as NodeId)?.memoryBytesReserved).toBe(0);
    expect(schedulePending(state, { now: 0, seed: 0 }).assignments).toEqual([{ taskId: 't1', nodeId: 'a' }]);
  });

  it('gives resources and ports back when tasks end or are removed', () => {
    const state = new SchedulerState();
    state.nodeUpserted(makeNode('a', { memoryBytes: GiB }));
    const running = makeTask('r', 's', { nodeId: 'a', memoryBytes: GiB, hostPorts: [80] });
    state.taskAdded(running);
    expect(state.entry('a' as NodeId)).toMatchObject({ memoryBytesReserved: GiB, taskCount: 1 });
    state.taskUpdated({ ...running, status: { ...running.status!, state: 'COMPLETE' } });
    expect(state.entry('a' as NodeId)).toMatchObject({ memoryBytesReserved: 0, taskCount: 0 });
    expect(state.entry('a' as NodeId)?.hostPortsInUse.size).toBe(0);
    state.taskAdded(makeTask('r2', 's', { nodeId: 'a', memoryBytes: GiB }));
    state.taskRemoved('r2' as TaskId);
    expect(state.entry('a' as NodeId)).toMatchObject({ memoryBytesReserved: 0, taskCount: 0 });
  });

  it('keeps a task that is being stopped counted until it has stopped', () => {
    const state = new SchedulerState();
    state.nodeUpserted(makeNode('a', { memoryBytes: GiB }));
    state.taskAdded(makeTask('old', 's', { nodeId: 'a', desired: 'SHUTDOWN', memoryBytes: GiB }));
    state.taskAdded(makeTask('new', 's', { memoryBytes: GiB }));
    expect(schedulePending(state, { now: 0, seed: 0 }).assignments).toEqual([]);
  });

  it('accepts tasks before their node (store replay order) and forgets removed nodes once empty', () => {
    const state = new SchedulerState();
    state.taskAdded(makeTask('r', 's', { nodeId: 'late', memoryBytes: GiB }));
    expect(state.entry('late' as NodeId)).toBeUndefined();
    state.nodeUpserted(makeNode('late', { memoryBytes: 2 * GiB }));
    expect(state.entry('late' as NodeId)?.memoryBytesReserved).toBe(GiB);
    state.nodeRemoved('late' as NodeId);
    state.taskAdded(makeTask('p', 's'));
    expect(schedulePending(state, { now: 0, seed: 0 }).unplaceable).toHaveLength(1);
    state.taskRemoved('r' as TaskId);
    expect(state.nodes.filter((n) => n !== undefined)).toHaveLength(0);
    state.nodeUpserted(makeNode('fresh'));
    expect(state.nodes).toHaveLength(1);
    expect(schedulePending(state, { now: 0, seed: 0 }).assignments).toEqual([{ taskId: 'p', nodeId: 'fresh' }]);
  });

  it('retries a blocked task only once something could have freed up', () => {
    const state = new SchedulerState();
    state.nodeUpserted(makeNode('a', { memoryBytes: GiB }));
    state.taskAdded(makeTask('r', 'other', { nodeId: 'a', memoryBytes: GiB }));
    state.taskAdded(makeTask('p', 's', { memoryBytes: GiB }));
    const first = schedulePending(state, { now: 0, seed: 0 });
    expect(first.unplaceable).toEqual([{ taskId: 'p', reason: 'no suitable node (1 node lacks 1GiB memory)' }]);
    const epoch = state.capacityEpoch;
    expect(state.task('p' as TaskId)?.blocked?.epoch).toBe(epoch);
    expect(schedulePending(state, { now: 0, seed: 0 })).toEqual(first);
    // The caller writing the reason into the task's status does not make it retry.
    state.taskUpdated({ ...makeTask('p', 's', { memoryBytes: GiB }), spec: state.task('p' as TaskId)!.task.spec });
    expect(state.capacityEpoch).toBe(epoch);
    // Nor does a running task's status moving forward in place.
    const running = state.task('r' as TaskId)!.task;
    state.taskUpdated({ ...running, status: { ...running.status!, state: 'RUNNING', timestampMs: 5 } });
    expect(state.capacityEpoch).toBe(epoch);
    state.taskRemoved('r' as TaskId);
    expect(schedulePending(state, { now: 0, seed: 0 }).assignments).toEqual([{ taskId: 'p', nodeId: 'a' }]);
  });

  it('retries a blocked task when a node joins', () => {
    const state = new SchedulerState();
    state.taskAdded(makeTask('p', 's'));
    expect(schedulePending(state, { now: 0, seed: 0 }).unplaceable).toHaveLength(1);
    state.nodeUpserted(makeNode('a'));
    expect(schedulePending(state, { now: 0, seed: 0 }).assignments).toEqual([{ taskId: 'p', nodeId: 'a' }]);
  });

  it('counts each failure once, however often the store repeats it', () => {
    const state = new SchedulerState();
    state.nodeUpserted(makeNode('a'));
    state.nodeUpserted(makeNode('b'));
    const failed = makeTask('f', 's', { nodeId: 'a', state: 'FAILED', timestampMs: 100 });
    for (let i = 0; i < 6; i++) state.taskUpdated(failed);
    const index = state.serviceIndex('s' as never);
    expect(index.failuresByNode.get('a' as NodeId)).toEqual([100]);
    expect(state.failingOn(index, 'a' as NodeId, 200)).toBe(false);
  });

  it('plans the same incrementally as from a snapshot', () => {
    const arb = fc.record({
      nodes: fc.array(fc.record({ memGiB: fc.integer({ min: 1, max: 4 }), zone: fc.constantFrom('a', 'b') }), { minLength: 1, maxLength: 8 }),
      batches: fc.array(fc.array(fc.record({ service: fc.integer({ min: 0, max: 2 }), memGiB: fc.integer({ min: 0, max: 2 }) }), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(fc.property(arb, (c) => {
      const nodes = c.nodes.map((g, i) => makeNode(`n${i}`, { memoryBytes: g.memGiB * GiB, labels: { zone: g.zone } }));
      const state = new SchedulerState();
      for (const n of nodes) state.nodeUpserted(n);
      let tasks: Task[] = [];
      c.batches.forEach((batch, b) => {
        const fresh = batch.map((t, i) => makeTask(`b${b}.${i}`, `s${t.service}`, {
          memoryBytes: t.memGiB * GiB, placement: t.service === 1 ? { preferences: [{ spreadDescriptor: 'node.labels.zone' }] } : undefined,
        }));
        tasks = tasks.filter((t) => t.nodeId !== '').concat(fresh);
        for (const t of fresh) state.taskAdded(t);
        const pure = schedule({ nodes, tasks, now: 0, seed: b });
        // Tasks left unplaced by an earlier batch are still pending in the state; drop them for a like-for-like comparison.
        for (const id of [...state.pending.keys()]) if (!fresh.some((t) => t.id === id)) state.taskRemoved(id);
        const incremental = schedulePending(state, { now: 0, seed: b });
        expect(incremental).toEqual(pure);
        const byId = new Map(incremental.assignments.map((a) => [a.taskId as string, a.nodeId as string]));
        tasks = tasks.map((t) => (byId.has(t.id) ? confirmed(t, byId.get(t.id)!) : t));
        for (const t of tasks) if (byId.has(t.id)) state.taskUpdated(t);
      });
    }), { seed: SEED, numRuns: 150 });
  });
});
