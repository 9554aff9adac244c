// The updater's monitor window, failure actions and rebalancing (Docker's
// update_config semantics, swarmkit's updater messages).
import { describe, expect, it } from 'vitest';
import type { Task, UpdateConfig } from '../../gen/index.js';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';

type Update = Partial<UpdateConfig>;

function cluster(replicas: number, update: Update, rollback: Update = {}) {
  const c = new TestCluster();
  c.upsert(makeNode('n1'), makeNode('n2'));
  const config = (u: Update) => ({ parallelism: 1, monitorMs: 5_000, ...u });
  c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas }, update: config(update), rollback: config(rollback), task: { container: { image: 'app:1' }, restart: { delayMs: 0 } } }));
  c.settle('web');
  return c;
}
const image = (t: Task) => t.spec?.container?.image;
/** What the Control API does on `service update --image`: the old spec becomes the previous one, the update status resets. */
const deploy = (c: TestCluster, tag: string) =>
  c.updateService('web', (s) => {
    s.previousSpec = structuredClone(s.spec);
    s.spec!.task!.container!.image = tag;
    s.updateStatus = undefined;
  });
const status = (c: TestCluster) => c.store.get('service', 'web')?.updateStatus;
/** One orchestrator pass followed by workers doing what they were told, `advanceMs` later. */
const round = (c: TestCluster, advanceMs = 0) => {
  c.nowMs += advanceMs;
  const actions = c.step('web');
  c.scheduleAll();
  c.stopAll();
  c.runAll();
  return actions;
};
/** The newest task of the image, wherever it is. */
const newest = (c: TestCluster, tag: string) => c.store.tasksOfService('web').filter((t) => image(t) === tag).sort((a, b) => (a.meta?.createdAtMs ?? 0) - (b.meta?.createdAtMs ?? 0)).at(-1)!;

describe('the monitor window', () => {
  it('completes an update only one monitor window after its last task came up', () => {
    const c = cluster(1, { monitorMs: 10_000 });
    deploy(c, 'app:2');
    round(c);
    round(c);
    const upAt = newest(c, 'app:2').runningSinceMs!;
    expect(round(c)).toEqual([{ kind: 'wake-at', atMs: upAt + 10_000, reason: 'update monitor' }]);
    expect(status(c)?.state).toBe('UPDATING');
    c.nowMs = upAt + 10_000;
    c.step('web');
    expect(status(c)).toMatchObject({ state: 'COMPLETED', message: 'update completed', completedAtMs: upAt + 10_000 });
  });

  it('waits `delay` from when the last replaced task first ran, not from its last change', () => {
    const c = cluster(2, { delayMs: 30_000, monitorMs: 0 });
    deploy(c, 'app:2');
    round(c);
    round(c);
    const upAt = newest(c, 'app:2').runningSinceMs!;
    c.nowMs += 1_000;
    // A later status write (health details) does not restart the delay.
    c.setStatus(newest(c, 'app:2').id, 'RUNNING', { err: '' });
    expect(c.step('web')).toEqual([{ kind: 'wake-at', atMs: upAt + 30_000, reason: 'update delay' }]);
  });
});

