// Reads one Compose file's YAML the way Docker does (go.yaml.in/yaml/v3):
// YAML 1.2 core scalars, except that integers with a leading 0 are octal
// (`mode: 0440` is 0o440) and `yes`/`on` stay strings; merge keys (`<<:`) and
// anchors are resolved. It also remembers the line of every key so later
// stages can say `file:line path: ...`.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type ScalarTag } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

/** The parsed tree of one Compose file and the line of each dotted path in it. */
export interface ParsedYaml {
  readonly file: string;
  readonly value: unknown;
  readonly lines: ReadonlyMap<string, number>;
}

// Go's strconv.ParseInt(s, 0, 64), which yaml.v3 uses, reads 0440 as octal.
const legacyOctal: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^[-+]?0[0-7]+$/,
  resolve: (s: string) => Number.parseInt(s, 8),
};

/** Anchors may be used a bounded number of times (billion-laughs guard). */
const maxAliasCount = 1000;

/** Parse one file; YAML syntax errors come back as diagnostics. */
export function parseYaml(file: string, text: string): { ok: true; parsed: ParsedYaml } | { ok: false; errors: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.2', schema: 'core', customTags: (tags) => [legacyOctal, ...tags], merge: true, uniqueKeys: true, lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({ file, line: lineCounter.linePos(e.pos[0]).line, path: '', message: `yaml: ${firstLine(e.message)}` })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (e) {
    // toJS throws on excessive aliasing: a malformed file, not a bug of ours.
    return { ok: false, errors: [{ file, line: 0, path: '', message: `yaml: ${(e as Error).message}` }] };
  }
  if (value === null || value === undefined) value = {};
  const lines = new Map<string, number>();
  const lineOf = (node: { range?: [number, number, number] | null | undefined } | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 0;
  walk(doc, doc.contents as Node | null, [], lines, lineOf, 0);
  return { ok: true, parsed: { file, value, lines } };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

type LineOf = (node: { range?: [number, number, number] | null | undefined } | null | undefined) => number;

// Records each key's line under its dotted path; aliases are followed so a
// value that came from an anchor points at the anchor's definition.
function walk(doc: Document, node: Node | null, path: string[], lines: Map<string, number>, lineOf: LineOf, depth: number): void {
  if (node === null || depth > 64) return;
  if (isAlias(node)) {
    walk(doc, node.resolve(doc) as Node | null, path, lines, lineOf, depth + 1);
    return;
  }
  if (isMap(node)) {
    // Explicit keys first so they win over keys merged in with `<<:`.
    const merges: Node[] = [];
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const rawKey: unknown = isScalar(item.key) ? item.key.value : item.key;
      // yaml represents a merge key as a symbol (or the plain string `<<`).
      if (rawKey === '<<' || typeof rawKey === 'symbol') {
        merges.push(item.value as Node);
        continue;
      }
      const childPath = [...path, String(rawKey)];
      const dotted = childPath.join('.');
      if (!lines.has(dotted)) lines.set(dotted, lineOf(item.key as Node) || lineOf(item.value as Node));
      walk(doc, item.value as Node | null, childPath, lines, lineOf, depth + 1);
    }
    for (const m of merges) {
      const sources = isSeq(m) ? (m.items as Node[]) : [m];
      for (const s of sources) walk(doc, s, path, lines, lineOf, depth + 1);
    }
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const childPath = [...path, String(i)];
      const dotted = childPath.join('.');
      if (!lines.has(dotted)) lines.set(dotted, lineOf(item as Node));
      walk(doc, item as Node | null, childPath, lines, lineOf, depth + 1);
    });
  }
}

/** The line of a dotted path, or of its nearest ancestor that has one. */
export function lineAt(lines: ReadonlyMap<string, number>, path: readonly (string | number)[]): number {
  for (let n = path.length; n > 0; n--) {
    const line = lines.get(path.slice(0, n).join('.'));
    if (line !== undefined && line > 0) return line;
  }
  return 0;
}
