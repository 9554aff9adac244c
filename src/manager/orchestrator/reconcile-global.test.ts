import { describe, expect, it } from 'vitest';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';
import { taskName } from './task-names.js';

function cluster() {
  const c = new TestCluster();
  c.upsert(makeNode('n1'), makeNode('n2'), makeNode('n3'));
  c.upsert(makeService('agent', { mode: { kind: 'GLOBAL' }, task: { container: { image: 'agent:1' }, restart: { delayMs: 0 } } }));
  return c;
}
const running = (c: TestCluster) => c.wanted('agent').map((t) => t.nodeId).sort();

describe('global services', () => {
  it('creates one task per eligible node, already placed, named SERVICE.NODEID', () => {
    const c = cluster();
    const created = c.step('agent').flatMap((a) => (a.kind === 'create-task' ? [a.task] : []));
    expect(created.map((t) => [t.slot, t.nodeId, taskName(t)])).toEqual([[0, 'n1', 'agent.n1'], [0, 'n2', 'agent.n2'], [0, 'n3', 'agent.n3']]);
    c.settle('agent');
    expect(c.reconcile('agent')).toEqual([]);
  });

  it('follows nodes joining, and labels or constraints changing', () => {
    const c = cluster();
    c.settle('agent');
    c.upsert(makeNode('n4'));
    c.settle('agent');
    expect(running(c)).toEqual(['n1', 'n2', 'n3', 'n4']);
    c.eligible = (node) => node.id !== 'n2'; // e.g. n2 lost the label a constraint wants
    c.settle('agent');
    expect(running(c)).toEqual(['n1', 'n3', 'n4']);
    expect(c.store.tasksOnNode('n2').every((t) => t.status?.state === 'SHUTDOWN')).toBe(true);
  });

  it('shuts down tasks on drained, Down and removed nodes, and comes back when the node does', () => {
    const c = cluster();
    c.settle('agent');
    c.updateNode('n1', (n) => ({ ...n, spec: { ...n.spec!, availability: 'DRAIN' } }));
    c.updateNode('n2', (n) => ({ ...n, status: { ...n.status!, state: 'DOWN' } }));
    c.commit([{ kind: 'REMOVE', object: { node: c.store.get('node', 'n3')! } }]);
    c.settle('agent');
    expect(running(c)).toEqual([]);
    expect(c.store.tasksOnNode('n3')).toEqual([]); // a removed node keeps no history
    c.updateNode('n2', (n) => ({ ...n, status: { ...n.status!, state: 'READY' } }));
    c.settle('agent');
    expect(running(c)).toEqual(['n2']);
  });

  it('keeps tasks on paused nodes but starts none there', () => {
    const c = cluster();
    c.settle('agent');
    c.updateNode('n1', (n) => ({ ...n, spec: { ...n.spec!, availability: 'PAUSE' } }));
    c.upsert({ ...makeNode('n4'), spec: { availability: 'PAUSE', desiredRole: 'WORKER' } });
    c.settle('agent');
    expect(running(c)).toEqual(['n1', 'n2', 'n3']);
  });

  it('keeps tasks on nodes whose state is UNKNOWN (after a leader change)', () => {
    const c = cluster();
    c.settle('agent');
    c.updateNode('n1', (n) => ({ ...n, status: { ...n.status!, state: 'UNKNOWN' } }));
    expect(c.reconcile('agent')).toEqual([]);
  });

  it('restarts a failed task on its own node', () => {
    const c = cluster();
    c.settle('agent');
    const failed = c.wanted('agent').find((t) => t.nodeId === 'n2')!;
    c.setStatus(failed.id, 'FAILED');
    const created = c.step('agent').flatMap((a) => (a.kind === 'create-task' ? [a.task] : []));
    expect(created.map((t) => t.nodeId)).toEqual(['n2']);
  });
});
