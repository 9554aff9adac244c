import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import { parseConstraint, parsePreference, validatePlacement } from './constraint.js';

describe('parseConstraint', () => {
  it.each([
    ['node.id==abc', 'id', '', '==', 'abc'],
    ['node.hostname != Web-1', 'hostname', '', '!=', 'web-1'],
    ['node.role==manager', 'role', '', '==', 'manager'],
    ['NODE.ROLE==Worker', 'role', '', '==', 'worker'],
    ['node.platform.os==linux', 'os', '', '==', 'linux'],
    ['node.platform.arch==x86_64', 'arch', '', '==', 'amd64'],
    ['node.labels.zone==eu', 'nodeLabel', 'zone', '==', 'eu'],
    ['node.labels.com.example.tier!=db', 'nodeLabel', 'com.example.tier', '!=', 'db'],
    ['engine.labels.storage==ssd', 'engineLabel', 'storage', '==', 'ssd'],
  ])('accepts %s', (expression, field, label, op, value) => {
    const parsed = parseConstraint(expression);
    expect(parsed).toMatchObject({ ok: true, value: { field, label, op, value } });
  });

  it('keeps a canonical text without spaces for explanations', () => {
    const parsed = parseConstraint(' node.labels.zone ==  eu ');
    expect(parsed.ok && parsed.value.text).toBe('node.labels.zone==eu');
  });

  it.each([
    ['node.labels.zone=eu', 'expected an operator == or !='],
    ['node.rolee==manager', 'unknown key "node.rolee"'],
    ['==eu', 'the key is empty'],
    ['node.labels.==eu', 'the label key after "node.labels." is empty'],
    ['node.labels==eu', 'the label key after "node.labels." is empty'],
    ['node.labels.zone==', 'the value is empty'],
    ['node.role==boss', 'node.role is manager or worker'],
    ['node.labels.zone===eu', 'unexpected operator or character in value "=eu"'],
    ['node.labels.zone<=eu', 'expected an operator'],
  ])('rejects %s naming the expression and the accepted forms', (expression, why) => {
    const parsed = parseConstraint(expression);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.kind).toBe('invalid-constraint');
    expect(parsed.error.message).toContain(`invalid constraint "${expression}"`);
    expect(parsed.error.message).toContain(why);
    expect(parsed.error.message).toContain('accepted forms: node.id==ID, node.hostname==NAME');
    expect(parsed.error.message).toContain('node.labels.KEY==VALUE');
  });
});

describe('parsePreference', () => {
  it('accepts the CLI form and the API form', () => {
    expect(parsePreference('spread=node.labels.zone')).toMatchObject({ ok: true, value: { source: 'nodeLabel', label: 'zone', text: 'spread=node.labels.zone' } });
    expect(parsePreference('node.labels.rack')).toMatchObject({ ok: true, value: { source: 'nodeLabel', label: 'rack' } });
    expect(parsePreference('spread=engine.labels.dc')).toMatchObject({ ok: true, value: { source: 'engineLabel', label: 'dc' } });
  });

  it.each([
    ['spread=node.lables.zone', 'is not a node or engine label'],
    ['pack=node.labels.zone', 'unknown preference "pack"'],
    ['spread=', 'the label is empty'],
    ['spread=node.labels.', 'the label key after "node.labels." is empty'],
  ])('rejects %s', (expression, why) => {
    const parsed = parsePreference(expression);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.message).toContain(`invalid placement preference "${expression}"`);
    expect(parsed.error.message).toContain(why);
    expect(parsed.error.message).toContain('spread=node.labels.KEY');
  });
});

describe('validatePlacement', () => {
  it('parses everything or reports the first bad expression', () => {
    const good = codec.Placement.fromPartial({ constraints: ['node.role==worker'], preferences: [{ spreadDescriptor: 'node.labels.zone' }] });
    expect(validatePlacement(good)).toMatchObject({ ok: true, value: { constraints: [{ field: 'role' }], preferences: [{ label: 'zone' }] } });
    const bad = codec.Placement.fromPartial({ constraints: ['node.role==worker', 'node.labels.zone=eu'] });
    expect(validatePlacement(bad)).toMatchObject({ ok: false, error: { kind: 'invalid-constraint', expression: 'node.labels.zone=eu' } });
    const badPref = codec.Placement.fromPartial({ preferences: [{ spreadDescriptor: '' }] });
    expect(validatePlacement(badPref)).toMatchObject({ ok: false, error: { kind: 'invalid-preference' } });
    const badPlatform = codec.Placement.fromPartial({ platforms: [{ os: '', architecture: '' }] });
    expect(validatePlacement(badPlatform)).toMatchObject({ ok: false, error: { kind: 'invalid-platform' } });
  });

  it('accepts an absent placement', () => {
    expect(validatePlacement(undefined)).toEqual({ ok: true, value: { constraints: [], preferences: [] } });
  });
});
