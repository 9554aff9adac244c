// The Docker Engine every integration and e2e test runs containers on. Tests
// reuse an engine that already answers (DOCKER_HOST, our private socket, the
// default socket); otherwise they start a private dockerd with its own socket,
// exec root and pidfile, so nothing is shared with a system Docker. Its data
// root persists between runs on purpose: locally built test images (and the
// expensive node image) stay cached.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ensureDebianPackages } from './debian-packages.js';
import { progress } from './progress.js';
import { tail } from './run-command.js';
import { isAlive, sleep, waitFor, waitForAsync } from './wait.js';

/** Where the private engine keeps its socket, pidfile, exec root and log (override: SHOAL_TEST_ENGINE_RUN_DIR). */
export const ENGINE_RUN_DIR = process.env.SHOAL_TEST_ENGINE_RUN_DIR ?? '/run/shoal-test-engine';
/** The private engine's data root; kept across runs as an image cache (override: SHOAL_TEST_ENGINE_DATA_ROOT). */
export const ENGINE_DATA_ROOT = process.env.SHOAL_TEST_ENGINE_DATA_ROOT ?? '/var/lib/shoal-test-engine';
/** The private engine's socket, as a DOCKER_HOST value. */
export const PRIVATE_DOCKER_HOST = `unix://${join(ENGINE_RUN_DIR, 'docker.sock')}`;
const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

const PING_TIMEOUT_MS = 3_000;
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const LOCK_TIMEOUT_MS = 180_000;
const POLL_MS = 200;

/** An engine the tests can use; `owned` means this process started it and must stop it. */
export interface TestEngine {
  dockerHost: string;
  owned: boolean;
  /** Set for the private engine: its pid at start. */
  pid?: number;
}

/** A dockerode client for a DOCKER_HOST value (unix:// or tcp://). */
export function dockerClient(dockerHost: string): Docker {
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** Whether an engine answers a ping at `dockerHost` within a few seconds. */
export async function engineAnswers(dockerHost: string): Promise<boolean> {
  if (dockerHost.startsWith('unix://') && !existsSync(dockerHost.slice('unix://'.length))) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
  });
  const ping = dockerClient(dockerHost).ping().then(() => true, () => false);
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Finds an answering engine or starts the private one; idempotent and fast when one is up. */
export async function startTestEngine(): Promise<TestEngine> {
  // SHOAL_TEST_ENGINE_SYSTEM=off leaves a system Docker out (tests of the private engine's own lifecycle).
  const system = process.env.SHOAL_TEST_ENGINE_SYSTEM === 'off' ? undefined : DEFAULT_DOCKER_HOST;
  const candidates = [process.env.DOCKER_HOST, PRIVATE_DOCKER_HOST, system]
    .filter((h): h is string => h !== undefined && h !== '');
  for (const host of candidates) {
    if (await engineAnswers(host)) {
      progress(`using the Docker Engine at ${host}`);
      return { dockerHost: host, owned: false };
    }
  }
  return withStartLock(async () => {
    // Another process (the other vitest project, a demo script) may have started it while we waited.
    if (await engineAnswers(PRIVATE_DOCKER_HOST)) return { dockerHost: PRIVATE_DOCKER_HOST, owned: false };
    await ensureDebianPackages(['docker.io']);
    const pid = await startPrivateDockerd();
    return { dockerHost: PRIVATE_DOCKER_HOST, owned: true, pid };
  });
}

/** Stops the private dockerd if it runs (by its pidfile); waits until it has exited. */
export async function stopPrivateEngine(): Promise<void> {
  const pid = readPid();
  if (pid === undefined || !isAlive(pid)) {
    progress('private dockerd is not running');
    return;
  }
  progress(`stopping private dockerd (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  if (!(await waitFor(() => !isAlive(pid), STOP_TIMEOUT_MS))) {
    progress(`dockerd ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS}ms; killing it`);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 5_000);
  }
  rmSync(join(ENGINE_RUN_DIR, 'docker.sock'), { force: true });
}

async function startPrivateDockerd(): Promise<number> {
  mkdirSync(ENGINE_RUN_DIR, { recursive: true });
  mkdirSync(ENGINE_DATA_ROOT, { recursive: true });
  const socketPath = PRIVATE_DOCKER_HOST.slice('unix://'.length);
  const logPath = join(ENGINE_RUN_DIR, 'dockerd.log');
  const stale = readPid();
  if (stale !== undefined && isAlive(stale)) {
    // A dockerd that holds our pidfile but does not answer is wedged; replace it.
    progress(`private dockerd ${stale} does not answer; killing it`);
    process.kill(stale, 'SIGKILL');
    await waitFor(() => !isAlive(stale), 10_000);
  }
  rmSync(socketPath, { force: true });
  rmSync(join(ENGINE_RUN_DIR, 'dockerd.pid'), { force: true });
  const args = [
    '-H', PRIVATE_DOCKER_HOST,
    '--data-root', ENGINE_DATA_ROOT,
    '--exec-root', join(ENGINE_RUN_DIR, 'exec'),
    '--pidfile', join(ENGINE_RUN_DIR, 'dockerd.pid'),
  ];
  // dockerd picks overlay2 when the filesystem supports it and falls back otherwise.
  if (process.env.SHOAL_TEST_STORAGE_DRIVER) args.push('--storage-driver', process.env.SHOAL_TEST_STORAGE_DRIVER);
  progress(`starting private dockerd at ${PRIVATE_DOCKER_HOST} (data root ${ENGINE_DATA_ROOT}, log ${logPath})`);
  const startMs = Date.now();
  const logFd = openSync(logPath, 'a');
  // Detached so `engine-cli start` can exit and leave the engine to later commands.
  const child = spawn('dockerd', args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited ${code ?? signal}`;
  });
  child.on('error', (e) => {
    exited = `could not start: ${e.message}`;
  });
  child.unref();
  const up = await waitForAsync(async () => exited !== undefined || (await engineAnswers(PRIVATE_DOCKER_HOST)), START_TIMEOUT_MS);
  if (exited !== undefined || !up) {
    if (exited === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    throw new Error(`private dockerd ${exited ?? `did not answer within ${START_TIMEOUT_MS}ms`}; log ${logPath}:\n${tail(log)}`);
  }
  progress(`private dockerd (pid ${child.pid}) answers after ${((Date.now() - startMs) / 1000).toFixed(1)}s`);
  return child.pid ?? 0;
}

async function withStartLock<T>(body: () => Promise<T>): Promise<T> {
  mkdirSync(ENGINE_RUN_DIR, { recursive: true });
  const lock = join(ENGINE_RUN_DIR, 'start.lock');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the whole start budget was left by a crashed process.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`could not take ${lock} within ${LOCK_TIMEOUT_MS}ms; remove it if no test run is active`);
      await sleep(POLL_MS);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readPid(): number | undefined {
  const file = join(ENGINE_RUN_DIR, 'dockerd.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
