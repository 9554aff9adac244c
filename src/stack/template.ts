// Variable substitution in one string, as docker/cli's compose/template:
// $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error},
// ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $. Defaults may nest (${A:-${B}}).

/** Looks a variable up; undefined when it is not set at all. */
export type Lookup = (name: string) => string | undefined;

/** What substitution made of one string. */
export type Substitution =
  | { readonly ok: true; readonly value: string; readonly unset: readonly string[] }
  | { readonly ok: false; readonly kind: 'invalid' | 'required'; readonly message: string };

const nameStart = /[A-Za-z_]/;
const nameChar = /[A-Za-z0-9_]/;

/** Substitute every variable in `template`; unset ones without a default become "" and are listed. */
export function substitute(template: string, lookup: Lookup): Substitution {
  const unset: string[] = [];
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next !== undefined && nameStart.test(next)) {
      let j = i + 1;
      while (j < template.length && nameChar.test(template[j] ?? '')) j++;
      const name = template.slice(i + 1, j);
      const v = lookup(name);
      if (v === undefined) unset.push(name);
      out += v ?? '';
      i = j;
      continue;
    }
    if (next !== '{') return invalid(template);
    const close = matchingBrace(template, i + 1);
    if (close < 0) return invalid(template);
    const r = expandBraced(template.slice(i + 2, close), lookup, template);
    if (!r.ok) return r;
    out += r.value;
    unset.push(...r.unset);
    i = close + 1;
  }
  return { ok: true, value: out, unset };
}

function invalid(template: string): Substitution {
  return { ok: false, kind: 'invalid', message: template };
}

// Index of the `}` closing the `{` at `open`, counting nested `${`.
function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let k = open; k < s.length; k++) {
    if (s[k] === '{') depth++;
    else if (s[k] === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

function expandBraced(body: string, lookup: Lookup, template: string): Substitution {
  let j = 0;
  if (!nameStart.test(body[0] ?? '')) return invalid(template);
  while (j < body.length && nameChar.test(body[j] ?? '')) j++;
  const name = body.slice(0, j);
  const rest = body.slice(j);
  const value = lookup(name);
  if (rest === '') return value === undefined ? { ok: true, value: '', unset: [name] } : { ok: true, value, unset: [] };
  const colon = rest.startsWith(':');
  const op = colon ? rest[1] : rest[0];
  const arg = rest.slice(colon ? 2 : 1);
  // With a colon, an empty value counts as unset (POSIX shell semantics).
  const isSet = value !== undefined && (!colon || value !== '');
  switch (op) {
    case '-':
      return isSet ? { ok: true, value: value ?? '', unset: [] } : substitute(arg, lookup);
    case '+':
      return isSet ? substitute(arg, lookup) : { ok: true, value: '', unset: [] };
    case '?': {
      if (isSet) return { ok: true, value: value ?? '', unset: [] };
      const reason = substitute(arg, lookup);
      const text = reason.ok ? reason.value : arg;
      const message = text === '' ? `required variable ${name} is missing a value` : `required variable ${name} is missing a value: ${text}`;
      return { ok: false, kind: 'required', message };
    }
    default:
      return invalid(template);
  }
}
