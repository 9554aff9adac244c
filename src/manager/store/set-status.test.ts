import { describe, expect, it } from 'vitest';
import { codec, type StoreAction } from '../../gen/index.js';
import { MemoryStore } from './index.js';

let proposal = 0;
function apply(store: MemoryStore, index: number, actions: StoreAction[]) {
  return store.apply(codec.StoreBatch.fromPartial({ proposalId: `p${++proposal}`, proposedAtMs: 1000 + index, actions }), index);
}

describe('SET_STATUS', () => {
  it('replaces only a task\'s status, never its desired state, and only forwards', () => {
    const store = new MemoryStore();
    apply(store, 1, [{ kind: 'CREATE', object: { task: codec.Task.fromPartial({ id: 't1', desiredState: 'RUNNING', status: { state: 'ASSIGNED' } }) } }]);
    // The orchestrator asks for shutdown while the agent's report is in flight.
    const stored = store.get('task', 't1')!;
    apply(store, 2, [{ kind: 'UPDATE', object: { task: { ...stored, desiredState: 'SHUTDOWN' } } }]);
    const result = apply(store, 3, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 't1', desiredState: 'RUNNING', status: { state: 'RUNNING', message: 'started' } }) } }]);
    expect(result.ok).toBe(true);
    expect(store.get('task', 't1')).toMatchObject({ desiredState: 'SHUTDOWN', status: { state: 'RUNNING', message: 'started' }, meta: { version: { index: 3 } } });
    // A late report of an earlier state is dropped.
    apply(store, 4, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 't1', status: { state: 'STARTING' } }) } }]);
    expect(store.get('task', 't1')?.status?.state).toBe('RUNNING');
    expect(store.get('task', 't1')?.meta?.version?.index).toBe(3);
  });

  it('stamps when a task first ran and first ended, on the leader\'s clock, and keeps both', () => {
    const store = new MemoryStore();
    apply(store, 1, [{ kind: 'CREATE', object: { task: codec.Task.fromPartial({ id: 't1', desiredState: 'RUNNING', status: { state: 'STARTING' } }) } }]);
    expect(store.get('task', 't1')?.runningSinceMs).toBeUndefined();
    apply(store, 2, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 't1', status: { state: 'RUNNING', health: 'healthy' } }) } }]);
    expect(store.get('task', 't1')?.runningSinceMs).toBe(1002);
    apply(store, 3, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 't1', status: { state: 'RUNNING', message: 'still' } }) } }]);
    apply(store, 4, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 't1', status: { state: 'FAILED', err: 'unhealthy container' } }) } }]);
    expect(store.get('task', 't1')).toMatchObject({ runningSinceMs: 1002, endedAtMs: 1004, status: { state: 'FAILED' } });
    apply(store, 5, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 't1', status: { state: 'REMOVE' } }) } }]);
    expect(store.get('task', 't1')?.endedAtMs).toBe(1004);
  });

  it('ignores reports about removed tasks and merges node self-descriptions', () => {
    const store = new MemoryStore();
    expect(apply(store, 1, [{ kind: 'SET_STATUS', object: { task: codec.Task.fromPartial({ id: 'gone', status: { state: 'RUNNING' } }) } }]).ok).toBe(true);
    expect(store.get('task', 'gone')).toBeUndefined();
    apply(store, 2, [{ kind: 'CREATE', object: { node: codec.Node.fromPartial({ id: 'n1', spec: { availability: 'DRAIN' }, description: { hostname: 'old' } }) } }]);
    apply(store, 3, [{ kind: 'SET_STATUS', object: { node: codec.Node.fromPartial({ id: 'n1', status: { state: 'READY', addr: '192.0.2.12' }, description: { hostname: 'h2' }, dataPathAddr: '192.0.2.12' }) } }]);
    expect(store.get('node', 'n1')).toMatchObject({ spec: { availability: 'DRAIN' }, status: { state: 'READY' }, description: { hostname: 'h2' }, dataPathAddr: '192.0.2.12' });
  });

  it('is refused for other kinds', () => {
    const store = new MemoryStore();
    const r = apply(store, 1, [{ kind: 'SET_STATUS', object: { service: codec.Service.fromPartial({ id: 's1' }) } }]);
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });
});