describe('failure action pause', () => {
  it('pauses when a new task fails within the monitor window, names it, and replaces no more slots', () => {
    const c = cluster(3, {});
    deploy(c, 'app:2');
    round(c);
    round(c);
    const fresh = newest(c, 'app:2');
    c.nowMs += 2_000;
    c.setStatus(fresh.id, 'FAILED', { err: 'task: non-zero exit (1)' });
    c.step('web');
    expect(status(c)).toMatchObject({ state: 'PAUSED', message: `update paused due to failure or early termination of task ${fresh.id}` });
    for (let i = 0; i < 10; i++) round(c, 1_000);
    // The failed slot is restarted by its restart policy; the others keep the old image.
    expect(c.wanted('web').map(image)).toEqual(['app:2', 'app:1', 'app:1']);
    expect(status(c)?.state).toBe('PAUSED');
  });

  it('counts a task that never ran (rejected) whatever the monitor', () => {
    const c = cluster(2, { monitorMs: 0 });
    deploy(c, 'nosuch:latest');
    round(c);
    c.step('web');
    c.scheduleAll();
    const fresh = newest(c, 'nosuch:latest');
    c.setStatus(fresh.id, 'REJECTED', { err: 'No such image: nosuch:latest' });
    c.step('web');
    expect(status(c)).toMatchObject({ state: 'PAUSED', message: expect.stringContaining(fresh.id) });
  });

  it('does not count a task that failed after running longer than the monitor window', () => {
    const c = cluster(2, { monitorMs: 5_000 });
    deploy(c, 'app:2');
    round(c);
    round(c);
    const fresh = newest(c, 'app:2');
    c.nowMs += 6_000;
    c.setStatus(fresh.id, 'FAILED');
    for (let i = 0; i < 10; i++) round(c, 6_000);
    expect(status(c)?.state).toBe('COMPLETED');
    expect(c.wanted('web').map(image)).toEqual(['app:2', 'app:2']);
  });

  it('tolerates failures up to max_failure_ratio of the slots', () => {
    const c = cluster(4, { maxFailureRatio: 0.3, parallelism: 0 });
    deploy(c, 'app:2');
    round(c);
    round(c);
    const fresh = c.wanted('web');
    c.setStatus(fresh[0]!.id, 'FAILED');
    c.step('web');
    expect(status(c)?.state).toBe('UPDATING'); // 1/4 is not over 0.3
    c.setStatus(fresh[1]!.id, 'FAILED');
    c.step('web');
    expect(status(c)).toMatchObject({ state: 'PAUSED', message: expect.stringContaining(fresh[0]!.id) }); // 2/4 is
  });

  it('resumes when the service is updated again', () => {
    const c = cluster(2, {});
    deploy(c, 'app:2');
    round(c);
    round(c);
    c.setStatus(newest(c, 'app:2').id, 'FAILED');
    c.step('web');
    expect(status(c)?.state).toBe('PAUSED');
    deploy(c, 'app:3');
    for (let i = 0; i < 10; i++) round(c, 6_000);
    expect(c.wanted('web').map(image)).toEqual(['app:3', 'app:3']);
    expect(status(c)?.state).toBe('COMPLETED');
  });
});

describe('failure action continue', () => {
  it('ignores failures and completes', () => {
    const c = cluster(2, { failureAction: 'CONTINUE' });
    deploy(c, 'app:2');
    round(c);
    round(c);
    c.setStatus(newest(c, 'app:2').id, 'FAILED');
    for (let i = 0; i < 12; i++) round(c, 6_000);
    expect(status(c)?.state).toBe('COMPLETED');
    expect(c.wanted('web').map(image)).toEqual(['app:2', 'app:2']);
  });
});

describe('failure action rollback', () => {
  it('rolls back to the previous spec with the rollback config, then completes the rollback', () => {
    const c = cluster(3, { failureAction: 'ROLLBACK' }, { parallelism: 0, monitorMs: 1_000 });
    deploy(c, 'app:2');
    round(c);
    round(c);
    const fresh = newest(c, 'app:2');
    c.setStatus(fresh.id, 'FAILED', { err: 'unhealthy container' });
    const actions = c.step('web');
    // The failed spec's restart is not started: the rollback replaces it.
    expect(actions.filter((a) => a.kind === 'create-task')).toEqual([]);
    const service = c.store.get('service', 'web')!;
    expect(service.updateStatus).toMatchObject({ state: 'ROLLBACK_STARTED', message: `update rolled back due to failure or early termination of task ${fresh.id}` });
    expect(service.spec?.task?.container?.image).toBe('app:1');
    expect(service.previousSpec).toBeUndefined();
    for (let i = 0; i < 10; i++) round(c, 500);
    expect(c.wanted('web').map(image)).toEqual(['app:1', 'app:1', 'app:1']);
    expect(status(c)).toMatchObject({ state: 'ROLLBACK_COMPLETED', message: 'rollback completed' });
  });

  it('never rolls back a rollback: a failing rollback pauses', () => {
    const c = cluster(2, { failureAction: 'ROLLBACK' }, {});
    deploy(c, 'app:2');
    round(c);
    round(c);
    c.setStatus(newest(c, 'app:2').id, 'FAILED');
    c.step('web');
    expect(status(c)?.state).toBe('ROLLBACK_STARTED');
    round(c);
    round(c);
    const back = newest(c, 'app:1');
    c.setStatus(back.id, 'FAILED');
    c.step('web');
    expect(status(c)).toMatchObject({ state: 'ROLLBACK_PAUSED', message: `rollback paused due to failure or early termination of task ${back.id}` });
  });

  it('pauses, saying why, when there is no previous spec to roll back to', () => {
    const c = cluster(1, { failureAction: 'ROLLBACK' });
    c.updateService('web', (s) => (s.spec!.task!.container!.image = 'app:2'));
    round(c);
    round(c);
    c.setStatus(newest(c, 'app:2').id, 'FAILED');
    c.step('web');
    expect(status(c)).toMatchObject({ state: 'PAUSED', message: expect.stringMatching(/update paused due to .* no previous spec to roll back to$/) });
  });
});

