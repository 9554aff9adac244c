import { describe, expect, it } from 'vitest';
import { createCliContext } from '../context.js';
import { buildProgram } from '../program.js';
import { completionCandidates, hostFromWords } from './candidates.js';
import { completionScript, SHELLS } from './scripts.js';

const program = buildProgram(createCliContext({ out: () => undefined, err: () => undefined }, () => undefined), () => ({}));
const complete = (...words: string[]) => completionCandidates(program, words);

describe('completion candidates from the command tree', () => {
  it('offers top-level commands by prefix, never the hidden __complete', () => {
    expect(complete('se').words).toEqual(['service', 'secret']);
    expect(complete('').words).toContain('completion');
    expect(complete('').words).not.toContain('__complete');
  });

  it('offers subcommands after a command, past global options and their values', () => {
    expect(complete('-H', 'unix:///x.sock', 'service', '').words).toEqual(['create', 'ls', 'ps', 'inspect', 'update', 'scale', 'rollback', 'logs', 'rm']);
    expect(complete('stack', 'r').words).toEqual(['rm']);
  });

  it('offers the flags of the command being typed', () => {
    expect(complete('service', 'create', '--rep').words).toEqual(['--replicas', '--replicas-max-per-node']);
    expect(complete('node', 'ls', '-').words).toEqual(expect.arrayContaining(['--quiet', '-q', '--filter', '--format', '--help']));
    expect(complete('-').words).toEqual(expect.arrayContaining(['--host', '-H', '--log-level', '--version']));
  });

  it('asks for object names where a command takes them', () => {
    expect(complete('service', 'rm', 'w')).toEqual({ prefix: 'w', words: [], objects: ['service'] });
    expect(complete('stack', 'ps', '').objects).toEqual(['stack']);
    expect(complete('node', 'promote', '').objects).toEqual(['node']);
    expect(complete('inspect', '').objects).toEqual(['service', 'node', 'network']);
    expect(complete('service', 'ls', '').objects).toEqual([]);
  });

  it('completes flag values: object names for --network/--secret/--config, choices for choice flags', () => {
    expect(complete('service', 'create', '--network', '').objects).toEqual(['network']);
    expect(complete('service', 'update', '--secret-add', 'd').objects).toEqual(['secret']);
    expect(complete('--log-level', '').words).toEqual(['debug', 'info', 'warn', 'error']);
    // After a flag's value, arguments complete again.
    expect(complete('service', 'update', '--image', 'x', '').objects).toEqual(['service']);
  });

  it('reads the daemon from -H/--host among the words', () => {
    expect(hostFromWords(['-H', 'unix:///a.sock', 'service', 'rm', ''])).toBe('unix:///a.sock');
    expect(hostFromWords(['--host=unix:///b.sock', 'node', 'rm', ''])).toBe('unix:///b.sock');
    expect(hostFromWords(['service', 'rm', ''])).toBeUndefined();
  });
});

describe('completion scripts', () => {
  it.each(SHELLS)('%s: calls `__complete --` on the executable being completed and hides its errors', (shell) => {
    const script = completionScript(shell);
    expect(script).toContain('__complete --');
    expect(script).toContain('2>/dev/null');
    expect(script).toMatch(/shoal/);
  });

  it('registers for the shoal command in each shell', () => {
    expect(completionScript('bash')).toMatch(/^complete -o default -F _shoal_complete shoal$/m);
    expect(completionScript('zsh')).toMatch(/compdef _shoal shoal/);
    expect(completionScript('fish')).toMatch(/^complete -c shoal -f -a '\(__shoal_complete\)'$/m);
  });
});
