import { describe, expect, it } from 'vitest';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';
import { taskName } from './task-names.js';

function cluster(replicas: number, restart?: { condition?: 'ANY' | 'ON_FAILURE' | 'NONE'; delayMs?: number; maxAttempts?: number; windowMs?: number }) {
  const c = new TestCluster();
  c.upsert(makeNode('n1'), makeNode('n2'), makeNode('n3'));
  c.upsert({
    ...makeService('web', { mode: { kind: 'REPLICATED', replicas }, task: { container: { image: 'nginx:1' }, restart: restart ? { delayMs: 0, ...restart } : undefined } }),
    endpoint: { virtualIps: [{ networkId: 'ingress', addr: '10.0.0.2/24' }], ports: [] },
  });
  return c;
}

describe('replicated services: scaling', () => {
  it('creates one unassigned task per slot, copying the service into it', () => {
    const c = cluster(3);
    const actions = c.step('web');
    const created = actions.flatMap((a) => (a.kind === 'create-task' ? [a.task] : []));
    expect(created.map((t) => t.slot)).toEqual([1, 2, 3]);
    for (const task of created) {
      expect(task).toMatchObject({ serviceId: 'web', nodeId: '', desiredState: 'RUNNING', status: { state: 'NEW' } });
      expect(task.spec?.container?.image).toBe('nginx:1');
      expect(task.serviceAnnotations?.name).toBe('web');
      expect(task.endpoint?.virtualIps).toEqual([{ networkId: 'ingress', addr: '10.0.0.2/24' }]);
      expect(task.specVersion?.index).toBe(c.store.get('service', 'web')?.meta?.version?.index);
    }
    expect(created.map(taskName)).toEqual(['web.1', 'web.2', 'web.3']);
    expect(c.reconcile('web')).toEqual([]); // a fixpoint: nothing more to do
  });

  it('scales up into new slots and down by shutting down the highest slots', () => {
    const c = cluster(2);
    c.settle('web');
    c.updateService('web', (s) => (s.spec!.mode!.replicas = 5));
    c.settle('web');
    expect(c.wanted('web').map((t) => t.slot)).toEqual([1, 2, 3, 4, 5]);
    c.updateService('web', (s) => (s.spec!.mode!.replicas = 3));
    const actions = c.step('web');
    expect(actions.map((a) => (a.kind === 'update-task' ? `${a.task.slot}:${a.task.desiredState}` : a.kind))).toEqual(['4:SHUTDOWN', '5:SHUTDOWN']);
    c.settle('web');
    expect(c.wanted('web').map((t) => t.slot)).toEqual([1, 2, 3]);
  });

  it('does not start a slot again while its scaled-down task is still stopping', () => {
    const c = cluster(2);
    c.settle('web');
    c.updateService('web', (s) => (s.spec!.mode!.replicas = 1));
    c.step('web');
    c.updateService('web', (s) => (s.spec!.mode!.replicas = 2));
    expect(c.step('web').filter((a) => a.kind === 'create-task')).toEqual([]);
    c.stopAll();
    expect(c.step('web').filter((a) => a.kind === 'create-task').map((a) => a.kind === 'create-task' && a.task.slot)).toEqual([2]);
  });
});

