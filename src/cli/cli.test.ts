import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import type { Output } from './output.js';

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

// CONTRACT.md's command tree: every command a user of Docker 28 expects.
const TREE: Record<string, string[]> = {
  swarm: ['init', 'join', 'join-token', 'leave', 'update', 'unlock', 'unlock-key', 'ca'],
  node: ['ls', 'inspect', 'ps', 'update', 'promote', 'demote', 'rm'],
  service: ['create', 'ls', 'ps', 'inspect', 'update', 'scale', 'rollback', 'logs', 'rm'],
  stack: ['deploy', 'ls', 'ps', 'services', 'rm'],
  network: ['create', 'ls', 'inspect', 'rm'],
  secret: ['create', 'ls', 'inspect', 'rm'],
  config: ['create', 'ls', 'inspect', 'rm'],
};

describe('shoal CLI', () => {
  it('shows the whole command tree in --help', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const cmd of [...Object.keys(TREE), 'daemon', 'info', 'version']) expect(top.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    for (const [group, subs] of Object.entries(TREE)) {
      const help = await run(group, '--help');
      for (const sub of subs) expect(help.stdout, `${group} ${sub}`).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    }
  });

  it('has Docker\'s service flags', async () => {
    const help = (await run('service', 'create', '--help')).stdout;
    for (const flag of ['--name', '--replicas', '--mode', '--publish', '--network', '--env', '--label', '--constraint', '--placement-pref', '--replicas-max-per-node', '--reserve-cpu', '--reserve-memory', '--limit-cpu', '--limit-memory', '--restart-condition', '--restart-delay', '--restart-max-attempts', '--restart-window', '--update-parallelism', '--update-delay', '--update-failure-action', '--update-monitor', '--update-max-failure-ratio', '--update-order', '--rollback-parallelism', '--rollback-order', '--health-cmd', '--health-interval', '--secret', '--config', '--mount', '--endpoint-mode', '--detach']) {
      expect(help, flag).toContain(flag);
    }
    const update = (await run('service', 'update', '--help')).stdout;
    for (const flag of ['--image', '--force', '--env-add', '--env-rm', '--publish-add', '--rollback', '--rebalance']) expect(update, flag).toContain(flag);
  });

  it('refuses commands whose backend is not built, in one line, exit 1', async () => {
    const result = await run('swarm', 'unlock');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/"shoal swarm unlock" is not built yet .*nothing was changed/);
  });

  it('exits 125 on unknown commands and flags, as Docker', async () => {
    expect((await run('service', 'frobnicate')).code).toBe(125);
    expect((await run('node', 'ls', '--bogus')).code).toBe(125);
    expect((await run('daemon', '--log-level', 'loud')).code).toBe(125);
  });

  it('says plainly when no daemon answers', async () => {
    const result = await run('-H', 'unix:///nonexistent/shoal.sock', 'info');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Cannot connect to the shoal daemon at unix:///nonexistent/shoal.sock. Is the shoal daemon running? (start it with "shoal daemon", or point -H/SHOAL_HOST at its socket)');
  });

  it('prints its version', async () => {
    const result = await run('--version');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
