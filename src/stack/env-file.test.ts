import { describe, expect, it } from 'vitest';
import { parseDotEnv, parseKvFile } from './env-file.js';

describe('parseDotEnv (.env, docker compose dialect)', () => {
  it('reads plain, exported, quoted and commented values', () => {
    const r = parseDotEnv('# comment\n\nA=1\nexport B=two\nC="line\\nbreak"\nD=\'$literal\'\nE=x # trailing comment\nF=\nG=a#b\n');
    expect(r.ok && Object.fromEntries(r.vars)).toEqual({ A: '1', B: 'two', C: 'line\nbreak', D: '$literal', E: 'x', F: '', G: 'a#b' });
  });

  it('reads a double-quoted value across lines', () => {
    const r = parseDotEnv('KEY="first\nsecond"\nNEXT=1');
    expect(r.ok && Object.fromEntries(r.vars)).toEqual({ KEY: 'first\nsecond', NEXT: '1' });
  });

  it('names the line of a bad variable name', () => {
    expect(parseDotEnv('A=1\nBAD KEY=2\n')).toEqual({ ok: false, error: { line: 2, message: 'invalid variable name "BAD KEY"' } });
  });

  it('reports an unterminated quote', () => {
    expect(parseDotEnv('A="open')).toMatchObject({ ok: false, error: { message: 'unterminated quoted value for A' } });
  });
});

describe('parseKvFile (env_file, docker/cli dialect)', () => {
  it('keeps values verbatim and fills bare keys from the environment', () => {
    const r = parseKvFile('# c\nA="quoted"\nB=x=y\nFROM_ENV\nUNSET\n', (n) => (n === 'FROM_ENV' ? 'shell' : undefined));
    expect(r).toEqual({ ok: true, entries: [['A', '"quoted"'], ['B', 'x=y'], ['FROM_ENV', 'shell']] });
  });

  it('rejects whitespace in a name, with the line', () => {
    expect(parseKvFile('OK=1\nNOT OK=2', () => undefined)).toEqual({ ok: false, error: { line: 2, message: "variable 'NOT OK' contains whitespaces" } });
  });
});
