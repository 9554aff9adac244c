import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';
import { systemClock } from '../../common/clock.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('retries a failed flush with the same items', async () => {
    const flushed: number[][] = [];
    let failures = 1;
    const batcher = new Batcher<number>(async (items) => {
      if (failures-- > 0) throw new Error('no quorum');
      flushed.push(items);
    }, systemClock, log, 5);
    batcher.add(1, 2);
    await sleep(60);
    expect(flushed).toEqual([[1, 2]]);
  });

  it('drops a flush that fails after clear() instead of putting it back and retrying forever', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    const batcher = new Batcher<number>(async () => {
      calls++;
      await new Promise<void>((r) => (release = r));
      throw new Error('leadership lost');
    }, systemClock, log, 5);
    batcher.add(1);
    await sleep(30);
    expect(calls).toBe(1);
    batcher.clear(); // the dispatcher stopped leading while the flush was in flight
    release?.();
    await sleep(60);
    expect(calls).toBe(1);
  });
});
