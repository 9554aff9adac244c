import { describe, expect, it } from 'vitest';
import { codec, type Task } from '../../gen/index.js';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';

function cluster(replicas: number, update: { parallelism?: number; delayMs?: number; order?: 'STOP_FIRST' | 'START_FIRST' }) {
  const c = new TestCluster();
  c.upsert(makeNode('n1'), makeNode('n2'));
  c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas }, update, task: { container: { image: 'nginx:1' }, restart: { delayMs: 0 } } }));
  c.settle('web');
  return c;
}
const image = (t: Task) => t.spec?.container?.image;
const setImage = (c: TestCluster, tag: string) => c.updateService('web', (s) => (s.spec!.task!.container!.image = tag));
/** One orchestrator pass followed by workers doing what they were told. */
const round = (c: TestCluster) => {
  const actions = c.step('web');
  c.scheduleAll();
  c.stopAll();
  c.runAll();
  return actions;
};

describe('rolling updates', () => {
  it('stop-first, one at a time: stops the old task before starting its replacement', () => {
    const c = cluster(3, { parallelism: 1 });
    setImage(c, 'nginx:2');
    const first = c.step('web');
    expect(first.map((a) => a.kind)).toEqual(['update-service', 'update-task']);
    expect(first[0]).toMatchObject({ kind: 'update-service', service: { updateStatus: { state: 'UPDATING', message: 'update in progress' } } });
    expect(first[1]).toMatchObject({ kind: 'update-task', task: { slot: 1, desiredState: 'SHUTDOWN' } });
    expect(c.step('web')).toEqual([]); // slot 1 is still stopping: nothing starts
    c.stopAll();
    const next = c.step('web');
    expect(next.map((a) => a.kind === 'create-task' && [a.task.slot, image(a.task)])).toEqual([[1, 'nginx:2']]);
    for (let i = 0; i < 20; i++) round(c);
    expect(c.wanted('web').map(image)).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
    expect(c.store.get('service', 'web')?.updateStatus).toMatchObject({ state: 'COMPLETED', message: 'update completed' });
  });

  it('never has more than `parallelism` slots out of service at once', () => {
    const c = cluster(6, { parallelism: 2 });
    setImage(c, 'nginx:2');
    for (let i = 0; i < 30; i++) {
      round(c);
      const wanted = c.wanted('web');
      const up = wanted.filter((t) => t.status?.state === 'RUNNING').length;
      expect(up).toBeGreaterThanOrEqual(4);
    }
    expect(c.wanted('web').map(image)).toEqual(Array(6).fill('nginx:2'));
  });

  it('replaces tasks whose containers must change for new ports (host-mode, or first mesh port), not for another mesh port number', () => {
    const c = cluster(2, { parallelism: 0 });
    const initial = c.wanted('web').map((t) => t.id);
    const publish = (mode: 'INGRESS' | 'HOST', publishedPort: number) =>
      c.updateService('web', (s) => {
        const endpoint = { ports: [codec.PortConfig.fromPartial({ protocol: 'TCP', targetPort: 80, publishedPort, publishMode: mode })] };
        s.spec!.endpoint = codec.EndpointSpec.fromPartial(endpoint);
        s.endpoint = codec.ServiceEndpoint.fromPartial({ spec: endpoint, ports: endpoint.ports });
      });
    // Starting to publish through the mesh: the tasks need ingress addresses, so new ones.
    publish('INGRESS', 8080);
    for (let i = 0; i < 10; i++) round(c);
    const before = c.wanted('web').map((t) => t.id);
    expect(before.filter((id) => initial.includes(id))).toEqual([]);
    // Another mesh port: every node's data plane follows; the containers stay.
    publish('INGRESS', 8090);
    for (let i = 0; i < 5; i++) round(c);
    expect(c.wanted('web').map((t) => t.id)).toEqual(before);
    publish('HOST', 8081);
    for (let i = 0; i < 10; i++) round(c);
    const after = c.wanted('web');
    expect(after.map((t) => t.id).filter((id) => before.includes(id))).toEqual([]);
    expect(after.map((t) => t.endpoint?.ports.map((p) => `${p.publishMode}:${p.publishedPort}`))).toEqual([['HOST:8081'], ['HOST:8081']]);
    for (let i = 0; i < 5; i++) round(c);
    expect(c.wanted('web').map((t) => t.id)).toEqual(after.map((t) => t.id));
  });

  it('parallelism 0 replaces every slot at once', () => {
    const c = cluster(4, { parallelism: 0 });
    setImage(c, 'nginx:2');
    const actions = c.step('web');
    expect(actions.filter((a) => a.kind === 'update-task')).toHaveLength(4);
  });

  it('waits `delay` after a batch comes up before the next one', () => {
    const c = cluster(2, { parallelism: 1, delayMs: 30_000 });
    setImage(c, 'nginx:2');
    round(c); // slot 1 told to stop, and stops
    round(c); // slot 1 replaced, and the replacement runs
    round(c);
    const upAt = c.nowMs;
    const waiting = c.step('web');
    expect(waiting).toEqual([{ kind: 'wake-at', atMs: upAt + 30_000, reason: 'update delay' }]);
    c.nowMs = upAt + 30_000;
    expect(c.step('web')).toContainEqual(expect.objectContaining({ kind: 'update-task', task: expect.objectContaining({ slot: 2, desiredState: 'SHUTDOWN' }) }));
  });

  it('start-first starts the new task, and stops the old one only once the new one runs', () => {
    const c = cluster(1, { order: 'START_FIRST' });
    const old = c.wanted('web')[0]!;
    setImage(c, 'nginx:2');
    const first = c.step('web');
    expect(first.map((a) => a.kind)).toEqual(['update-service', 'create-task']);
    expect(c.step('web')).toEqual([]); // the new task is not running yet; the old one stays
    c.scheduleAll();
    c.runAll();
    expect(c.step('web')).toEqual([
      { kind: 'update-task', task: expect.objectContaining({ id: old.id, desiredState: 'SHUTDOWN' }) },
      { kind: 'update-service', service: expect.objectContaining({ updateStatus: expect.objectContaining({ state: 'COMPLETED' }) }) },
    ]);
  });

  it('a forced update replaces tasks whose spec is otherwise unchanged', () => {
    const c = cluster(2, { parallelism: 0 });
    c.updateService('web', (s) => (s.spec!.task!.forceUpdate += 1));
    for (let i = 0; i < 10; i++) round(c);
    expect(c.wanted('web').every((t) => t.spec?.forceUpdate === 1)).toBe(true);
  });

  it('changing replicas alone is not an update', () => {
    const c = cluster(2, {});
    c.updateService('web', (s) => (s.spec!.mode!.replicas = 3));
    expect(c.step('web').map((a) => a.kind)).toEqual(['create-task']);
    expect(c.store.get('service', 'web')?.updateStatus).toBeUndefined();
  });

  it('a paused update replaces nothing, but restarts still happen', () => {
    const c = cluster(2, {});
    setImage(c, 'nginx:2');
    c.updateService('web', (s) => (s.updateStatus = { state: 'PAUSED', startedAtMs: 0, completedAtMs: 0, message: 'update paused' }));
    expect(c.step('web')).toEqual([]);
    c.setStatus(c.wanted('web')[0]!.id, 'FAILED');
    expect(c.step('web').filter((a) => a.kind === 'create-task').map((a) => a.kind === 'create-task' && image(a.task))).toEqual(['nginx:2']);
  });

  it('rolls back like an update and records it as a rollback', () => {
    const c = cluster(1, {});
    setImage(c, 'nginx:2');
    for (let i = 0; i < 10; i++) round(c);
    c.updateService('web', (s) => {
      s.spec!.task!.container!.image = 'nginx:1';
      s.updateStatus = { state: 'ROLLBACK_STARTED', startedAtMs: c.nowMs, completedAtMs: 0, message: 'rollback started' };
    });
    for (let i = 0; i < 10; i++) round(c);
    expect(c.wanted('web').map(image)).toEqual(['nginx:1']);
    // The rollback config's default monitor (5s) runs before it is complete.
    expect(c.store.get('service', 'web')?.updateStatus?.state).toBe('ROLLBACK_STARTED');
    c.nowMs += 5_000;
    round(c);
    expect(c.store.get('service', 'web')?.updateStatus).toMatchObject({ state: 'ROLLBACK_COMPLETED', message: 'rollback completed' });
  });

  it('updates global services node by node', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'), makeNode('n2'), makeNode('n3'));
    c.upsert(makeService('agent', { mode: { kind: 'GLOBAL' }, update: { parallelism: 1 } }));
    c.settle('agent');
    c.updateService('agent', (s) => (s.spec!.task!.container!.image = 'agent:2'));
    const first = c.step('agent');
    expect(first.filter((a) => a.kind === 'update-task').map((a) => a.kind === 'update-task' && a.task.nodeId)).toEqual(['n1']);
    c.settle('agent');
    expect(c.wanted('agent').map((t) => [t.nodeId, image(t)])).toEqual([['n1', 'agent:2'], ['n2', 'agent:2'], ['n3', 'agent:2']]);
  });
});

