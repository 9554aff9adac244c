// Placement expressions as users write them (`--constraint node.labels.zone==eu`,
// `--placement-pref spread=node.labels.zone`), parsed once when the service is
// created so a typo is an error then, never a task that silently stays pending.
import type { Placement } from '../gen/index.js';
import { err, ok, type Result } from '../common/result.js';
import { normalizeArch } from './node-entry.js';

/** What a constraint compares: a fixed node attribute or one label. */
export type ConstraintField = 'id' | 'hostname' | 'role' | 'os' | 'arch' | 'nodeLabel' | 'engineLabel';

/** A parsed constraint; `text` is its canonical form for explanations. */
export interface Constraint {
  readonly field: ConstraintField;
  /** The label key for nodeLabel/engineLabel, '' otherwise. */
  readonly label: string;
  readonly op: '==' | '!=';
  /** Compared case-insensitively, as Swarm does; stored lowercased (architectures normalized: x86_64 is amd64). */
  readonly value: string;
  readonly text: string;
}

/** A parsed `spread=` preference: which label's values form the branches. */
export interface SpreadPreference {
  readonly source: 'nodeLabel' | 'engineLabel';
  readonly label: string;
  readonly text: string;
}

/** A placement expression that cannot be parsed, with the forms we accept. */
export interface PlacementError {
  readonly kind: 'invalid-constraint' | 'invalid-preference' | 'invalid-platform' | 'invalid-max-replicas';
  readonly expression: string;
  readonly message: string;
}

/** The accepted constraint forms, shown in every constraint error. */
export const CONSTRAINT_FORMS =
  'node.id==ID, node.hostname==NAME, node.role==manager|worker, node.platform.os==OS, node.platform.arch==ARCH, node.labels.KEY==VALUE, engine.labels.KEY==VALUE (or != instead of ==)';

/** The accepted preference forms, shown in every preference error. */
export const PREFERENCE_FORMS = 'spread=node.labels.KEY or spread=engine.labels.KEY';

const FIXED_FIELDS: ReadonlyMap<string, ConstraintField> = new Map([
  ['node.id', 'id'],
  ['node.hostname', 'hostname'],
  ['node.role', 'role'],
  ['node.platform.os', 'os'],
  ['node.platform.arch', 'arch'],
]);
// Swarm's label key rule, without the leading-character restriction Docker labels do not have.
const LABEL_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/;
const VALUE = /^[^\s=!]+(\s+[^\s=!]+)*$/;

/** Parses `KEY==VALUE` or `KEY!=VALUE`; the error names the expression and the accepted forms. */
export function parseConstraint(expression: string): Result<Constraint, PlacementError> {
  const fail = (why: string): Result<Constraint, PlacementError> =>
    err({ kind: 'invalid-constraint', expression, message: `invalid constraint "${expression}": ${why}; accepted forms: ${CONSTRAINT_FORMS}` });
  const eq = expression.indexOf('==');
  const ne = expression.indexOf('!=');
  const at = eq >= 0 && (ne < 0 || eq < ne) ? eq : ne;
  if (at < 0) return fail('expected an operator == or !=');
  const op = at === eq ? '==' : '!=';
  const key = expression.slice(0, at).trim();
  const value = expression.slice(at + 2).trim();
  if (key === '') return fail('the key is empty');
  if (value === '') return fail('the value is empty');
  if (/[=!<>]/.test(key)) return fail(`unexpected operator in key "${key}"`);
  if (!VALUE.test(value)) return fail(`unexpected operator or character in value "${value}"`);
  const lowerKey = key.toLowerCase();
  const fixed = FIXED_FIELDS.get(lowerKey);
  let field: ConstraintField;
  let label = '';
  let canonicalKey = lowerKey;
  if (fixed !== undefined) {
    field = fixed;
    if (field === 'role' && !['manager', 'worker'].includes(value.toLowerCase())) return fail(`node.role is manager or worker, not "${value}"`);
  } else {
    const labelled = splitLabel(key);
    if (labelled === undefined) return fail(`unknown key "${key}"`);
    if (labelled.label === '') return fail(`the label key after "${labelled.prefix}" is empty`);
    if (!LABEL_KEY.test(labelled.label)) return fail(`invalid label key "${labelled.label}"`);
    field = labelled.source;
    label = labelled.label;
    canonicalKey = `${labelled.prefix}${label}`;
  }
  const compared = field === 'arch' ? normalizeArch(value) : value.toLowerCase();
  return ok({ field, label, op, value: compared, text: `${canonicalKey}${op}${value}` });
}

