// Properties of the reconcilers under random histories of failures, node
// changes, scaling and spec updates. fast-check prints the seed of any
// failure; replay it with FC_SEED=<seed>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from './actions.js';
import { TestCluster, makeNode, makeService } from './test-cluster.test-support.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = { numRuns: 150, ...(seed === undefined ? {} : { seed }) };

type Event =
  | { kind: 'scale'; replicas: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'node'; node: number; change: 'down' | 'up' | 'drain' | 'active' }
  | { kind: 'image'; tag: number }
  | { kind: 'time'; ms: number }
  | { kind: 'reconcile' }
  | { kind: 'work' };

const arbEvent: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('node' as const), node: fc.integer({ min: 1, max: 3 }), change: fc.constantFrom('down' as const, 'up' as const, 'drain' as const, 'active' as const) }),
  fc.record({ kind: fc.constant('image' as const), tag: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  fc.constant({ kind: 'reconcile' as const }),
  fc.constant({ kind: 'work' as const }),
);
const arbSetup = fc.record({
  mode: fc.constantFrom('REPLICATED' as const, 'GLOBAL' as const),
  delayMs: fc.constantFrom(0, 5_000),
  parallelism: fc.integer({ min: 0, max: 2 }),
  order: fc.constantFrom('STOP_FIRST' as const, 'START_FIRST' as const),
  events: fc.array(arbEvent, { maxLength: 40 }),
});

function play(c: TestCluster, event: Event): void {
  switch (event.kind) {
    case 'scale':
      return c.updateService('svc', (s) => (s.spec!.mode!.replicas = event.replicas));
    case 'fail': {
      const running = c.store.tasksOfService('svc').filter((t) => t.status?.state === 'RUNNING');
      const victim = running[event.pick % Math.max(1, running.length)];
      if (victim !== undefined) c.setStatus(victim.id, 'FAILED');
      return;
    }
    case 'node':
      return c.updateNode(`n${event.node}`, (n) => {
        if (event.change === 'down' || event.change === 'up') return { ...n, status: { ...n.status!, state: event.change === 'down' ? 'DOWN' : 'READY' } };
        return { ...n, spec: { ...n.spec!, availability: event.change === 'drain' ? 'DRAIN' : 'ACTIVE' } };
      });
    case 'image':
      return c.updateService('svc', (s) => (s.spec!.task!.container!.image = `app:${event.tag}`));
    case 'time':
      c.nowMs += event.ms;
      return;
    case 'reconcile':
      c.step('svc');
      return;
    case 'work':
      c.scheduleAll();
      c.stopAll();
      c.runAll();
  }
}

/** Heals every node, then reconciles and works, following wake-ats, until nothing changes. */
function converge(c: TestCluster): Action[][] {
  for (const n of ['n1', 'n2', 'n3']) c.updateNode(n, (node) => ({ ...node, status: { ...node.status!, state: 'READY' }, spec: { ...node.spec!, availability: 'ACTIVE' } }));
  const log: Action[][] = [];
  for (let round = 0; round < 200; round++) {
    const actions = c.step('svc');
    log.push(actions);
    const wake = actions.find((a) => a.kind === 'wake-at');
    if (wake?.kind === 'wake-at') c.nowMs = Math.max(c.nowMs, wake.atMs);
    const moved = c.scheduleAll() + c.stopAll() + c.runAll();
    if (actions.length === 0 && moved === 0) return log;
  }
  throw new Error(`did not converge: last actions ${JSON.stringify(log.slice(-3).map((a) => a.map((x) => x.kind)))}`);
}

/** Right after a pass: wanted tasks only in slots 1..replicas, at most `perSlot` per slot (2 while start-first overlaps). */
function checkSlots(c: TestCluster, perSlot: number): void {
  const replicas = c.store.get('service', 'svc')!.spec!.mode!.replicas;
  const counts = new Map<number, number>();
  for (const t of c.wanted('svc')) {
    expect(t.slot).toBeGreaterThanOrEqual(1);
    expect(t.slot).toBeLessThanOrEqual(replicas);
    if (t.status?.state === 'FAILED') continue; // ended, awaiting its restart delay
    counts.set(t.slot, (counts.get(t.slot) ?? 0) + 1);
  }
  for (const count of counts.values()) expect(count).toBeLessThanOrEqual(perSlot);
}

describe('reconciler properties', () => {
  it('converges to exactly the wanted tasks, all running the current spec, with bounded history', () => {
    fc.assert(fc.property(arbSetup, ({ mode, delayMs, parallelism, order, events }) => {
      const c = new TestCluster();
      c.taskHistoryLimit = 3;
      c.upsert(makeNode('n1'), makeNode('n2'), makeNode('n3'));
      c.upsert(makeService('svc', { mode: { kind: mode, replicas: 3 }, update: { parallelism, order }, task: { container: { image: 'app:1' }, restart: { condition: 'ANY', delayMs } } }));
      for (const event of events) {
        play(c, event);
        if (event.kind === 'reconcile' && mode === 'REPLICATED') checkSlots(c, order === 'START_FIRST' ? 2 : 1);
      }
      converge(c);
      const service = c.store.get('service', 'svc')!;
      const wanted = c.wanted('svc');
      if (mode === 'REPLICATED') {
        const replicas = service.spec!.mode!.replicas;
        expect(wanted.map((t) => t.slot)).toEqual(Array.from({ length: replicas }, (_, i) => i + 1));
      } else {
        expect(wanted.map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'n3']);
      }
      for (const task of wanted) {
        expect(task.status?.state).toBe('RUNNING');
        expect(task.spec?.container?.image).toBe(service.spec!.task!.container!.image);
      }
      const perSlot = new Map<string, number>();
      for (const t of c.store.tasksOfService('svc')) perSlot.set(`${t.slot}/${t.slot === 0 ? t.nodeId : ''}`, (perSlot.get(`${t.slot}/${t.slot === 0 ? t.nodeId : ''}`) ?? 0) + 1);
      for (const count of perSlot.values()) expect(count).toBeLessThanOrEqual(3);
      expect(['COMPLETED', undefined]).toContain(service.updateStatus?.state);
    }), params);
  });

  it('is a pure function: the same inputs give the same actions', () => {
    fc.assert(fc.property(arbSetup, ({ mode, events }) => {
      const c = new TestCluster();
      c.upsert(makeNode('n1'), makeNode('n2'), makeNode('n3'));
      c.upsert(makeService('svc', { mode: { kind: mode, replicas: 3 } }));
      for (const event of events) play(c, event);
      const twin = () => {
        const t = new TestCluster();
        t.store.restore(c.store.snapshot(), c.store.appliedIndex);
        t.nowMs = c.nowMs;
        return t.reconcile('svc');
      };
      expect(twin()).toEqual(twin());
    }), { ...params, numRuns: 50 });
  });
});
