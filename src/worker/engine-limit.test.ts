import { describe, expect, it } from 'vitest';
import { ok } from '../common/result.js';
import type { Task } from '../gen/index.js';
import { EngineLimitedExecutor, Semaphore } from './engine-limit.js';
import type { Executor } from './executor.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('admits at most `limit` at once, first come first served, and frees slots on failure', async () => {
    const s = new Semaphore(2);
    const gates = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const runs = gates.map((g, i) => s.run(async () => {
      started.push(i);
      await g.promise;
      if (i === 0) throw new Error('boom');
      return i;
    }));
    await flush();
    expect(started).toEqual([0, 1]);
    expect(s.load()).toEqual({ active: 2, waiting: 3 });
    gates[0]?.resolve();
    await expect(runs[0]).rejects.toThrow('boom');
    await flush();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3, 4]);
    expect(s.load()).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(/positive integer/);
  });
});

describe('EngineLimitedExecutor', () => {
  it('bounds concurrent creates and starts, but never holds back stops', async () => {
    let inFlight = 0;
    let peak = 0;
    const gate = deferred();
    const busy = async <T>(value: T): Promise<T> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate.promise;
      inFlight--;
      return value;
    };
    let stops = 0;
    const inner = {
      prepare: () => busy(ok({ containerId: 'c' })),
      start: () => busy(ok(undefined)),
      stop: async () => {
        stops++;
        return ok(undefined);
      },
    } as unknown as Executor;
    const limited = new EngineLimitedExecutor(inner, 3);
    const work = [
      ...Array.from({ length: 5 }, () => limited.prepare({ id: 't' } as Task, [])),
      ...Array.from({ length: 5 }, () => limited.start('c')),
    ];
    await flush();
    expect(inFlight).toBe(3);
    await limited.stop('c', 0);
    expect(stops).toBe(1);
    gate.resolve();
    await Promise.all(work);
    expect(peak).toBe(3);
  });
});
