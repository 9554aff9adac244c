// Looking for bytes on disk: a secret must be nowhere a test did not put it.
import { execFileSync } from 'node:child_process';

/** Files under `path` (a directory, or one file) whose bytes contain `needle`; grep's "no match" is an empty list, its errors throw. */
export function filesContaining(path: string, needle: string): string[] {
  try {
    return execFileSync('grep', ['-rlaF', '--', needle, path], { encoding: 'utf8', maxBuffer: 1 << 22 }).trim().split('\n').filter(Boolean);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}
