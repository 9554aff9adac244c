// CI starts from a fresh Debian machine: the tools the test environment needs
// are installed on first use.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.js';
import { progress, timed } from './progress.js';

// Touched after a successful `apt-get update`, so the global setup and each test worker don't repeat it.
const UPDATED_MARKER = join(tmpdir(), 'shoal-test-apt-updated');
const FRESH_LISTS_MS = 3_600_000;

function listsAreFresh(): boolean {
  return existsSync(UPDATED_MARKER) && Date.now() - statSync(UPDATED_MARKER).mtimeMs < FRESH_LISTS_MS;
}

/** Whether a Debian package is installed (dpkg says "install ok installed"). */
export async function isInstalled(pkg: string): Promise<boolean> {
  const r = await runCommand('dpkg-query', ['-W', '-f=${Status}', pkg], { allowFailure: true });
  return r.code === 0 && r.stdout.includes('install ok installed');
}

/** Installs whichever of `pkgs` are missing; no-op (and no network) when all are present. */
export async function ensureDebianPackages(pkgs: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const pkg of pkgs) {
    if (!(await isInstalled(pkg))) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages ${missing.join(' ')}: run as root or install them with apt-get`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!listsAreFresh()) {
    await timed('apt-get update', () => runCommand('apt-get', ['update'], { env, timeoutMs: 300_000 }));
    writeFileSync(UPDATED_MARKER, '');
  }
  progress(`installing Debian packages: ${missing.join(' ')}`);
  await timed(`apt-get install ${missing.join(' ')}`, () =>
    runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 }));
}
