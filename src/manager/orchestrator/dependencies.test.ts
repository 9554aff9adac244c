import { describe, expect, it } from 'vitest';
import type { DependsOn, Service } from '../../gen/index.js';
import { dependentsOf, holdBackCreates, unmetDependencies } from './dependencies.js';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';

// web (2 replicas) and worker, which depends on web under `condition`.
function stack(condition: DependsOn['condition']): TestCluster {
  const c = new TestCluster();
  c.upsert(makeNode('n1'), makeNode('n2'));
  c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas: 2 } }));
  c.upsert(makeService('worker', { mode: { kind: 'REPLICATED', replicas: 1 }, dependsOn: [{ service: 'web', condition }] }));
  return c;
}

const lookups = (c: TestCluster) => ({
  serviceByName: (name: string) => c.store.list('service').find((s) => s.spec?.annotations?.name === name),
  tasksOf: (id: string) => c.store.tasksOfService(id),
});
const unmet = (c: TestCluster, id = 'worker') => unmetDependencies(c.store.get('service', id) as Service, lookups(c));
// What the leader's loop proposes for the worker.
const workerCreates = (c: TestCluster) => holdBackCreates(c.reconcile('worker'), unmet(c)).filter((a) => a.kind === 'create-task');

describe('depends_on', () => {
  it('holds back a service\'s tasks until every desired task of its dependency runs', () => {
    const c = stack('SERVICE_STARTED');
    expect(unmet(c)).toEqual([{ service: 'web', reason: '0/2 tasks running' }]);
    expect(workerCreates(c)).toEqual([]);
    c.step('web');
    c.scheduleAll();
    const [first] = c.wanted('web');
    c.setStatus(first!.id, 'RUNNING');
    expect(unmet(c)).toEqual([{ service: 'web', reason: '1/2 tasks running' }]);
    expect(workerCreates(c)).toEqual([]);
    c.runAll();
    expect(unmet(c)).toEqual([]);
    expect(workerCreates(c)).toHaveLength(1);
  });

  it('with service_healthy, waits for tasks that report health to be healthy; tasks without a healthcheck count as running', () => {
    const c = stack('SERVICE_HEALTHY');
    c.settle('web');
    expect(unmet(c)).toEqual([]);
    const [a, b] = c.wanted('web');
    c.upsert({ ...a!, status: { ...a!.status!, health: 'starting' } }, { ...b!, status: { ...b!.status!, health: 'unhealthy' } });
    expect(unmet(c)).toEqual([{ service: 'web', reason: '0/2 tasks running and healthy' }]);
    expect(workerCreates(c)).toEqual([]);
    c.upsert({ ...a!, status: { ...a!.status!, health: 'healthy' } }, { ...b!, status: { ...b!.status!, health: 'healthy' } });
    expect(workerCreates(c)).toHaveLength(1);
  });

  it('with service_completed_successfully, waits for a job to complete', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'));
    c.upsert(makeService('migrate', { mode: { kind: 'REPLICATED_JOB', totalCompletions: 1, maxConcurrent: 1 } }));
    c.upsert(makeService('app', { dependsOn: [{ service: 'migrate', condition: 'SERVICE_COMPLETED_SUCCESSFULLY' }] }));
    expect(unmet(c, 'app')).toEqual([{ service: 'migrate', reason: '0/1 tasks completed' }]);
    c.settle('migrate');
    expect(unmet(c, 'app')).toEqual([{ service: 'migrate', reason: '0/1 tasks completed' }]);
    c.setStatus(c.store.tasksOfService('migrate')[0]!.id, 'COMPLETE');
    expect(unmet(c, 'app')).toEqual([]);
  });

  it('does not wait on a dependency that no longer exists, and lets stops and clean-ups through while waiting', () => {
    const c = stack('SERVICE_STARTED');
    c.commit([{ kind: 'REMOVE', object: { service: c.store.get('service', 'web')! } }]);
    expect(unmet(c)).toEqual([]);
    const stop = { kind: 'remove-task' as const, taskId: 't1' };
    expect(holdBackCreates([stop, { kind: 'wake-at', atMs: 5, reason: 'x' }], [{ service: 'web', reason: '' }])).toEqual([stop, { kind: 'wake-at', atMs: 5, reason: 'x' }]);
  });

  it('names the services to look at again when a dependency changes', () => {
    const c = stack('SERVICE_STARTED');
    const services = c.store.list('service');
    expect(dependentsOf(new Set(['web']), services)).toEqual(['worker']);
    expect(dependentsOf(new Set(['worker']), services)).toEqual([]);
  });
});
