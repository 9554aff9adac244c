import { describe, expect, it } from 'vitest';
import { codec, type StoreAction, type StoreBatch, type Task } from '../../gen/index.js';
import { MemoryStore, type StoreChangeSet, decodeBatch, encodeBatch, storeAction } from './index.js';

const service = (id: string, name: string, labels: Record<string, string> = {}) => codec.Service.fromPartial({ id, spec: { annotations: { name, labels } } });
const task = (id: string, serviceId: string, slot: number, nodeId = '', extra: Parameters<typeof codec.Task.fromPartial>[0] = {}) =>
  codec.Task.fromPartial({ id, serviceId, slot, nodeId, desiredState: 'RUNNING', ...extra });
const batch = (actions: StoreAction[], proposedAtMs = 1000, proposalId = 'p'): StoreBatch => ({ proposalId, actions, proposedAtMs });

describe('MemoryStore.apply', () => {
  it('creates objects stamped with the log index and the leader time', () => {
    const store = new MemoryStore();
    const result = store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s1', 'web') })], 5000), 7);
    expect(result.ok).toBe(true);
    const stored = store.get('service', 's1');
    expect(stored?.meta).toEqual({ version: { index: 7 }, createdAtMs: 5000, updatedAtMs: 5000 });
    expect(store.appliedIndex).toBe(7);
  });

  it('keeps createdAtMs and bumps the version on update', () => {
    const store = new MemoryStore();
    store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s1', 'web') })], 5000), 1);
    const read = structuredClone(store.get('service', 's1')!);
    read.spec!.annotations!.labels = { a: 'b' };
    expect(store.apply(batch([storeAction('UPDATE', { kind: 'service', object: read })], 6000), 2).ok).toBe(true);
    expect(store.get('service', 's1')?.meta).toEqual({ version: { index: 2 }, createdAtMs: 5000, updatedAtMs: 6000 });
  });

  it('rejects an update carrying a stale version (optimistic concurrency)', () => {
    const store = new MemoryStore();
    store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s1', 'web') })]), 1);
    const stale = structuredClone(store.get('service', 's1')!);
    store.apply(batch([storeAction('UPDATE', { kind: 'service', object: structuredClone(stale) })]), 2);
    const result = store.apply(batch([storeAction('UPDATE', { kind: 'service', object: stale })]), 3);
    expect(result).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(store.get('service', 's1')?.meta?.version?.index).toBe(2);
    expect(store.appliedIndex).toBe(3);
  });

  it('rejects duplicate IDs and names of named kinds, but not node hostnames', () => {
    const store = new MemoryStore();
    store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s1', 'web') })]), 1);
    expect(store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s1', 'other') })]), 2)).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s2', 'web') })]), 3)).toMatchObject({ ok: false, error: { kind: 'name-taken' } });
    const node = (id: string) => codec.Node.fromPartial({ id, description: { hostname: 'h' } });
    expect(store.apply(batch([storeAction('CREATE', { kind: 'node', object: node('n1') }), storeAction('CREATE', { kind: 'node', object: node('n2') })]), 4).ok).toBe(true);
    expect(store.getByName('node', 'h').map((n) => n.id).sort()).toEqual(['n1', 'n2']);
  });

  it('frees a name once its owner is removed or renamed in the same batch', () => {
    const store = new MemoryStore();
    store.apply(batch([storeAction('CREATE', { kind: 'network', object: codec.Network.fromPartial({ id: 'n1', spec: { annotations: { name: 'net' } } }) })]), 1);
    const renamed = structuredClone(store.get('network', 'n1')!);
    renamed.spec!.annotations!.name = 'net2';
    const result = store.apply(batch([
      storeAction('UPDATE', { kind: 'network', object: renamed }),
      storeAction('CREATE', { kind: 'network', object: codec.Network.fromPartial({ id: 'n2', spec: { annotations: { name: 'net' } } }) }),
    ]), 2);
    expect(result.ok).toBe(true);
    expect(store.getByName('network', 'net').map((n) => n.id)).toEqual(['n2']);
    expect(store.getByName('network', 'net2').map((n) => n.id)).toEqual(['n1']);
  });

  it('applies a batch all or nothing', () => {
    const store = new MemoryStore();
    const result = store.apply(batch([
      storeAction('CREATE', { kind: 'task', object: task('t1', 's1', 1) }),
      storeAction('REMOVE', { kind: 'task', object: task('missing', 's1', 2) }),
    ]), 1);
    expect(result).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(store.get('task', 't1')).toBeUndefined();
    expect(store.tasksOfService('s1')).toEqual([]);
  });

  it('rejects actions without exactly one object', () => {
    const store = new MemoryStore();
    expect(store.apply(batch([{ kind: 'CREATE', object: {} }]), 1)).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(store.apply(batch([{ kind: 'CREATE', object: { task: task('', 's', 1) } }]), 2)).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('upserts without version checks (status reports, heartbeats)', () => {
    const store = new MemoryStore();
    expect(store.apply(batch([storeAction('UPSERT', { kind: 'task', object: task('t1', 's1', 1) })], 10), 1).ok).toBe(true);
    const report = task('t1', 's1', 1, '', { status: { state: 'RUNNING' } });
    expect(store.apply(batch([storeAction('UPSERT', { kind: 'task', object: report })], 20), 2).ok).toBe(true);
    expect(store.get('task', 't1')?.meta).toEqual({ version: { index: 2 }, createdAtMs: 10, updatedAtMs: 20 });
  });

  it('refuses to go back in the log (a driver bug)', () => {
    const store = new MemoryStore();
    store.apply(batch([]), 5);
    expect(() => store.apply(batch([]), 5)).toThrow(/log index/);
  });

  it('never changes an object in place: earlier reads and snapshots stay as they were', () => {
    const store = new MemoryStore();
    store.apply(batch([storeAction('CREATE', { kind: 'service', object: service('s1', 'web') })]), 1);
    const before = store.get('service', 's1')!;
    const snapshot = store.snapshot();
    const renamed = structuredClone(before);
    renamed.spec!.annotations!.name = 'api';
    store.apply(batch([storeAction('UPDATE', { kind: 'service', object: renamed })]), 2);
    expect(before.spec?.annotations?.name).toBe('web');
    expect(before.meta?.version?.index).toBe(1);
    expect(snapshot.services[0]?.spec?.annotations?.name).toBe('web');
    expect(store.get('service', 's1')?.spec?.annotations?.name).toBe('api');
  });
});

