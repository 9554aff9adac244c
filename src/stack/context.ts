// What every converter needs besides the merged tree: the stack's namespace,
// where relative paths start, the variables, and a place to put problems
// (with the file and line the offending key came from).
import type { Lookup } from './template.js';
import { compareStrings } from './values.js';

/** Reads a file the Compose files refer to; undefined when it does not exist. */
export type ReadFile = (path: string) => Uint8Array | undefined;

/** Shared state of one conversion run. */
export interface ConvertContext {
  /** The stack name: objects are named `NAMESPACE_name`. */
  readonly namespace: string;
  /** Directory of the first Compose file; relative paths start here. */
  readonly workingDir: string;
  readonly lookup: Lookup;
  readonly readFile: ReadFile | undefined;
  /** Records an error at a dotted path of the merged tree. */
  error(path: readonly (string | number)[], message: string): void;
  warn(message: string): void;
}

/** `STACK_name`, as docker/cli's Namespace.Scope. */
export function scope(namespace: string, name: string): string {
  return `${namespace}_${name}`;
}

/** The label every stack object carries. */
export const namespaceLabel = 'com.docker.stack.namespace';

/** `labels` plus the namespace label, sorted by key. */
export function withStackLabel(namespace: string, labels: ReadonlyMap<string, string | null> | undefined): Record<string, string> {
  const out: [string, string][] = [];
  for (const [k, v] of labels ?? []) out.push([k, v ?? '']);
  out.push([namespaceLabel, namespace]);
  out.sort(([a], [b]) => compareStrings(a, b));
  return Object.fromEntries(out);
}
