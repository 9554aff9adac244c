import { describe, expect, it } from 'vitest';
import type { TaskStatusUpdate } from '../gen/index.js';
import { ManualClock } from '../common/clock.js';
import { initialStatus } from './controller/status.js';
import { StatusBatcher } from './status-batcher.js';

describe('StatusBatcher', () => {
  it('coalesces per task within the batch delay', () => {
    const clock = new ManualClock();
    const batcher = new StatusBatcher(clock, 50, 500);
    const seen: TaskStatusUpdate[][] = [];
    batcher.subscribe((u) => seen.push(u));
    batcher.push('a', initialStatus('ACCEPTED', 1));
    batcher.push('a', initialStatus('PREPARING', 2));
    batcher.push('b', initialStatus('ACCEPTED', 3));
    clock.advance(49);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen.map((b) => b.map((u) => [u.taskId, u.status?.state]))).toEqual([[['a', 'PREPARING'], ['b', 'ACCEPTED']]]);
  });

  it('caps batch size and holds everything while the managers are away', () => {
    const clock = new ManualClock();
    const batcher = new StatusBatcher(clock, 10, 2);
    const seen: number[] = [];
    batcher.subscribe((u) => seen.push(u.length));
    batcher.setHeld(true);
    for (const id of ['a', 'b', 'c']) batcher.push(id, initialStatus('RUNNING', 0));
    clock.advance(100);
    expect(seen).toEqual([]);
    batcher.setHeld(false);
    clock.advance(10);
    expect(seen).toEqual([2, 1]);
  });
});