describe('rebalance', () => {
  it('replaces exactly the listed tasks as a rolling update and clears the list when done', () => {
    const c = cluster(4, { monitorMs: 0 });
    const [a, b, stay1, stay2] = c.wanted('web');
    c.updateService('web', (s) => (s.rebalance = { taskIds: [a!.id, b!.id] }));
    const first = c.step('web');
    expect(first.filter((x) => x.kind === 'update-task').map((x) => x.kind === 'update-task' && x.task.id)).toEqual([a!.id]);
    for (let i = 0; i < 10; i++) round(c);
    const ids = c.wanted('web').map((t) => t.id);
    expect(ids).toContain(stay1!.id);
    expect(ids).toContain(stay2!.id);
    expect(ids).not.toContain(a!.id);
    expect(ids).not.toContain(b!.id);
    const service = c.store.get('service', 'web')!;
    expect(service.updateStatus?.state).toBe('COMPLETED');
    expect(service.rebalance).toBeUndefined();
  });
});

describe('slots waiting out a restart delay', () => {
  it('a rollback replaces a failed task of the abandoned spec at once, and completes only after that', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'));
    c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas: 1 }, update: { failureAction: 'ROLLBACK', monitorMs: 1_000 }, rollback: { monitorMs: 1_000 }, task: { container: { image: 'app:1' }, restart: { delayMs: 60_000 } } }));
    c.settle('web');
    deploy(c, 'nosuch:latest');
    round(c);
    c.step('web');
    c.scheduleAll();
    c.setStatus(newest(c, 'nosuch:latest').id, 'REJECTED');
    c.step('web');
    expect(status(c)?.state).toBe('ROLLBACK_STARTED');
    // The restart delay (60s) does not hold the rollback up, nor does it complete with the slot empty.
    const next = c.step('web');
    expect(next.filter((a) => a.kind === 'create-task').map((a) => a.kind === 'create-task' && image(a.task))).toEqual(['app:1']);
    expect(status(c)?.state).toBe('ROLLBACK_STARTED');
    for (let i = 0; i < 5; i++) round(c, 1_000);
    expect(c.wanted('web').map(image)).toEqual(['app:1']);
    expect(status(c)?.state).toBe('ROLLBACK_COMPLETED');
  });

  it('a paused update still restarts an old-spec task once its delay is over', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'));
    c.upsert(makeService('web', { mode: { kind: 'REPLICATED', replicas: 1 }, task: { container: { image: 'app:1' }, restart: { delayMs: 10_000 } } }));
    c.settle('web');
    const old = c.wanted('web')[0]!;
    c.updateService('web', (s) => {
      s.spec!.task!.container!.image = 'app:2';
      s.updateStatus = { state: 'PAUSED', startedAtMs: 0, completedAtMs: 0, message: 'update paused' };
    });
    c.setStatus(old.id, 'FAILED');
    expect(c.step('web')).toEqual([{ kind: 'wake-at', atMs: c.nowMs + 10_000, reason: `restart delay of task ${old.id}` }]);
    c.nowMs += 10_000;
    expect(c.step('web').filter((a) => a.kind === 'create-task')).toHaveLength(1);
  });
});
