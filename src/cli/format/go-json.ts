/**
 * JSON as Go's json.Marshal writes it: like JSON.stringify but with `<`, `>`,
 * `&`, U+2028 and U+2029 escaped. Docker's `--format json` list lines go
 * through json.Marshal, so `*:8080->80/tcp` prints as `*:8080-\u003e80/tcp`.
 */
export function goJsonMarshal(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One `--format json` line for a list row: keys sorted, as Go marshals the
 * map Docker builds from the row's fields.
 */
export function jsonLine(fields: Readonly<Record<string, unknown>>): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(fields).sort()) sorted[key] = fields[key];
  return goJsonMarshal(sorted);
}

/**
 * `inspect` output: a JSON array indented by four spaces, `[]` when empty, as
 * Docker's indented inspector prints the engine's JSON (not HTML-escaped).
 */
export function inspectJson(objects: readonly unknown[]): string {
  if (objects.length === 0) return '[]';
  return JSON.stringify(objects, null, 4);
}
