import { describe, expect, it } from 'vitest';
import { demotedLine, promotedLine, stackCreatingLine, stackNothingFoundLine, stackRemovingLine, stackUpdatingLine } from './messages.js';

describe('result lines', () => {
  it('match Docker\'s wording', () => {
    expect(promotedLine('abc', false)).toBe('Node abc promoted to a manager in the swarm.');
    expect(promotedLine('abc', true)).toBe('Node abc is already a manager.');
    expect(demotedLine('abc', false)).toBe('Manager abc demoted in the swarm.');
    expect(demotedLine('abc', true)).toBe('Node abc is already a worker.');
    expect(stackRemovingLine('service', 'web_api')).toBe('Removing service web_api');
    expect(stackCreatingLine('network', 'web_default')).toBe('Creating network web_default');
    expect(stackUpdatingLine('web_api', 'kq9m')).toBe('Updating service web_api (id: kq9m)');
    expect(stackNothingFoundLine('web')).toBe('Nothing found in stack: web');
  });
});
