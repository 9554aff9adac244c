// `shoal daemon` as a user runs it: a real process on a real socket, asked
// by the real CLI, against the test Docker Engine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'shoal.js');
const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

function cli(socket: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '-H', `unix://${socket}`, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function startDaemon(dataRoot: string, socket: string, name = 'itest-node'): ChildProcess & { output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [BIN, 'daemon', '--data-root', dataRoot, '-H', `unix://${socket}`, '--docker-host', dockerHost, '--node-name', name], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

async function waitForSocket(socket: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(socket) && cli(socket, 'version').code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`daemon socket ${socket} did not answer within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

describe('shoal daemon', () => {
  let dir: string;
  beforeAll(() => {
    spawnSync('npm', ['run', '-s', 'build'], { cwd: join(import.meta.dirname, '..', '..'), stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'shoal-daemon-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers info and version over its socket, then shuts down cleanly on SIGTERM', async () => {
    const socket = join(dir, 'a.sock');
    const daemon = startDaemon(join(dir, 'a'), socket);
    try {
      await waitForSocket(socket);
      const info = cli(socket, 'info');
      expect(info.code, info.stderr).toBe(0);
      expect(info.stdout).toContain('Name:           itest-node');
      expect(info.stdout).toContain(`Docker Host:    ${dockerHost}`);
      expect(info.stdout).toMatch(/Docker Version: \d+\.\d+/);
      expect(info.stdout).toContain('Swarm:          inactive');
      const version = cli(socket, 'version');
      expect(version.stdout).toMatch(/Server:\n Version: +\d+\.\d+\.\d+/);
      const json = JSON.parse(cli(socket, 'info', '--format', 'json').stdout) as { name: string; dockerVersion: string };
      expect(json.name).toBe('itest-node');
    } finally {
      daemon.kill('SIGTERM');
    }
    expect(await exited(daemon)).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(daemon.output()).toContain('shutdown complete');
  });

  it('answers cluster commands outside a swarm the way Docker does', async () => {
    const socket = join(dir, 'b.sock');
    const daemon = startDaemon(join(dir, 'b'), socket);
    try {
      await waitForSocket(socket);
      const r = cli(socket, 'swarm', 'join-token', 'worker');
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      daemon.kill('SIGTERM');
      await exited(daemon);
    }
  });

  it('refuses bad joins in one line, quickly, changing nothing', async () => {
    const socket = join(dir, 'j.sock');
    const daemon = startDaemon(join(dir, 'j'), socket);
    try {
      await waitForSocket(socket);
      const malformed = cli(socket, 'swarm', 'join', '--token', 'SWMTKN-1-nonsense', '127.0.0.1:2377');
      expect(malformed.code).toBe(1);
      expect(malformed.stderr.trim()).toMatch(/^invalid join token: /);
      const token = `SWMTKN-1-${'a'.repeat(50)}-${'b'.repeat(25)}`;
      const started = Date.now();
      // Nothing listens on port 9 of loopback: a bounded error, not a hang.
      const nobody = cli(socket, 'swarm', 'join', '--token', token, '127.0.0.1:9');
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(nobody.code).toBe(1);
      expect(nobody.stderr.trim()).toMatch(/^could not reach a manager at 127\.0\.0\.1:9 within \d+s/);
      expect(cli(socket, 'info').stdout).toContain('Swarm:          inactive');
    } finally {
      daemon.kill('SIGTERM');
      await exited(daemon);
    }
  });

  it('refuses a data root another live daemon holds, and replaces a stale socket', async () => {
    const socket = join(dir, 'c.sock');
    const first = startDaemon(join(dir, 'c'), socket);
    try {
      await waitForSocket(socket);
      const second = startDaemon(join(dir, 'c'), join(dir, 'c2.sock'));
      expect(await exited(second)).toBe(1);
      expect(second.output()).toMatch(/data root .* is in use by another shoal daemon \(pid \d+\)/);
    } finally {
      first.kill('SIGKILL');
      await exited(first);
    }
    // SIGKILL left the socket file behind; a new daemon must take it over.
    expect(existsSync(socket)).toBe(true);
    const again = startDaemon(join(dir, 'c'), socket);
    try {
      await waitForSocket(socket);
      expect(cli(socket, 'info').code).toBe(0);
    } finally {
      again.kill('SIGTERM');
      await exited(again);
    }
  });

  it('refuses a data root written by a newer shoal', async () => {
    const root = join(dir, 'd');
    spawnSync('mkdir', ['-p', root]);
    writeFileSync(join(root, 'format'), '99\n');
    const daemon = startDaemon(root, join(dir, 'd.sock'));
    expect(await exited(daemon)).toBe(1);
    expect(daemon.output()).toMatch(/has format 99, newer than this shoal understands/);
  });
});
