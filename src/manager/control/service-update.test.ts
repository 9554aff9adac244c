import { describe, expect, it } from 'vitest';
import { codec, type Service } from '../../gen/index.js';
import { MemoryStore } from '../store/index.js';
import { planServiceRebalance, updatedService } from './service-update.js';

const spec = (image: string) => codec.ServiceSpec.fromPartial({ annotations: { name: 'web' }, mode: { kind: 'REPLICATED', replicas: 2 }, task: { container: { image } } });
const service = (over: Partial<Service> = {}): Service => codec.Service.fromPartial({ id: 's1', spec: spec('app:1'), ...over });
const change = { rollback: false, force: false, rebalanceTaskIds: [], nowMs: 5_000 };

describe('updatedService', () => {
  it('keeps the old spec as the previous one and resets the update status (resuming a paused update)', () => {
    const current = service({ updateStatus: { state: 'PAUSED', startedAtMs: 1, completedAtMs: 0, message: 'update paused due to failure or early termination of task t1' } });
    const next = updatedService(current, { ...change, spec: spec('app:2') });
    expect(next.spec?.task?.container?.image).toBe('app:2');
    expect(next.previousSpec?.task?.container?.image).toBe('app:1');
    expect(next.updateStatus).toBeUndefined();
  });

  it('rolls back by swapping spec and previous spec and starting a rollback, as swarmkit', () => {
    const current = service({ spec: spec('app:2'), previousSpec: spec('app:1') });
    const next = updatedService(current, { ...change, spec: undefined, rollback: true });
    expect(next.spec?.task?.container?.image).toBe('app:1');
    expect(next.previousSpec?.task?.container?.image).toBe('app:2');
    expect(next.updateStatus).toEqual({ state: 'ROLLBACK_STARTED', startedAtMs: 5_000, completedAtMs: 0, message: 'manually requested rollback' });
  });

  it('refuses a rollback without a previous spec', () => {
    expect(() => updatedService(service(), { ...change, spec: undefined, rollback: true })).toThrow('service web does not have a previous spec to roll back to');
  });

  it('--force bumps the task spec\'s force counter so every task is replaced', () => {
    const next = updatedService(service(), { ...change, spec: spec('app:1'), force: true });
    expect(next.spec?.task?.forceUpdate).toBe(1);
    expect(next.forceUpdate).toBe(1);
  });

  it('records the tasks a rebalance moves, and only then', () => {
    expect(updatedService(service(), { ...change, spec: spec('app:1'), rebalanceTaskIds: ['t1'] }).rebalance).toEqual({ taskIds: ['t1'] });
    expect(updatedService(service({ rebalance: { taskIds: ['t9'] } }), { ...change, spec: spec('app:1') }).rebalance).toBeUndefined();
  });
});

describe('planServiceRebalance', () => {
  it('moves tasks from a crowded node to one that came back', () => {
    const store = new MemoryStore();
    const node = (id: string) => codec.Node.fromPartial({ id, spec: { availability: 'ACTIVE' }, description: { hostname: id, resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 } }, status: { state: 'READY' } });
    const task = (id: string, slot: number, nodeId: string) => codec.Task.fromPartial({ id, serviceId: 's1', slot, nodeId, spec: spec('app:1').task, desiredState: 'RUNNING', status: { state: 'RUNNING' } });
    const objects = [node('n1'), node('n2'), task('t1', 1, 'n1'), task('t2', 2, 'n1'), task('t3', 3, 'n1'), task('t4', 4, 'n1')];
    const s = service({ spec: { ...spec('app:1'), mode: { kind: 'REPLICATED', replicas: 4, totalCompletions: 0, maxConcurrent: 0 } } });
    store.apply({ proposalId: 'p1', proposedAtMs: 1, actions: [{ kind: 'UPSERT', object: { service: s } }, ...objects.map((o) => ({ kind: 'UPSERT' as const, object: 'slot' in o ? { task: o } : { node: o } }))] }, 1);
    const plan = planServiceRebalance(store, s, 10);
    expect(plan.taskIds).toHaveLength(2);
    expect(plan).toMatchObject({ imbalanceBefore: 4, imbalanceAfter: 0 });
  });
});
