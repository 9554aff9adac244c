// Whatever order store events arrive in, the maintained indexes must equal
// those of a state built fresh from the final objects. Replay: FC_SEED=<n>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Node, Task, TaskStatus_State } from '../gen/index.js';
import type { NodeId, TaskId } from '../common/ids.js';
import { SchedulerState, schedulePending } from './index.js';
import { makeNode, makeTask } from './fixtures.test-support.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261122);
console.log(`state consistency property tests: FC_SEED=${SEED}`);
const STATES: TaskStatus_State[] = ['PENDING', 'ASSIGNED', 'RUNNING', 'FAILED', 'COMPLETE', 'SHUTDOWN'];

const eventArb = fc.oneof(
  fc.record({ kind: fc.constant('node' as const), node: fc.integer({ min: 0, max: 4 }), memGiB: fc.integer({ min: 1, max: 3 }), ready: fc.boolean() }),
  fc.record({ kind: fc.constant('removeNode' as const), node: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('task' as const), task: fc.integer({ min: 0, max: 9 }), node: fc.integer({ min: -1, max: 4 }), state: fc.constantFrom(...STATES), memGiB: fc.integer({ min: 0, max: 1 }), port: fc.boolean() }),
  fc.record({ kind: fc.constant('removeTask' as const), task: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('schedule' as const), commit: fc.boolean() }),
);

/** The comparable part of every known node entry. */
function summary(state: SchedulerState): unknown {
  return state.nodes
    .filter((e) => e !== undefined && (e.known || e.taskCount > 0))
    .map((e) => ({ id: e!.id, known: e!.known, tasks: e!.taskCount, mem: e!.memoryBytesReserved, ports: [...e!.hostPortsInUse].sort() }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('SchedulerState under any event order', () => {
  it('keeps indexes equal to a fresh build from the final objects', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
      const state = new SchedulerState();
      const nodes = new Map<string, Node>();
      const tasks = new Map<string, Task>();
      for (const e of events) {
        switch (e.kind) {
          case 'node': {
            const node = makeNode(`n${e.node}`, { memoryBytes: e.memGiB * 2 ** 30, ready: e.ready });
            nodes.set(node.id, node);
            state.nodeUpserted(node);
            break;
          }
          case 'removeNode':
            nodes.delete(`n${e.node}`);
            state.nodeRemoved(`n${e.node}` as NodeId);
            break;
          case 'task': {
            const nodeId = e.node < 0 || e.state === 'PENDING' ? '' : `n${e.node}`;
            const task = makeTask(`t${e.task}`, 's', { nodeId, state: e.state, memoryBytes: e.memGiB * 2 ** 30, hostPorts: e.port ? [80] : [] });
            tasks.set(task.id, task);
            state.taskUpdated(task);
            break;
          }
          case 'removeTask':
            tasks.delete(`t${e.task}`);
            state.taskRemoved(`t${e.task}` as TaskId);
            break;
          case 'schedule': {
            const plan = schedulePending(state, { now: 0, seed: 0 });
            if (!e.commit) {
              state.abandon(plan.assignments.map((a) => a.taskId));
              break;
            }
            for (const a of plan.assignments) {
              const task = tasks.get(a.taskId)!;
              const assigned = { ...task, nodeId: a.nodeId, status: { ...task.status!, state: 'ASSIGNED' as const } };
              tasks.set(task.id, assigned);
              state.taskUpdated(assigned);
            }
            break;
          }
        }
      }
      const fresh = new SchedulerState();
      for (const node of nodes.values()) fresh.nodeUpserted(node);
      for (const task of tasks.values()) fresh.taskAdded(task);
      expect(summary(state)).toEqual(summary(fresh));
      expect([...state.pending.keys()].sort()).toEqual([...fresh.pending.keys()].sort());
      const index = state.serviceIndex('s' as never);
      const freshIndex = fresh.serviceIndex('s' as never);
      const byId = (s: SchedulerState, counts: Map<number, number>) => [...counts].map(([o, c]) => [s.nodes[o]?.id, c]).sort();
      expect(byId(state, index.countsByNode)).toEqual(byId(fresh, freshIndex.countsByNode));
      expect([...index.occupying].sort()).toEqual([...freshIndex.occupying].sort());
    }), { seed: SEED, numRuns: 400 });
  });
});