describe('MemoryStore events', () => {
  it('publishes typed events after each applied batch, with the previous object on update', () => {
    const store = new MemoryStore();
    const seen: StoreChangeSet[] = [];
    const unsubscribe = store.watch((changes) => seen.push(changes));
    store.apply(batch([storeAction('CREATE', { kind: 'task', object: task('t1', 's1', 1) })], 1, 'a'), 1);
    const updated = structuredClone(store.get('task', 't1')!);
    updated.desiredState = 'SHUTDOWN';
    store.apply(batch([storeAction('UPDATE', { kind: 'task', object: updated })], 2, 'b'), 2);
    store.apply(batch([storeAction('UPDATE', { kind: 'task', object: updated })], 3, 'c'), 3); // stale: no event
    store.apply(batch([storeAction('REMOVE', { kind: 'task', object: updated })], 4, 'd'), 4);
    unsubscribe();
    store.apply(batch([storeAction('CREATE', { kind: 'task', object: task('t2', 's1', 2) })]), 5);
    expect(seen.map((c) => [c.proposalId, c.logIndex, c.events.map((e) => `${e.kind}:${e.action}:${e.object.id}`)])).toEqual([
      ['a', 1, ['task:create:t1']],
      ['b', 2, ['task:update:t1']],
      ['d', 4, ['task:remove:t1']],
    ]);
    const update = seen[1]?.events[0];
    expect(update?.kind === 'task' && update.previous?.desiredState).toBe('RUNNING');
  });
});

