// Property: however batches interleave, the indexes agree with a full scan,
// two stores fed the same log agree, and a snapshot restores the same store.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codec, type StoreAction, type Task, type TaskStatus_State } from '../../gen/index.js';
import { MemoryStore, isCountedRunning, storeAction } from './index.js';

const states: TaskStatus_State[] = ['NEW', 'RUNNING', 'COMPLETE', 'SHUTDOWN', 'FAILED'];
const arbTask = fc.record({
  id: fc.constantFrom('t1', 't2', 't3', 't4', 't5', 't6'),
  serviceId: fc.constantFrom('s1', 's2'),
  slot: fc.integer({ min: 0, max: 3 }),
  nodeId: fc.constantFrom('', 'n1', 'n2'),
  desiredState: fc.constantFrom<TaskStatus_State>('RUNNING', 'COMPLETE', 'SHUTDOWN'),
  state: fc.constantFrom(...states),
  health: fc.constantFrom('', 'healthy', 'starting'),
});
const arbAction = fc.record({ kind: fc.constantFrom<StoreAction['kind']>('CREATE', 'UPDATE', 'REMOVE', 'UPSERT'), task: arbTask, version: fc.integer({ min: 0, max: 5 }) });
const arbLog = fc.array(fc.array(arbAction, { minLength: 1, maxLength: 4 }), { maxLength: 30 });

type Act = typeof arbAction extends fc.Arbitrary<infer T> ? T : never;

function toBatch(actions: Act[], at: number) {
  return {
    proposalId: `p${at}`,
    proposedAtMs: at * 10,
    actions: actions.map(({ kind, task, version }) => storeAction(kind, { kind: 'task', object: codec.Task.fromPartial({
      id: task.id, serviceId: task.serviceId, slot: task.slot, nodeId: task.nodeId, desiredState: task.desiredState,
      status: { state: task.state, health: task.health }, meta: { version: { index: version } },
    }) })),
  };
}

function checkIndexes(store: MemoryStore): void {
  const all = store.list('task');
  const ids = (tasks: Task[]) => tasks.map((t) => t.id).sort();
  for (const s of ['s1', 's2']) {
    expect(ids(store.tasksOfService(s))).toEqual(ids(all.filter((t) => t.serviceId === s)));
    expect(store.taskCounts(s)).toEqual({
      running: all.filter((t) => t.serviceId === s && isCountedRunning(t)).length,
      completed: all.filter((t) => t.serviceId === s && t.status?.state === 'COMPLETE').length,
    });
    for (const slot of [1, 2, 3]) expect(ids(store.tasksInSlot(s, slot))).toEqual(ids(all.filter((t) => t.serviceId === s && t.slot === slot)));
    for (const n of ['n1', 'n2']) expect(ids(store.tasksInSlot(s, 0, n))).toEqual(ids(all.filter((t) => t.serviceId === s && t.slot === 0 && t.nodeId === n)));
  }
  for (const n of ['n1', 'n2']) expect(ids(store.tasksOnNode(n))).toEqual(ids(all.filter((t) => t.nodeId === n)));
  for (const d of ['RUNNING', 'COMPLETE', 'SHUTDOWN'] as const) expect(ids(store.tasksWithDesiredState(d))).toEqual(ids(all.filter((t) => t.desiredState === d)));
}

describe('MemoryStore properties', () => {
  it('keeps indexes equal to a scan, and is deterministic and restorable', () => {
    fc.assert(fc.property(arbLog, (log) => {
      const a = new MemoryStore();
      const b = new MemoryStore();
      log.forEach((actions, i) => {
        const ra = a.apply(toBatch(actions, i + 1), i + 1);
        const rb = b.apply(toBatch(actions, i + 1), i + 1);
        expect(ra.ok).toBe(rb.ok);
        checkIndexes(a);
      });
      expect(a.snapshot()).toEqual(b.snapshot());
      const restored = new MemoryStore();
      restored.restore(a.snapshot(), a.appliedIndex);
      checkIndexes(restored);
      expect(restored.snapshot()).toEqual(a.snapshot());
    }), { numRuns: 200 });
  });
});
