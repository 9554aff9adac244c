// CI starts from a fresh Debian machine: the tools the test environment needs
// are installed on first use, with a single `apt-get update` per process.
import { runCommand } from './run-command.js';
import { progress, timed } from './progress.js';

let updated = false;

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
  if (!updated) {
    await timed('apt-get update', () => runCommand('apt-get', ['update'], { env, timeoutMs: 300_000 }));
    updated = true;
  }
  progress(`installing Debian packages: ${missing.join(' ')}`);
  await timed(`apt-get install ${missing.join(' ')}`, () =>
    runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 600_000 }));
}
