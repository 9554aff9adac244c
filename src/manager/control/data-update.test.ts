import { describe, expect, it } from 'vitest';
import { labelsOnlyProblem, sameData } from './data-update.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sameData', () => {
  it('is true only for equal bytes, whatever the lengths', () => {
    expect(sameData(bytes('abc'), bytes('abc'))).toBe(true);
    expect(sameData(bytes('abc'), bytes('abd'))).toBe(false);
    expect(sameData(bytes('abc'), bytes('abcd'))).toBe(false);
    expect(sameData(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});

describe('labelsOnlyProblem', () => {
  const base = { kind: 'secret' as const, name: 'web_token', data: bytes('hunter2'), requestedName: 'web_token', requestedData: bytes('hunter2') };

  it('accepts the same name and data, or no data at all', () => {
    expect(labelsOnlyProblem(base)).toBeUndefined();
    expect(labelsOnlyProblem({ ...base, requestedData: new Uint8Array() })).toBeUndefined();
  });

  it('refuses other data in one line that names the object and the fix, never the data', () => {
    const line = labelsOnlyProblem({ ...base, requestedData: bytes('hunter3') });
    expect(line).toBe('secret web_token already exists with different content, and secrets cannot be changed: put the new content under a new name (e.g. web_token_v2, "name: web_token_v2" in a Compose file) and point the services at it');
    expect(line).not.toMatch(/hunter/);
    expect(labelsOnlyProblem({ ...base, kind: 'config', name: 'conf', requestedName: 'conf', requestedData: bytes('x') })).toMatch(/^config conf already exists with different content, and configs cannot be changed: /);
  });

  it('refuses a rename first', () => {
    expect(labelsOnlyProblem({ ...base, requestedName: 'web_token_v2', requestedData: bytes('other') })).toBe('secret web_token cannot be renamed to web_token_v2: only its labels can be updated; create a new secret named web_token_v2 instead');
  });
});
