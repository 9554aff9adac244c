import { describe, expect, it } from 'vitest';
import { parseEvent } from './docker-events.js';

describe('parseEvent', () => {
  it('names the container and the task its labels name', () => {
    const line = JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'c1', Attributes: { 'com.docker.swarm.task.id': 't1', exitCode: '1' } } });
    expect(parseEvent(line)).toEqual({ containerId: 'c1', taskId: 't1', action: 'die' });
  });

  it('falls back to the old top-level id, and an empty task for containers without the label', () => {
    expect(parseEvent(JSON.stringify({ id: 'c2', Action: 'start' }))).toEqual({ containerId: 'c2', taskId: '', action: 'start' });
  });

  it('skips blank and unreadable lines', () => {
    expect(parseEvent('  ')).toBeUndefined();
    expect(parseEvent('{"Action":')).toBeUndefined();
  });
});
