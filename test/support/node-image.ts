// The image a container host runs: Debian bookworm with its own dockerd, plus
// Node and the built project. Two layers so a rebuild of the project does not
// redo debootstrap: the base image is tagged by a hash of its package list,
// the project image by a hash of the base and the project files, and each is
// reused when the engine already has it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { ensureDebianPackages } from './debian-packages.js';
import { progress, timed } from './progress.js';
import { PROJECT_ROOT } from './project-root.js';
import { runCommand } from './run-command.js';
import { imageExists } from './test-images.js';

/** Repository of the debootstrapped base (tag: hash of the package list). */
export const NODE_BASE_REPO = 'shoal-test/node-base';
/** Repository of the container-host image (tag: hash of base + project files). */
export const NODE_IMAGE_REPO = 'shoal-test/node';
/** Where the project sits inside the node image; `shoal` on PATH runs its bin/shoal.js. */
export const PROJECT_DIR_IN_IMAGE = '/opt/shoal';

const SUITE = 'bookworm';
const MIRROR = process.env.SHOAL_TEST_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
// What a host needs for its own engine and for overlay/routing-mesh work and debugging from tests.
const BASE_PACKAGES = ['docker.io', 'iproute2', 'nftables', 'iptables', 'ca-certificates', 'procps', 'iputils-ping', 'curl', 'kmod'];
// Bump when the recipe below changes in a way the package list doesn't show.
const BASE_RECIPE_VERSION = '1';
const PROJECT_ENTRIES = ['package.json', 'dist', 'bin', 'proto'];
/** Where debootstrap builds the rootfs: on disk, since /tmp may be a nodev tmpfs and debootstrap makes device nodes. */
export const BUILD_DIR = process.env.SHOAL_TEST_BUILD_DIR ?? '/var/tmp';


/** Returns the tag of an up-to-date node image, building the missing layers. */
export async function ensureNodeImage(docker: Docker, projectRoot: string = PROJECT_ROOT): Promise<string> {
  const base = await ensureBaseImage(docker);
  const tag = `${NODE_IMAGE_REPO}:${projectHash(projectRoot, base)}`;
  if (await imageExists(docker, tag)) {
    progress(`node image ${tag} is up to date`);
    return tag;
  }
  await timed(`building node image ${tag} (project layer on ${base})`, () => buildProjectLayer(docker, base, tag, projectRoot));
  await removeOtherTags(docker, NODE_IMAGE_REPO, tag);
  return tag;
}

/** Returns the tag of the debootstrapped base image, building it when missing (about a minute). */
export async function ensureBaseImage(docker: Docker): Promise<string> {
  const hash = sha256([SUITE, MIRROR, BASE_RECIPE_VERSION, ...BASE_PACKAGES].join('\n')).slice(0, 16);
  const tag = `${NODE_BASE_REPO}:${hash}`;
  if (await imageExists(docker, tag)) return tag;
  await ensureDebianPackages(['debootstrap']);
  const rootfs = mkdtempSync(join(BUILD_DIR, `shoal-t-${process.pid}-rootfs-`));
  try {
    await timed(`debootstrap ${SUITE} with ${BASE_PACKAGES.join(',')} from ${MIRROR}`, () =>
      runCommand('debootstrap', ['--variant=minbase', `--include=${BASE_PACKAGES.join(',')}`, SUITE, rootfs, MIRROR], { timeoutMs: 900_000 }));
    // Package caches and docs are dead weight in an image imported on every fresh engine.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale']) {
      const path = join(rootfs, dir);
      if (existsSync(path)) for (const entry of readdirSync(path)) rmSync(join(path, entry), { recursive: true, force: true });
    }
    writeFileSync(join(rootfs, 'etc/hostname'), 'shoal-host\n');
    await timed(`importing ${tag}`, () => importTar(docker, ['-C', rootfs, '--numeric-owner', '-cf', '-', '.'], tag,
      ['CMD ["/bin/bash"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']));
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  return tag;
}