describe('updates meeting the restart policy', () => {
  it('replaces an old-spec task that the restart policy let end, writing it once', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'));
    c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas: 1 }, task: { container: { image: 'nginx:1' }, restart: { condition: 'NONE' } } }));
    c.settle('web');
    const old = c.wanted('web')[0]!;
    setImage(c, 'nginx:2');
    c.setStatus(old.id, 'FAILED'); // ends before the updater reached it
    const actions = c.step('web');
    expect(actions.filter((a) => a.kind === 'update-task')).toEqual([{ kind: 'update-task', task: expect.objectContaining({ id: old.id, desiredState: 'SHUTDOWN' }) }]);
    expect(actions.filter((a) => a.kind === 'create-task').map((a) => a.kind === 'create-task' && image(a.task))).toEqual(['nginx:2']);
  });
});

describe('start-first updates whose new task fails', () => {
  it('restart the new task after the restart delay while the old one keeps serving', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'));
    c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas: 1 }, update: { order: 'START_FIRST', failureAction: 'CONTINUE' }, task: { container: { image: 'nginx:1' }, restart: { condition: 'ANY', delayMs: 10_000 } } }));
    c.settle('web');
    const old = c.wanted('web')[0]!;
    setImage(c, 'nginx:2');
    c.step('web');
    c.scheduleAll();
    const fresh = c.wanted('web').find((t) => t.id !== old.id)!;
    c.setStatus(fresh.id, 'FAILED');
    const failedAt = c.nowMs;
    expect(c.step('web')).toEqual([{ kind: 'wake-at', atMs: failedAt + 10_000, reason: expect.stringMatching(/restart delay/) }]);
    c.nowMs = failedAt + 10_000;
    const actions = c.step('web');
    expect(actions.filter((a) => a.kind === 'create-task')).toHaveLength(1);
    expect(actions.filter((a) => a.kind === 'update-task').map((a) => a.kind === 'update-task' && a.task.id)).toEqual([fresh.id]);
    expect(c.store.get('task', old.id)?.desiredState).toBe('RUNNING');
  });
});
