// `shoal completion bash` as a user loads it: bash sources the script, a
// completion is asked for as readline would (COMP_WORDS, COMP_CWORD), and
// COMPREPLY holds the answer. Commands and flags complete with no daemon at
// all; names of swarm objects come from a one-node swarm.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHosts } from '../support/namespace-hosts.js';
import { SHOAL_BIN } from '../support/project-root.js';
import { runCommand } from '../support/run-command.js';

let dir: string;

/** COMPREPLY (one entry a line) and stderr after completing `words` (the last one being typed) in bash. */
async function bashComplete(words: string[]): Promise<{ reply: string[]; stderr: string; code: number }> {
  const quoted = ['shoal', ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `source <(shoal completion bash)\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length}\n_shoal_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
  const r = await runCommand('bash', ['--noprofile', '--norc', '-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }, allowFailure: true, timeoutMs: 30_000 });
  return { reply: r.stdout.split('\n').filter(Boolean), stderr: r.stderr, code: r.code };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-completion-'));
  symlinkSync(SHOAL_BIN, join(dir, 'shoal')); // `shoal` on PATH, as an installed package gives
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bash completion without a daemon', () => {
  const noDaemon = ['-H', 'unix:///nonexistent/shoal.sock'];

  it('completes a command prefix', async () => {
    const r = await bashComplete([...noDaemon, 'se']);
    expect(r.reply.sort()).toEqual(['secret', 'service']);
    expect(r.stderr).toBe('');
  });

  it('completes a flag prefix of a subcommand', async () => {
    const r = await bashComplete([...noDaemon, 'service', 'create', '--rep']);
    expect(r.reply.sort()).toEqual(['--replicas', '--replicas-max-per-node']);
  });

  it('offers no names and prints nothing where names would come from the daemon', async () => {
    const r = await bashComplete([...noDaemon, 'service', 'rm', '']);
    expect(r).toEqual({ reply: [], stderr: '', code: 0 });
  });
});

describe('bash completion of names from a one-node swarm', () => {
  let env: NamespaceHosts;
  let host: string;
  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 1 });
    const [h1] = env.hosts;
    if (!h1) throw new Error('no host');
    host = `unix://${h1.socketPath}`;
    const init = await h1.run(['swarm', 'init', '--advertise-addr', h1.ip]);
    expect(init.code, init.stderr).toBe(0);
    const file = join(dir, 'secret.txt');
    writeFileSync(file, 'shh');
    for (const args of [['secret', 'create', 'db_password', file], ['secret', 'create', 'api_key', file], ['network', 'create', '-d', 'overlay', 'backend']]) {
      const r = await h1.run(args);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes secret names for `secret rm`', async () => {
    const r = await bashComplete(['-H', host, 'secret', 'rm', 'd']);
    expect(r.reply).toEqual(['db_password']);
  });

  it('completes network names for `service create --network`', async () => {
    const r = await bashComplete(['-H', host, 'service', 'create', '--network', 'b']);
    expect(r.reply).toEqual(['backend']);
  });

  it('completes node names for `node inspect`', async () => {
    const r = await bashComplete(['-H', host, 'node', 'inspect', '']);
    expect(r.reply).toEqual(['h1']);
  });
});
