import { describe, expect, it } from 'vitest';
import { lineAt, parseYaml } from './yaml-source.js';

function parse(text: string) {
  const r = parseYaml('docker-compose.yml', text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.parsed;
}

describe('parseYaml (as docker/cli reads YAML)', () => {
  it('reads leading-zero integers as octal, like Go', () => {
    expect(parse('mode: 0440\nother: 0o755\ndecimal: 440\nhex: 0x1F\n').value).toEqual({ mode: 0o440, other: 0o755, decimal: 440, hex: 31 });
  });

  it('keeps yes/no/on/off and 80:80 as strings (no YAML 1.1 booleans or sexagesimals)', () => {
    expect(parse('a: yes\nb: off\nport: 80:80\nc: true\n').value).toEqual({ a: 'yes', b: 'off', port: '80:80', c: true });
  });

  it('resolves anchors, aliases and merge keys, explicit keys winning', () => {
    const text = 'x-base: &base\n  image: a\n  user: root\nweb:\n  <<: *base\n  user: nobody\n';
    expect(parse(text).value).toEqual({ 'x-base': { image: 'a', user: 'root' }, web: { image: 'a', user: 'nobody' } });
  });

  it('records the line of every key and list item', () => {
    const p = parse('services:\n  web:\n    image: a\n    ports:\n      - "80:80"\n      - target: 81\n');
    expect(lineAt(p.lines, ['services', 'web', 'image'])).toBe(3);
    expect(lineAt(p.lines, ['services', 'web', 'ports', '1', 'target'])).toBe(6);
    expect(lineAt(p.lines, ['services', 'web', 'ports', '0'])).toBe(5);
    // A path that is not in the file falls back to its nearest ancestor.
    expect(lineAt(p.lines, ['services', 'web', 'deploy', 'replicas'])).toBe(2);
  });

  it('points merged keys at the anchor that defined them', () => {
    const p = parse('x: &x\n  image: a\nweb:\n  <<: *x\n');
    expect(lineAt(p.lines, ['web', 'image'])).toBe(2);
  });

  it('reports syntax errors and duplicate keys with their line', () => {
    const bad = parseYaml('f.yml', 'a: 1\nb: [1, 2\n');
    expect(bad.ok).toBe(false);
    const dup = parseYaml('f.yml', 'a: 1\nb: 2\na: 3\n');
    expect(dup).toMatchObject({ ok: false, errors: [{ file: 'f.yml', line: 3 }] });
    if (!dup.ok) expect(dup.errors[0]?.message).toMatch(/^yaml: .*unique/i);
  });

  it('treats an empty file as an empty mapping', () => {
    expect(parse('').value).toEqual({});
  });
});
