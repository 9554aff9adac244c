import { usageError } from '../errors.js';

// A subset of Go's text/template, enough for the `--format` strings people
// script against Docker: fields (`{{.Name}}`, `{{.Spec.Mode.Replicated.Replicas}}`),
// Docker's functions (json, join, split, lower, upper, title, pad, truncate)
// plus index and len, pipes, if/else, range (with `$k, $v :=`), and trim
// markers (`{{-`, `-}}`). Values print as Go's %v does.

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'pipe'; pipe: string }
  | { kind: 'if'; pipe: string; then: Node[]; else: Node[] }
  | { kind: 'range'; pipe: string; keyVar?: string; valueVar?: string; body: Node[]; else: Node[] };

interface Scope {
  dot: unknown;
  root: unknown;
  vars: Map<string, unknown>;
}

/** Functions available to templates; `header` mode makes them pass their argument through, as Docker's header functions do. */
type Fn = (...args: unknown[]) => unknown;

const FUNCTIONS: Record<string, Fn> = {
  json: (v) => JSON.stringify(v === undefined ? null : v),
  join: (list, sep) => (Array.isArray(list) ? list.map(show).join(String(sep)) : show(list)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => show(s).toLowerCase(),
  upper: (s) => show(s).toUpperCase(),
  title: (s) => show(s).replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  pad: (s, pre, post) => (show(s) === '' ? '' : ' '.repeat(Number(pre)) + show(s) + ' '.repeat(Number(post))),
  truncate: (s, n) => (show(s).length < Number(n) ? show(s) : show(s).slice(0, Number(n))),
  index: (coll, ...keys) => keys.reduce((c, k) => (c === null || c === undefined ? undefined : (c as Record<string, unknown>)[String(k)]), coll),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v !== null && typeof v === 'object' ? Object.keys(v).length : 0),
};

/** Go's %v for the JSON-like values we template over. */
export function show(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${show(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function templateError(template: string, why: string): Error {
  return usageError(`template parsing error: ${why} in ${JSON.stringify(template)}`);
}

/** Splits a template into text and actions, applying trim markers. */
function lex(template: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let rest = template;
  let trimNext = false;
  while (rest !== '') {
    const open = rest.indexOf('{{');
    let text = open < 0 ? rest : rest.slice(0, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text !== '') out.push({ text });
      break;
    }
    let inner = rest.slice(open + 2);
    if (inner.startsWith('- ') || inner.startsWith('-\t') || inner.startsWith('-\n')) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    if (text !== '') out.push({ text });
    const close = inner.indexOf('}}');
    if (close < 0) throw templateError(template, 'unclosed action');
    let action = inner.slice(0, close);
    trimNext = /\s-$/.test(action);
    if (trimNext) action = action.slice(0, -1);
    out.push({ action: action.trim() });
    rest = inner.slice(close + 2);
  }
  return out;
}

function parse(template: string): Node[] {
  const tokens = lex(template);
  let i = 0;
  function block(stopAt: string[]): { nodes: Node[]; stop: string } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i++] as { text: string } | { action: string };
      if ('text' in t) {
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const a = t.action;
      if (a.startsWith('/*')) continue;
      const word = a.split(/\s+/)[0] ?? '';
      if (stopAt.includes(word)) return { nodes, stop: a };
      if (word === 'if') {
        nodes.push(parseIf(a.slice(2).trim()));
      } else if (word === 'range') {
        let pipe = a.slice(5).trim();
        let keyVar: string | undefined;
        let valueVar: string | undefined;
        const decl = /^(\$\w*)(?:\s*,\s*(\$\w*))?\s*:=\s*(.*)$/.exec(pipe);
        if (decl) {
          if (decl[2] === undefined) valueVar = decl[1];
          else {
            keyVar = decl[1];
            valueVar = decl[2];
          }
          pipe = decl[3] ?? '';
        }
        const body = block(['else', 'end']);
        const otherwise = body.stop === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'range', pipe, ...(keyVar === undefined ? {} : { keyVar }), ...(valueVar === undefined ? {} : { valueVar }), body: body.nodes, else: otherwise });
      } else if (word === 'end' || word === 'else') {
        throw templateError(template, `unexpected {{${word}}}`);
      } else if (['with', 'define', 'template', 'block'].includes(word)) {
        throw templateError(template, `{{${word}}} is not supported by shoal`);
      } else {
        nodes.push({ kind: 'pipe', pipe: a });
      }
    }
    if (stopAt.length > 0) throw templateError(template, 'unexpected EOF');
    return { nodes, stop: '' };
  }
  // `{{else if b}}` nests an if that shares the outer `{{end}}`.
  function parseIf(pipe: string): Node {
    const body = block(['else', 'end']);
    if (body.stop === 'end') return { kind: 'if', pipe, then: body.nodes, else: [] };
    const rest = body.stop.slice(4).trim();
    if (rest.startsWith('if ')) return { kind: 'if', pipe, then: body.nodes, else: [parseIf(rest.slice(2).trim())] };
    return { kind: 'if', pipe, then: body.nodes, else: block(['end']).nodes };
  }
  return block([]).nodes;
}

