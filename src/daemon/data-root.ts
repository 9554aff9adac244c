import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Current layout version of a data root; a newer one is refused, not misread. */
export const DATA_ROOT_FORMAT = 1;

/**
 * Claims a data root for this process: creates it, checks its format, and
 * refuses it while another live daemon holds it (two daemons writing one
 * Raft log would corrupt it). Returns the release function.
 */
export function claimDataRoot(dataRoot: string): () => void {
  mkdirSync(dataRoot, { recursive: true, mode: 0o700 });
  const formatFile = join(dataRoot, 'format');
  let format: number | undefined;
  try {
    format = Number(readFileSync(formatFile, 'utf8').trim());
  } catch {
    writeFileSync(formatFile, `${DATA_ROOT_FORMAT}\n`);
  }
  if (format !== undefined && format > DATA_ROOT_FORMAT) {
    throw new Error(`data root ${dataRoot} has format ${format}, newer than this shoal understands (${DATA_ROOT_FORMAT}): upgrade shoal or use another --data-root`);
  }
  const pidFile = join(dataRoot, 'shoal.pid');
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(`data root ${dataRoot} is in use by another shoal daemon (pid ${pid}): stop it or use another --data-root`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(pidFile, `${process.pid}\n`);
  return () => rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