/** Parses a spread descriptor, with or without the CLI's `spread=` prefix. */
export function parsePreference(expression: string): Result<SpreadPreference, PlacementError> {
  const fail = (why: string): Result<SpreadPreference, PlacementError> =>
    err({ kind: 'invalid-preference', expression, message: `invalid placement preference "${expression}": ${why}; accepted forms: ${PREFERENCE_FORMS}` });
  let descriptor = expression.trim();
  const eq = descriptor.indexOf('=');
  if (eq >= 0) {
    const strategy = descriptor.slice(0, eq).trim();
    if (strategy.toLowerCase() !== 'spread') return fail(`unknown preference "${strategy}" (only spread exists)`);
    descriptor = descriptor.slice(eq + 1).trim();
  }
  if (descriptor === '') return fail('the label is empty');
  const labelled = splitLabel(descriptor);
  if (labelled === undefined) return fail(`"${descriptor}" is not a node or engine label`);
  if (labelled.label === '') return fail(`the label key after "${labelled.prefix}" is empty`);
  if (!LABEL_KEY.test(labelled.label)) return fail(`invalid label key "${labelled.label}"`);
  return ok({ source: labelled.source, label: labelled.label, text: `spread=${labelled.prefix}${labelled.label}` });
}

/** A placement with every expression parsed, as the scheduler uses it. */
export interface ParsedPlacement {
  readonly constraints: readonly Constraint[];
  readonly preferences: readonly SpreadPreference[];
}

/** Checks a whole Placement; the Control API calls this on service create and update. */
export function validatePlacement(placement: Placement | undefined): Result<ParsedPlacement, PlacementError> {
  const constraints: Constraint[] = [];
  const preferences: SpreadPreference[] = [];
  if (placement === undefined) return ok({ constraints, preferences });
  for (const expression of placement.constraints) {
    const parsed = parseConstraint(expression);
    if (!parsed.ok) return parsed;
    constraints.push(parsed.value);
  }
  for (const preference of placement.preferences) {
    const parsed = parsePreference(preference.spreadDescriptor);
    if (!parsed.ok) return parsed;
    preferences.push(parsed.value);
  }
  for (const platform of placement.platforms) {
    if (platform.os === '' && platform.architecture === '') {
      return err({ kind: 'invalid-platform', expression: '', message: 'invalid platform: both os and architecture are empty; expected e.g. linux/amd64' });
    }
  }
  if (!Number.isSafeInteger(placement.maxReplicas) || placement.maxReplicas < 0) {
    const expression = String(placement.maxReplicas);
    return err({ kind: 'invalid-max-replicas', expression, message: `invalid max replicas per node "${expression}": expected 0 (unlimited) or a positive integer` });
  }
  return ok({ constraints, preferences });
}

function splitLabel(key: string): { source: 'nodeLabel' | 'engineLabel'; prefix: string; label: string } | undefined {
  for (const [prefix, source] of [['node.labels.', 'nodeLabel'], ['engine.labels.', 'engineLabel']] as const) {
    // The prefix is case-insensitive like the fixed keys; the label key is kept as written.
    if (key.slice(0, prefix.length).toLowerCase() === prefix) return { source, prefix, label: key.slice(prefix.length) };
  }
  if (key.toLowerCase() === 'node.labels' || key.toLowerCase() === 'engine.labels') {
    return { source: key.toLowerCase() === 'node.labels' ? 'nodeLabel' : 'engineLabel', prefix: `${key.toLowerCase()}.`, label: '' };
  }
  return undefined;
}