function words(command: string): string[] {
  return command.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? [];
}

function operand(token: string, scope: Scope, template: string): unknown {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (token.startsWith('`')) return token.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  if (token === 'true' || token === 'false') return token === 'true';
  if (token === 'nil') return null;
  let base: unknown;
  let path: string;
  if (token.startsWith('$')) {
    const dot = token.indexOf('.');
    const name = dot < 0 ? token : token.slice(0, dot);
    base = name === '$' ? scope.root : scope.vars.get(name);
    if (name !== '$' && !scope.vars.has(name)) throw templateError(template, `undefined variable "${name}"`);
    path = dot < 0 ? '' : token.slice(dot);
  } else if (token.startsWith('.')) {
    base = scope.dot;
    path = token === '.' ? '' : token;
  } else {
    throw templateError(template, `function "${token}" not defined`);
  }
  for (const field of path.split('.').filter((f) => f !== '')) {
    if (base === null || base === undefined || typeof base !== 'object' || Array.isArray(base)) return undefined;
    base = (base as Record<string, unknown>)[field];
  }
  return base;
}

function evalPipe(pipe: string, scope: Scope, template: string, fns: Record<string, Fn>): unknown {
  let value: unknown;
  let first = true;
  for (const command of pipe.split(/\|(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const [head = '', ...args] = words(command.trim());
    const fn = fns[head];
    if (fn !== undefined) {
      const evaluated = args.map((a) => operand(a, scope, template));
      value = fn(...(first ? evaluated : [...evaluated, value]));
    } else {
      if (!/^[.$"`\d-]|^(true|false|nil)$/.test(head)) throw templateError(template, `function "${head}" not defined`);
      if (args.length > 0 || !first) throw templateError(template, `can't give argument to non-function ${head}`);
      value = operand(head, scope, template);
    }
    first = false;
  }
  return value;
}

function run(nodes: readonly Node[], scope: Scope, template: string, fns: Record<string, Fn>): string {
  let out = '';
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
        out += n.text;
        break;
      case 'pipe':
        out += show(evalPipe(n.pipe, scope, template, fns));
        break;
      case 'if':
        out += run(truthy(evalPipe(n.pipe, scope, template, fns)) ? n.then : n.else, scope, template, fns);
        break;
      case 'range': {
        const coll = evalPipe(n.pipe, scope, template, fns);
        const entries: [unknown, unknown][] = Array.isArray(coll)
          ? coll.map((v, i) => [i, v])
          : coll !== null && typeof coll === 'object'
            ? Object.keys(coll).sort().map((k) => [k, (coll as Record<string, unknown>)[k]])
            : [];
        if (entries.length === 0) out += run(n.else, scope, template, fns);
        for (const [k, v] of entries) {
          const vars = new Map(scope.vars);
          if (n.keyVar !== undefined) vars.set(n.keyVar, k);
          if (n.valueVar !== undefined) vars.set(n.valueVar, v);
          out += run(n.body, { dot: v, root: scope.root, vars }, template, fns);
        }
        break;
      }
    }
  }
  return out;
}

/** A parsed template, ready to execute against values. */
export interface GoTemplate {
  execute(data: unknown): string;
  /** Docker's header pass: fields print their column header, functions pass their first argument through. */
  executeHeader(headers: Readonly<Record<string, string>>): string;
}

/** Parses a Go template; a syntax error is a usage error naming the template. */
export function parseGoTemplate(template: string): GoTemplate {
  const nodes = parse(template);
  const passThrough: Record<string, Fn> = Object.fromEntries(Object.keys(FUNCTIONS).map((k) => [k, (v: unknown) => v]));
  return {
    execute: (data) => run(nodes, { dot: data, root: data, vars: new Map() }, template, FUNCTIONS),
    executeHeader: (headers) => run(nodes, { dot: headers, root: headers, vars: new Map() }, template, passThrough),
  };
}
