import { describe, expect, it } from 'vitest';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';

function jobCluster(totalCompletions: number, maxConcurrent: number, condition: 'ON_FAILURE' | 'NONE' | 'ANY' = 'ON_FAILURE') {
  const c = new TestCluster();
  c.upsert(makeNode('n1'), makeNode('n2'));
  c.upsert(makeService('job', { mode: { kind: 'REPLICATED_JOB', totalCompletions, maxConcurrent }, task: { container: { image: 'batch:1' }, restart: { condition, delayMs: 0 } } }));
  return c;
}
const live = (c: TestCluster, id = 'job') => c.store.tasksOfService(id).filter((t) => t.desiredState === 'COMPLETE' && t.status?.state !== 'COMPLETE' && t.status?.state !== 'FAILED');
const completeAll = (c: TestCluster, id = 'job') => {
  for (const t of live(c, id)) c.setStatus(t.id, 'COMPLETE');
};

describe('replicated jobs', () => {
  it('runs totalCompletions tasks, at most maxConcurrent at once, desired COMPLETE', () => {
    const c = jobCluster(5, 2);
    c.settle('job');
    expect(live(c).map((t) => t.slot)).toEqual([1, 2]);
    completeAll(c);
    c.settle('job');
    expect(live(c).map((t) => t.slot)).toEqual([3, 4]);
    completeAll(c);
    c.settle('job');
    expect(live(c).map((t) => t.slot)).toEqual([5]);
    completeAll(c);
    c.settle('job');
    expect(live(c)).toEqual([]);
    expect(c.store.taskCounts('job').completed).toBe(5);
    expect(c.reconcile('job')).toEqual([]);
  });

  it('restarts failed tasks on failure, never completed ones', () => {
    const c = jobCluster(1, 1);
    c.settle('job');
    const first = live(c)[0]!;
    c.setStatus(first.id, 'FAILED');
    c.settle('job');
    const second = live(c)[0]!;
    expect(second.slot).toBe(1);
    expect(second.id).not.toBe(first.id);
    c.setStatus(second.id, 'COMPLETE');
    c.settle('job');
    expect(live(c)).toEqual([]);
  });

  it('gives a slot up when the restart policy says so, without starting another', () => {
    const c = jobCluster(2, 1, 'NONE');
    c.settle('job');
    c.setStatus(live(c)[0]!.id, 'FAILED');
    c.settle('job');
    expect(live(c).map((t) => t.slot)).toEqual([2]);
    completeAll(c);
    c.settle('job');
    expect(live(c)).toEqual([]);
    expect(c.store.tasksOfService('job')).toHaveLength(2);
  });

  it('replaces a task lost with its node at once', () => {
    const c = jobCluster(1, 1);
    c.settle('job');
    const lost = live(c)[0]!;
    c.updateNode(lost.nodeId, (n) => ({ ...n, status: { ...n.status!, state: 'DOWN' } }));
    c.settle('job');
    expect(live(c).map((t) => [t.slot, t.nodeId === lost.nodeId])).toEqual([[1, false]]);
  });

  it('runs again from the start when the spec changes (service update --force)', () => {
    const c = jobCluster(1, 1);
    c.settle('job');
    completeAll(c);
    c.settle('job');
    c.updateService('job', (s) => (s.spec!.task!.forceUpdate += 1));
    c.settle('job');
    expect(live(c)).toHaveLength(1);
    expect(c.store.tasksOfService('job').filter((t) => t.desiredState === 'SHUTDOWN' && t.status?.state === 'COMPLETE')).toHaveLength(1);
  });
});

describe('global jobs', () => {
  it('runs one task to completion on every eligible node, and on nodes that join later', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'), makeNode('n2'));
    c.upsert(makeService('gj', { mode: { kind: 'GLOBAL_JOB' } }));
    c.settle('gj');
    expect(live(c, 'gj').map((t) => t.nodeId)).toEqual(['n1', 'n2']);
    completeAll(c, 'gj');
    c.settle('gj');
    expect(live(c, 'gj')).toEqual([]);
    c.upsert(makeNode('n3'));
    c.settle('gj');
    expect(live(c, 'gj').map((t) => t.nodeId)).toEqual(['n3']);
  });
});
