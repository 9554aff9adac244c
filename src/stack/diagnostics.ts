// Problems found while loading a stack, as values: the CLI prints them one a
// line, and a file with errors deploys nothing (STYLE.md: expected failures
// are values, not exceptions).

/** Where in which Compose file something was written. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based; 0 when the position is unknown (e.g. a value only a merge produced). */
  readonly line: number;
}

/** One error in the Compose files: location, dotted path and what is wrong. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  /** Dotted path such as `services.web.deploy.replicas`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** `docker-compose.yml:14 services.web.deploy.replicas: expected integer, got "three"`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file === '' ? '' : d.line > 0 ? `${d.file}:${d.line}` : d.file;
  const subject = [where, d.path].filter((s) => s !== '').join(' ');
  return subject === '' ? d.message : `${subject}: ${d.message}`;
}

/** A value or every error that stopped it, plus warnings either way. */
export type LoadResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly Diagnostic[]; readonly warnings: readonly string[] };

/** Dotted form of a path, as Docker prints it. */
export function joinPath(path: readonly (string | number)[]): string {
  return path.map(String).join('.');
}
