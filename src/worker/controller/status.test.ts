import { describe, expect, it } from 'vitest';
import { isTerminal, wantsStop } from '../../common/task-state.js';
import { advance, initialStatus } from './status.js';

describe('advance', () => {
  it('moves forward and stamps the time', () => {
    const s = advance(initialStatus('ASSIGNED', 1), 'ACCEPTED', 5, { message: 'accepted' });
    expect(s).toMatchObject({ state: 'ACCEPTED', message: 'accepted', timestampMs: 5 });
  });

  it('never moves backwards', () => {
    const failed = advance(initialStatus('RUNNING', 1), 'FAILED', 2, { err: 'boom' });
    expect(advance(failed, 'RUNNING', 3, { message: 'started' })).toBe(failed);
  });

  it('keeps the same object when nothing changes, so no report is sent', () => {
    const running = advance(initialStatus('STARTING', 1), 'RUNNING', 2, { message: 'started', pid: 7 });
    expect(advance(running, 'RUNNING', 3, { message: 'started', pid: 7 })).toBe(running);
    expect(advance(running, 'RUNNING', 3, { health: 'healthy' })).toMatchObject({ health: 'healthy', timestampMs: 3 });
  });
});

describe('state classes', () => {
  it('knows terminal and stop-requesting states', () => {
    expect(isTerminal('RUNNING')).toBe(false);
    expect(['COMPLETE', 'SHUTDOWN', 'FAILED', 'REJECTED'].every((s) => isTerminal(s as 'COMPLETE'))).toBe(true);
    expect(wantsStop('RUNNING')).toBe(false);
    expect(wantsStop('COMPLETE')).toBe(false);
    expect(wantsStop('SHUTDOWN')).toBe(true);
    expect(wantsStop('REMOVE')).toBe(true);
  });
});
