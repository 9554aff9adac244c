import { connect } from 'node:net';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** The filesystem path of a `unix://` address, or a clear error for anything else. */
export function unixSocketPath(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`-H ${host}: the daemon listens on a Unix socket only (unix:///path)`);
  return host.slice('unix://'.length);
}

/**
 * Makes the socket path usable: removes a stale socket left by a crashed
 * daemon, refuses one a live daemon still answers on.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) return;
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another shoal daemon is listening on ${path}: stop it or use another -H`);
  rmSync(path, { force: true });
}
