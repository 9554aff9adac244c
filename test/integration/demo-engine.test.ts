// `npm run demo` stops the Docker Engine it started, and only that one
// (issue 21): on --once, on Ctrl-C in the middle, and never an engine that
// was running before. The real dockerd is replaced by fixtures/fake-dockerd.mjs
// on PATH and the engine's run dir by a temp dir, so the shared test engine
// is never touched; the lease and stop code is the real one.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/project-root.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { isAlive, waitFor } from '../support/wait.js';

const HOLDER = resolve(import.meta.dirname, 'fixtures/hold-engine.ts');
const ENGINE_CLI = join(PROJECT_ROOT, 'test/support/engine-cli.ts');
describe('the demo engine lifecycle', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const pidfile = (): string => join(dir, 'run', 'dockerd.pid');
  const enginePid = (): number => Number(readFileSync(pidfile(), 'utf8'));
  const tsx = (script: string, args: string[]): Promise<CommandResult> =>
    runCommand(process.execPath, ['--import', 'tsx', script, ...args], { env, cwd: PROJECT_ROOT, allowFailure: true, timeoutMs: 60_000 });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-demo-engine-'));
    mkdirSync(join(dir, 'bin'));
    symlinkSync(resolve(import.meta.dirname, 'fixtures/fake-dockerd.mjs'), join(dir, 'bin', 'dockerd'));
    const { DOCKER_HOST: _shared, ...rest } = process.env;
    // A system Docker, if this machine has one, must not stand in for the engine under test.
    env = { ...rest, SHOAL_TEST_ENGINE_SYSTEM: 'off', PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, SHOAL_TEST_ENGINE_RUN_DIR: join(dir, 'run'), SHOAL_TEST_ENGINE_DATA_ROOT: join(dir, 'data') };
  });
  afterAll(async () => {
    await tsx(ENGINE_CLI, ['stop']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--once: starts an engine when none answers and stops it on the way out', async () => {
    const r = await tsx(HOLDER, ['--once']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`leased unix://${join(dir, 'run', 'docker.sock')} owned=true`);
    expect(r.stderr).toContain('stopping the private dockerd');
    expect(existsSync(pidfile())).toBe(false);
    expect(existsSync(join(dir, 'run', 'docker.sock'))).toBe(false);
  });

  it('Ctrl-C while running: stops the engine it started and exits 130', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER], { env, cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    expect(await waitFor(() => out.includes('leased'), 30_000), out).toBe(true);
    const pid = enginePid();
    expect(isAlive(pid)).toBe(true);
    child.kill('SIGINT');
    expect(await exited, out).toBe(130);
    expect(isAlive(pid), out).toBe(false);
  });

  it('leaves an engine that was running before it alone', async () => {
    const started = await tsx(ENGINE_CLI, ['start']);
    expect(started.code, started.stderr).toBe(0);
    const pid = enginePid();
    const r = await tsx(HOLDER, ['--once']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('owned=false');
    expect(isAlive(pid), r.stderr).toBe(true);
    await tsx(ENGINE_CLI, ['stop']);
    expect(await waitFor(() => !isAlive(pid), 10_000)).toBe(true);
  });
});
