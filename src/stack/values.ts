// Small helpers for the untyped trees YAML gives us.

/** A plain object (a YAML mapping), not an array or null. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A scalar as Docker stringifies it into labels, env and options (null → ""). */
export function scalarString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

/**
 * Compose's list_or_dict (`[K=V, K]` or `{K: V}`) as a map; a bare `K` or a
 * null value maps to null ("take it from the environment" for env).
 */
export function listOrDict(v: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalarString(item);
      const eq = s.indexOf('=');
      if (eq < 0) out.set(s, null);
      else out.set(s.slice(0, eq), s.slice(eq + 1));
    }
  } else if (isRecord(v)) {
    for (const [k, val] of Object.entries(v)) out.set(k, val === null ? null : scalarString(val));
  }
  return out;
}

/** A string or a list of strings as a list (Compose's string_or_list). */
export function stringOrList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(scalarString) : [scalarString(v)];
}

/** Entries of a map, sorted by key, so output does not depend on file order. */
export function sortedRecord(m: ReadonlyMap<string, string> | Record<string, string>): Record<string, string> {
  const entries = m instanceof Map ? [...m.entries()] : Object.entries(m);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/** Code-point order (not locale order), so sorting is the same everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `external: true` or the legacy `external: {name: x}`. */
export function isExternal(v: unknown): boolean {
  return v === true || isRecord(v);
}

/** The legacy `external: {name: x}` form's name. */
export function externalName(v: unknown): string | undefined {
  return isRecord(v) && typeof v.name === 'string' ? v.name : undefined;
}