describe('MemoryStore reads', () => {
  const seeded = () => {
    const store = new MemoryStore();
    store.apply(batch([
      storeAction('CREATE', { kind: 'service', object: service('abc111', 'web', { 'com.docker.stack.namespace': 'shop' }) }),
      storeAction('CREATE', { kind: 'service', object: service('abc222', 'db') }),
      storeAction('CREATE', { kind: 'task', object: task('t1', 'abc111', 1, 'n1', { status: { state: 'RUNNING' } }) }),
      storeAction('CREATE', { kind: 'task', object: task('t2', 'abc111', 2, 'n2', { status: { state: 'RUNNING', health: 'starting' } }) }),
      storeAction('CREATE', { kind: 'task', object: task('t3', 'abc111', 1, 'n2', { desiredState: 'SHUTDOWN', status: { state: 'FAILED' } }) }),
      storeAction('CREATE', { kind: 'task', object: task('t4', 'abc222', 0, 'n1', { status: { state: 'COMPLETE' }, desiredState: 'COMPLETE' }) }),
    ]), 1);
    return store;
  };

  it('resolves IDs, names and unique prefixes as Docker does', () => {
    const store = seeded();
    expect(store.resolve('service', 'abc111')).toMatchObject({ ok: true, value: { id: 'abc111' } });
    expect(store.resolve('service', 'db')).toMatchObject({ ok: true, value: { id: 'abc222' } });
    expect(store.resolve('service', 'abc2')).toMatchObject({ ok: true, value: { id: 'abc222' } });
    expect(store.resolve('service', 'abc')).toEqual({ ok: false, error: { kind: 'ambiguous', message: 'service abc is ambiguous (2 matches found)' } });
    expect(store.resolve('service', 'nope')).toEqual({ ok: false, error: { kind: 'not-found', message: 'No such service: nope' } });
  });

  it('answers task queries from indexes', () => {
    const store = seeded();
    const ids = (tasks: Task[]) => tasks.map((t) => t.id).sort();
    expect(ids(store.tasksOfService('abc111'))).toEqual(['t1', 't2', 't3']);
    expect(ids(store.tasksOnNode('n2'))).toEqual(['t2', 't3']);
    expect(ids(store.tasksInSlot('abc111', 1))).toEqual(['t1', 't3']);
    expect(ids(store.tasksInSlot('abc222', 0, 'n1'))).toEqual(['t4']);
    expect(ids(store.tasksWithDesiredState('RUNNING'))).toEqual(['t1', 't2']);
    expect(ids(store.listTasks({ serviceIds: ['abc111'], nodeIds: ['n2'], desiredStates: ['RUNNING'] }))).toEqual(['t2']);
    expect(store.taskCounts('abc111')).toEqual({ running: 1, completed: 0 });
    expect(store.taskCounts('abc222')).toEqual({ running: 0, completed: 1 });
  });

  it('lists with Docker filters', () => {
    const store = seeded();
    expect(store.list('service', { namePrefixes: ['we'] }).map((s) => s.id)).toEqual(['abc111']);
    expect(store.list('service', { namespace: 'shop' }).map((s) => s.id)).toEqual(['abc111']);
    expect(store.list('service', { labels: { 'com.docker.stack.namespace': '' } }).map((s) => s.id)).toEqual(['abc111']);
    expect(store.list('service', { idPrefixes: ['abc2'] }).map((s) => s.id)).toEqual(['abc222']);
  });

  it('rebuilds the same store from a snapshot', () => {
    const store = seeded();
    const encoded = codec.StoreSnapshot.encode(store.snapshot());
    const restored = new MemoryStore();
    restored.restore(codec.StoreSnapshot.decode(encoded), 1);
    expect(restored.snapshot()).toEqual(store.snapshot());
    expect(restored.taskCounts('abc111')).toEqual({ running: 1, completed: 0 });
    expect(restored.tasksInSlot('abc111', 1).length).toBe(2);
    expect(restored.appliedIndex).toBe(1);
  });

  it('round-trips batches through the Raft entry encoding', () => {
    const original = batch([storeAction('CREATE', { kind: 'task', object: task('t1', 's', 1) })], 42, 'prop-1');
    const decoded = decodeBatch(encodeBatch(original));
    expect(decoded).toEqual({ ok: true, value: codec.StoreBatch.fromPartial(original) });
    expect(decodeBatch(new Uint8Array([0xff, 0xff, 0xff])).ok).toBe(false);
  });
});

describe('MemoryStore misuse', () => {
  it('refuses writes from inside a listener (they must go through Raft)', () => {
    const store = new MemoryStore();
    store.watch(() => store.apply(batch([]), 99));
    expect(() => store.apply(batch([]), 1)).toThrow(/listener wrote/);
  });
});
