// The shell's side of loading: the `-c` files' text (or stdin for "-"), and
// a file reader for `.env`, env_file and secret/config files. Everything
// else about Compose is the pure library in src/stack.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ComposeFile, ReadFile } from '../../stack/index.js';
import { CliError } from '../errors.js';

/** Reads a file the Compose files name; undefined when it is missing or not a file. */
export const readHostFile: ReadFile = (path) => {
  try {
    return statSync(path).isFile() ? readFileSync(path) : undefined;
  } catch {
    return undefined;
  }
};

/** The `-c` files as the loader takes them; "-" is stdin (relative paths then start at the current directory). */
export function composeFiles(paths: readonly string[], cwd: string, readStdin: () => string): ComposeFile[] {
  if (paths.length === 0) throw new CliError('Please specify a Compose file (with --compose-file).', 125);
  return paths.map((p) => {
    if (p === '-') return { path: resolve(cwd, 'stdin'), text: readStdin(), displayName: '-' };
    const path = resolve(cwd, p);
    const bytes = readHostFile(path);
    if (bytes === undefined) throw new CliError(`open ${p}: no such file or directory (give the path of a Compose file with -c)`);
    return { path, text: new TextDecoder().decode(bytes), displayName: p };
  });
}

/** All of stdin, read synchronously (a deploy reads it once, before any call). */
export function readStdinText(): string {
  return readFileSync(0, 'utf8');
}
