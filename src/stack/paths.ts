// Host paths in Compose files are relative to the first file's directory
// (docker/cli's WorkingDir), and `~` is $HOME. Done with path.posix so the
// result does not depend on the process's working directory or OS.
import { posix } from 'node:path';
import type { Lookup } from './template.js';

/** An absolute host path for `p` as written in a Compose file. */
export function hostPath(workingDir: string, p: string, lookup: Lookup): string {
  if (p === '~' || p.startsWith('~/')) {
    const home = lookup('HOME') ?? '/root';
    return posix.normalize(home + p.slice(1));
  }
  if (posix.isAbsolute(p)) return posix.normalize(p);
  return posix.normalize(posix.join(workingDir, p));
}

/** The directory of a file path. */
export function dirOf(file: string): string {
  return posix.dirname(file);
}