describe('replicated services: restart policy', () => {
  const failSlot1 = (c: TestCluster) => {
    const task = c.wanted('web').find((t) => t.slot === 1)!;
    c.setStatus(task.id, 'FAILED');
    return task;
  };

  it('replaces a failed task in its slot (condition any) and retires the old one', () => {
    const c = cluster(2, { condition: 'ANY' });
    c.settle('web');
    const failed = failSlot1(c);
    const actions = c.step('web');
    expect(actions).toContainEqual(expect.objectContaining({ kind: 'update-task', task: expect.objectContaining({ id: failed.id, desiredState: 'SHUTDOWN' }) }));
    const created = actions.flatMap((a) => (a.kind === 'create-task' ? [a.task] : []));
    expect(created.map((t) => t.slot)).toEqual([1]);
  });

  it('waits for the restart delay, asking to be woken', () => {
    const c = cluster(1, { condition: 'ANY', delayMs: 10_000 });
    c.settle('web');
    failSlot1(c);
    const failedAt = c.nowMs;
    c.nowMs += 3_000;
    expect(c.step('web')).toEqual([{ kind: 'wake-at', atMs: failedAt + 10_000, reason: expect.stringMatching(/restart delay/) }]);
    c.nowMs = failedAt + 10_000;
    expect(c.step('web').filter((a) => a.kind === 'create-task')).toHaveLength(1);
  });

  it('does not restart a completed task on-failure, nor anything with condition none; the slot stays filled', () => {
    for (const [condition, state] of [['ON_FAILURE', 'COMPLETE'], ['NONE', 'FAILED']] as const) {
      const c = cluster(1, { condition });
      c.settle('web');
      const task = c.wanted('web')[0]!;
      c.setStatus(task.id, state);
      expect(c.step('web')).toEqual([{ kind: 'update-task', task: expect.objectContaining({ id: task.id, desiredState: 'COMPLETE' }) }]);
      c.settle('web');
      expect(c.store.tasksOfService('web')).toHaveLength(1);
    }
  });

  it('restarts on failure up to max attempts, then gives up', () => {
    const c = cluster(1, { condition: 'ON_FAILURE', maxAttempts: 2 });
    c.settle('web');
    for (let i = 0; i < 3; i++) {
      failSlot1(c);
      c.nowMs += 1_000;
      c.settle('web');
    }
    const tasks = c.store.tasksOfService('web');
    expect(tasks).toHaveLength(3); // the original and two restarts
    expect(tasks.filter((t) => t.desiredState === 'COMPLETE')).toHaveLength(1);
    expect(c.wanted('web')).toEqual([]);
  });

  it('counts attempts only within the restart window', () => {
    const c = cluster(1, { condition: 'ANY', maxAttempts: 1, windowMs: 60_000 });
    c.settle('web');
    failSlot1(c);
    c.settle('web');
    c.nowMs += 120_000; // the first failure is now outside the window
    failSlot1(c);
    c.settle('web');
    expect(c.wanted('web')).toHaveLength(1);
    failSlot1(c); // a second failure inside the window: give up
    c.settle('web');
    expect(c.wanted('web')).toHaveLength(0);
  });

  it('keeps at most task-history-limit tasks per slot, removing the oldest dead ones', () => {
    const c = cluster(1, { condition: 'ANY' });
    c.taskHistoryLimit = 3;
    c.settle('web');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(failSlot1(c).id);
      c.nowMs += 1_000;
      c.settle('web');
    }
    const left = c.store.tasksInSlot('web', 1);
    expect(left).toHaveLength(3);
    expect(left.map((t) => t.id)).not.toContain(ids[0]);
    expect(left.filter((t) => t.desiredState === 'RUNNING')).toHaveLength(1);
  });
});

describe('replicated services: nodes going away', () => {
  it('replaces tasks of a Down node at once and leaves the old ones desired SHUTDOWN', () => {
    const c = cluster(3, { condition: 'ANY', delayMs: 60_000 });
    c.settle('web');
    const onN1 = c.store.tasksOnNode('n1').filter((t) => t.desiredState === 'RUNNING');
    expect(onN1.length).toBeGreaterThan(0);
    c.updateNode('n1', (n) => ({ ...n, status: { ...n.status!, state: 'DOWN' } }));
    const actions = c.step('web');
    expect(actions.filter((a) => a.kind === 'update-task').map((a) => a.kind === 'update-task' && [a.task.id, a.task.desiredState])).toEqual(onN1.map((t) => [t.id, 'SHUTDOWN']));
    expect(actions.filter((a) => a.kind === 'create-task').map((a) => a.kind === 'create-task' && a.task.slot)).toEqual(onN1.map((t) => t.slot));
    c.settle('web');
    expect(c.wanted('web').every((t) => t.nodeId !== 'n1')).toBe(true);
    expect(c.wanted('web')).toHaveLength(3);
  });

  it('moves tasks off a drained node', () => {
    const c = cluster(3);
    c.settle('web');
    c.updateNode('n2', (n) => ({ ...n, spec: { ...n.spec!, availability: 'DRAIN' } }));
    c.settle('web');
    expect(c.wanted('web').map((t) => t.nodeId)).not.toContain('n2');
    expect(c.store.tasksOnNode('n2').every((t) => t.status?.state === 'SHUTDOWN')).toBe(true);
  });
});

describe('removed services', () => {
  it('tells live tasks to go, then deletes them once stopped', () => {
    const c = cluster(2);
    c.settle('web');
    c.commit([{ kind: 'REMOVE', object: { service: c.store.get('service', 'web')! } }]);
    expect(c.step('web').map((a) => a.kind === 'update-task' && a.task.desiredState)).toEqual(['REMOVE', 'REMOVE']);
    c.stopAll();
    expect(c.step('web').map((a) => a.kind)).toEqual(['remove-task', 'remove-task']);
    expect(c.store.tasksOfService('web')).toEqual([]);
  });
});
