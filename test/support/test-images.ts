// Test images are built locally and never pulled: CI has no image registry.
// The busybox image is Debian's static busybox plus one symlink per applet,
// imported as a single-layer image; it is built once per engine.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ensureDebianPackages } from './debian-packages.js';
import { progress } from './progress.js';
import { runCommand } from './run-command.js';

/** A busybox image with every applet (httpd, sh, wget, nslookup, nc, ping, ip, sleep...); CMD is `sh`. */
export const BUSYBOX_IMAGE = 'shoal-test/busybox:latest';

/** Label put on everything the test environment creates, so cleanup can find it. */
export const TEST_LABEL = 'shoal.test';

const BUSYBOX_BINARY = '/bin/busybox';

/** Whether the engine has an image by this name. */
export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Builds the test images that are missing from this engine; fast when they exist. */
export async function ensureTestImages(docker: Docker): Promise<void> {
  if (await imageExists(docker, BUSYBOX_IMAGE)) return;
  await buildBusyboxImage(docker);
}

async function buildBusyboxImage(docker: Docker): Promise<void> {
  await ensureDebianPackages(['busybox-static']);
  const startMs = Date.now();
  progress(`building ${BUSYBOX_IMAGE} from ${BUSYBOX_BINARY} (busybox-static)`);
  const rootfs = mkdtempSync(join(tmpdir(), `shoal-t-${process.pid}-busybox-`));
  try {
    await writeBusyboxRootfs(rootfs);
    const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, tag] = BUSYBOX_IMAGE.split(':') as [string, string];
    const stream = await docker.importImage(tar.stdout, {
      repo,
      tag,
      changes: ['CMD ["sh"]', 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'WORKDIR /'],
    } as unknown as Record<string, string>);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  progress(`built ${BUSYBOX_IMAGE} in ${((Date.now() - startMs) / 1000).toFixed(1)}s`);
}

async function writeBusyboxRootfs(rootfs: string): Promise<void> {
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'var/www', 'root', 'proc', 'sys', 'dev']) {
    mkdirSync(join(rootfs, dir), { recursive: true });
  }
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX_BINARY, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  // `busybox --list-full` names each applet with its conventional directory (usr/bin/wget, sbin/ip).
  const { stdout } = await runCommand(BUSYBOX_BINARY, ['--list-full']);
  for (const applet of stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'bin/busybox')) {
    const dir = applet.split('/').slice(0, -1).join('/');
    mkdirSync(join(rootfs, dir), { recursive: true });
    try {
      symlinkSync('/bin/busybox', join(rootfs, applet));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(rootfs, 'var/www/index.html'), 'shoal-test busybox\n');
}