async function buildProjectLayer(docker: Docker, base: string, tag: string, projectRoot: string): Promise<void> {
  if (!existsSync(join(projectRoot, 'dist'))) throw new Error(`${projectRoot}/dist is missing: run \`npm run build\` before building the node image`);
  const staging = mkdtempSync(join(tmpdir(), `shoal-t-${process.pid}-layer-`));
  const container = await docker.createContainer({ Image: base, Cmd: ['true'] });
  try {
    writeStagedBinaries(staging);
    const entries = PROJECT_ENTRIES.filter((e) => existsSync(join(projectRoot, e)));
    // putArchive needs an existing directory, so members are renamed under opt/shoal (not symlink targets: `S`).
    const intoProject = ['--transform', `s,^,${PROJECT_DIR_IN_IMAGE.slice(1)}/,S`];
    await putTar(container, '/', ['-C', projectRoot, ...intoProject, '-cf', '-', ...entries]);
    // node_modules may be a symlink to another checkout's; copy the real directory.
    const modules = realpathSync(join(projectRoot, 'node_modules'));
    await putTar(container, '/', ['-C', dirname(modules), ...intoProject, '-cf', '-', basenameOf(modules)]);
    await putTar(container, '/usr/local/bin', ['-C', staging, '-cf', '-', '.']);
    const [repo, version] = tag.split(':') as [string, string];
    await container.commit({
      repo,
      tag: version,
      changes: ['CMD ["/usr/local/bin/shoal-host-init"]', `WORKDIR ${PROJECT_DIR_IN_IMAGE}`, 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    } as unknown as Record<string, string>);
  } finally {
    await container.remove({ force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

// Each project change makes a ~300 MB layer; keep only the newest so a developer's disk doesn't fill up.
async function removeOtherTags(docker: Docker, repo: string, keep: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [repo] } });
  const stale = images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`) && t !== keep);
  // Without force: an image a running container host still uses stays.
  for (const t of stale) await docker.getImage(t).remove().catch(() => undefined);
}

function writeStagedBinaries(staging: string): void {
  copyFileSync(process.execPath, join(staging, 'node'));
  chmodSync(join(staging, 'node'), 0o755);
  writeFileSync(join(staging, 'shoal'), `#!/bin/sh\nexec /usr/local/bin/node ${PROJECT_DIR_IN_IMAGE}/bin/shoal.js "$@"\n`, { mode: 0o755 });
  // PID 1 of a container host: its own dockerd, stopped cleanly on SIGTERM so `docker stop` is quick.
  writeFileSync(join(staging, 'shoal-host-init'), [
    '#!/bin/sh',
    'mkdir -p /var/log /run/shoal',
    'dockerd -H unix:///var/run/docker.sock >/var/log/dockerd.log 2>&1 &',
    'DOCKERD=$!',
    "trap 'kill -TERM $DOCKERD; wait $DOCKERD; exit 0' TERM INT",
    'while :; do sleep 3600 & wait $!; done',
    '',
  ].join('\n'), { mode: 0o755 });
}

function projectHash(projectRoot: string, base: string): string {
  const h = createHash('sha256');
  h.update(`${base}\n${process.version}\n${process.execPath}\n`);
  for (const entry of [...PROJECT_ENTRIES, 'package-lock.json']) hashTree(h, projectRoot, entry);
  return h.digest('hex').slice(0, 16);
}

// Hashes names and contents; cheap enough for dist/ (a few MB) on every run.
function hashTree(h: ReturnType<typeof createHash>, root: string, rel: string): void {
  const path = join(root, rel);
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) hashTree(h, root, join(rel, entry));
  } else {
    h.update(`${rel}\0`);
    h.update(readFileSync(path));
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function basenameOf(path: string): string {
  return path.split('/').pop() ?? path;
}

async function importTar(docker: Docker, tarArgs: string[], tag: string, changes: string[]): Promise<void> {
  const tar = spawn('tar', tarArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [repo, version] = tag.split(':') as [string, string];
  const stream = await docker.importImage(tar.stdout, { repo, tag: version, changes } as unknown as Record<string, string>);
  await new Promise<void>((resolvePromise, reject) => {
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolvePromise()));
  });
}

async function putTar(container: Docker.Container, path: string, tarArgs: string[]): Promise<void> {
  const tar = spawn('tar', tarArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolvePromise, reject) => {
    tar.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`tar ${tarArgs.join(' ')} exited ${code}`))));
  });
  await container.putArchive(tar.stdout, { path });
  await exited;
}
