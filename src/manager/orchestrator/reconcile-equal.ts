// Spec comparison for "is this task out of date?". Stored objects are
// immutable (store README), so each spec object's canonical form is
// computed once and cached by identity: a no-op reconcile of 100,000 tasks
// then costs map lookups, not deep comparisons.
const canonicalForms = new WeakMap<object, string>();

/** A canonical string of a generated message: map key order and absent optional fields do not matter. */
export function canonical(message: object): string {
  let form = canonicalForms.get(message);
  if (form === undefined) {
    form = JSON.stringify(message, sortKeys);
    canonicalForms.set(message, form);
  }
  return form;
}

/** True when two generated messages hold the same values. */
export function sameMessage(a: object | undefined, b: object | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonical(a) === canonical(b);
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = member;
  }
  return sorted;
}
