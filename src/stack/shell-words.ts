// Splits a `command:`/`entrypoint:` string into words as docker/cli does
// (mattn/go-shellwords): whitespace separates, quotes group, backslash escapes.

/** Words of `s`, or an error for an unterminated quote. */
export function shellWords(s: string): { ok: true; words: string[] } | { ok: false; message: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) {
      const next = s[i + 1] ?? '';
      // Inside double quotes a backslash escapes only these, as in sh.
      if (quote === '"' && !'"\\$`'.includes(next)) word += c;
      word += next;
      i++;
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (quote) return { ok: false, message: `unterminated ${quote === '"' ? 'double' : 'single'} quote in ${JSON.stringify(s)}` };
  if (inWord) words.push(word);
  return { ok: true, words };
}
