// `shoal stack deploy` refusing bad input before it calls the daemon: the
// host points at a socket nobody serves, so any call would fail with
// "Cannot connect"; these errors must come first.
import { Command, Option } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main.js';
import { composeFiles } from './compose-input.js';
import { goBooleanFlags } from './go-bool.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-stack-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(['-H', `unix://${join(dir, 'nobody.sock')}`, ...argv], { out: (l) => stdout.push(l), err: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

describe('stack deploy input errors', () => {
  it('names a missing Compose file in one line, exit 1', async () => {
    const r = await run('stack', 'deploy', '-c', join(dir, 'missing.yml'), 'app');
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([`open ${join(dir, 'missing.yml')}: no such file or directory (give the path of a Compose file with -c)`]);
  });

  it('prints every error with file, line and path, and warnings first', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, ['services:', '  web:', '    image: shoal-test/busybox:latest', '    build: .', '    deploy:', '      replicas: three', '  db:', '    image: 7', ''].join('\n'));
    const r = await run('stack', 'deploy', '-c', file, 'app');
    expect(r.code).toBe(1);
    expect(r.stdout).toEqual([]);
    expect(r.stderr.join('\n')).toContain(`${file}:6 services.web.deploy.replicas: expected integer, got "three"`);
    expect(r.stderr.join('\n')).not.toContain('Cannot connect');
  });

  it('refuses an unknown --resolve-image value as bad usage (125)', async () => {
    const file = join(dir, 'ok.yml');
    writeFileSync(file, 'services:\n  web:\n    image: shoal-test/busybox:latest\n');
    const r = await run('stack', 'deploy', '--resolve-image', 'sometimes', '-c', file, 'app');
    expect(r.code).toBe(125);
    expect(r.stderr).toEqual(['Invalid option sometimes for flag --resolve-image: use "always", "changed" or "never"']);
  });

  it('asks for a Compose file when none is given', async () => {
    const r = await run('stack', 'deploy', 'app');
    expect([r.code, r.stderr]).toEqual([125, ['Please specify a Compose file (with --compose-file).']]);
  });
});

describe('composeFiles', () => {
  it('reads "-" from stdin, with relative paths starting at the current directory', () => {
    expect(composeFiles(['-'], '/srv/app', () => 'services: {}\n')).toEqual([{ path: '/srv/app/stdin', text: 'services: {}\n', displayName: '-' }]);
  });
});

describe('goBooleanFlags', () => {
  const parse = (argv: string[]): { detach?: boolean; name: string } => {
    let seen: { detach?: boolean; name: string } = { name: '' };
    const cmd = goBooleanFlags(new Command('deploy').exitOverride().argument('<name>'), ['detach'])
      .addOption(new Option('-d, --detach'))
      .addOption(new Option('--no-detach'))
      .action((name: string, opts: { detach?: boolean }) => {
        seen = { ...opts, name };
      });
    cmd.parse(argv, { from: 'user' });
    return seen;
  };

  it('takes Go\'s --flag=false and -d=true forms, and leaves other arguments alone', () => {
    expect(parse(['app'])).toEqual({ name: 'app' });
    expect(parse(['-d', 'app'])).toEqual({ detach: true, name: 'app' });
    expect(parse(['--detach=false', 'app'])).toEqual({ detach: false, name: 'app' });
    expect(parse(['-d=false', 'app'])).toEqual({ detach: false, name: 'app' });
    expect(parse(['--detach=true', 'app'])).toEqual({ detach: true, name: 'app' });
    expect(parse(['--', '--detach=false'])).toEqual({ name: '--detach=false' });
  });
});
