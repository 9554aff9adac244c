import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';

describe('ManualClock', () => {
  it('fires due timers in time order, at their own time, and not cancelled ones', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`b@${clock.nowMs()}`));
    clock.setTimer(10, () => {
      fired.push(`a@${clock.nowMs()}`);
      clock.setTimer(5, () => fired.push(`c@${clock.nowMs()}`));
    });
    const cancel = clock.setTimer(20, () => fired.push('cancelled'));
    cancel();
    clock.advance(25);
    expect(fired).toEqual(['a@1010', 'c@1015']);
    expect(clock.nowMs()).toBe(1_025);
    clock.advance(5);
    expect(fired).toEqual(['a@1010', 'c@1015', 'b@1030']);
  });
});
