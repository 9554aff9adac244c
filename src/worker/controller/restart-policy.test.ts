import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../gen/index.js';
import { decideRestart } from './restart-policy.js';

const policy = (p: Partial<RestartPolicy>): RestartPolicy => ({ condition: 'ANY', delayMs: 0, maxAttempts: 0, windowMs: 0, ...p });

describe('decideRestart', () => {
  it('restarts on any exit after the delay', () => {
    expect(decideRestart(policy({ delayMs: 500 }), 0, [], 1_000)).toEqual({ restart: true, atMs: 1_500 });
  });

  it('honours condition none and on-failure', () => {
    expect(decideRestart(policy({ condition: 'NONE' }), 1, [], 0).restart).toBe(false);
    expect(decideRestart(policy({ condition: 'ON_FAILURE' }), 0, [], 0).restart).toBe(false);
    expect(decideRestart(policy({ condition: 'ON_FAILURE' }), 3, [], 0).restart).toBe(true);
  });

  it('stops after max attempts, all of them counting without a window', () => {
    expect(decideRestart(policy({ maxAttempts: 2 }), 1, [10], 100).restart).toBe(true);
    expect(decideRestart(policy({ maxAttempts: 2 }), 1, [10, 20], 100)).toEqual({ restart: false, reason: 'reached 2 restart attempts' });
  });

  it('counts only the attempts inside the window', () => {
    expect(decideRestart(policy({ maxAttempts: 2, windowMs: 50 }), 1, [10, 20], 100).restart).toBe(true);
    expect(decideRestart(policy({ maxAttempts: 2, windowMs: 50 }), 1, [10, 60, 90], 100).restart).toBe(false);
  });
});
