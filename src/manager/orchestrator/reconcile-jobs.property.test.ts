// Jobs under random completions, failures and node loss: never more than
// maxConcurrent at once, and exactly totalCompletions in the end.
// fast-check prints the seed of any failure; replay it with FC_SEED=<seed>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminal } from './reconcile-tasks.js';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

type Event = { kind: 'finish'; pick: number; ok: boolean } | { kind: 'node'; node: number; down: boolean } | { kind: 'step' } | { kind: 'work' };
const arbEvent: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('node' as const), node: fc.integer({ min: 1, max: 2 }), down: fc.boolean() }),
  fc.constant({ kind: 'step' as const }),
  fc.constant({ kind: 'work' as const }),
);

const liveJobTasks = (c: TestCluster) => c.store.tasksOfService('job').filter((t) => t.desiredState === 'COMPLETE' && !isTerminal(t));

describe('replicated job properties', () => {
  it('respects maxConcurrent and ends with exactly totalCompletions', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.array(arbEvent, { maxLength: 60 }), (total, concurrent, events) => {
      const c = new TestCluster();
      c.upsert(makeNode('n1'), makeNode('n2'));
      c.upsert(makeService('job', { mode: { kind: 'REPLICATED_JOB', totalCompletions: total, maxConcurrent: concurrent }, task: { container: { image: 'batch' }, restart: { condition: 'ON_FAILURE', delayMs: 0 } } }));
      const finish = (ok: boolean, pick = 0) => {
        const running = c.store.tasksOfService('job').filter((t) => t.desiredState === 'COMPLETE' && t.status?.state === 'RUNNING');
        const task = running[pick % Math.max(1, running.length)];
        if (task !== undefined) c.setStatus(task.id, ok ? 'COMPLETE' : 'FAILED');
      };
      for (const event of events) {
        if (event.kind === 'finish') finish(event.ok, event.pick);
        else if (event.kind === 'node') c.updateNode(`n${event.node}`, (n) => ({ ...n, status: { ...n.status!, state: event.down ? 'DOWN' : 'READY' } }));
        else if (event.kind === 'work') { c.scheduleAll(); c.runAll(); c.stopAll(); }
        else {
          c.step('job');
          const onLiveNodes = liveJobTasks(c).filter((t) => t.nodeId === '' || c.store.get('node', t.nodeId)?.status?.state !== 'DOWN');
          expect(onLiveNodes.length).toBeLessThanOrEqual(concurrent);
        }
      }
      for (const n of ['n1', 'n2']) c.updateNode(n, (node) => ({ ...node, status: { ...node.status!, state: 'READY' } }));
      for (let round = 0; round < 100 && c.store.taskCounts('job').completed < total; round++) {
        c.settle('job');
        finish(true);
      }
      c.settle('job');
      expect(c.store.taskCounts('job').completed).toBe(total);
      expect(liveJobTasks(c)).toEqual([]);
    }), { numRuns: 150, ...(seed === undefined ? {} : { seed }) });
  });
});
