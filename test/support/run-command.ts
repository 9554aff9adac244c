// One way to run external tools (ip, iptables, apt-get, docker, tar) with a
// time limit and an error that says what failed and what the tool printed.
import { spawn } from 'node:child_process';

/** What a finished command printed and how it exited. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for runCommand. */
export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this long; every external call is bounded. */
  timeoutMs?: number;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const OUTPUT_LIMIT_CHARS = 4_000;

/** Runs `cmd args` to completion; throws on non-zero exit unless allowFailure. */
export function runCommand(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} could not be started: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (timedOut) {
        reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs}ms; stderr: ${tail(result.stderr)}`));
      } else if (result.code !== 0 && options.allowFailure !== true) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${tail(result.stderr || result.stdout)}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => undefined); // the command may exit before reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a shell pipeline with `sh -c`; for pipes between tools (tar | docker import). */
export function runShell(script: string, options: RunOptions = {}): Promise<CommandResult> {
  return runCommand('sh', ['-c', script], options);
}

/** The last part of a tool's output, enough to see why it failed. */
export function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > OUTPUT_LIMIT_CHARS ? `...${trimmed.slice(-OUTPUT_LIMIT_CHARS)}` : trimmed;
}
