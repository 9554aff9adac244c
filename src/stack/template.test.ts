import { describe, expect, it } from 'vitest';
import { substitute } from './template.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '' };
const lookup = (n: string) => env[n];
const sub = (t: string) => substitute(t, lookup);

describe('substitute', () => {
  it('replaces $VAR and ${VAR}', () => {
    expect(sub('a $SET b ${SET}c')).toEqual({ ok: true, value: 'a value b valuec', unset: [] });
  });

  it('turns $$ into a literal $ without substituting', () => {
    expect(sub('cost: $$SET $${SET}')).toEqual({ ok: true, value: 'cost: $SET ${SET}', unset: [] });
  });

  it('lists unset variables and substitutes an empty string', () => {
    expect(sub('x${NOPE}y$ALSO_NOPE')).toEqual({ ok: true, value: 'xy', unset: ['NOPE', 'ALSO_NOPE'] });
  });

  it(':- uses the default when unset or empty; - only when unset', () => {
    expect(sub('${NOPE:-d}|${EMPTY:-d}|${SET:-d}')).toMatchObject({ ok: true, value: 'd|d|value' });
    expect(sub('${NOPE-d}|${EMPTY-d}|${SET-d}')).toMatchObject({ ok: true, value: 'd||value' });
  });

  it('interpolates nested defaults', () => {
    expect(sub('${NOPE:-${SET}-x}')).toMatchObject({ ok: true, value: 'value-x' });
  });

  it(':? errors when unset or empty; ? only when unset', () => {
    expect(sub('${EMPTY:?must be set}')).toEqual({ ok: false, kind: 'required', message: 'required variable EMPTY is missing a value: must be set' });
    expect(sub('${EMPTY?must be set}')).toMatchObject({ ok: true, value: '' });
    expect(sub('${NOPE?}')).toEqual({ ok: false, kind: 'required', message: 'required variable NOPE is missing a value' });
  });

  it(':+ and + substitute the alternative when set', () => {
    expect(sub('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${NOPE+alt}')).toMatchObject({ ok: true, value: 'alt||alt|' });
  });

  it.each(['$', 'a $ b', '${', '${}', '${ SET }', '${SET', '$1', '${SET!x}'])('rejects the invalid template %j', (t) => {
    expect(sub(t)).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
