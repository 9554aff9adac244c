// The port through which the data plane touches the kernel: argv in,
// exit code and output out. Tests and the daemon use the same real runner;
// the port exists so a caller can log, trace or run commands elsewhere.
import { spawn } from 'node:child_process';

/** Outcome of one command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command, optionally feeding stdin. Never throws for a non-zero exit. */
export interface CommandRunner {
  run(argv: readonly string[], stdin?: string): Promise<CommandResult>;
}

/** Thrown when a kernel command the data plane needed failed. */
export class CommandError extends Error {
  override name = 'CommandError';
  /** Build from the failed command and its result. */
  constructor(readonly argv: readonly string[], readonly result: CommandResult, stdin?: string) {
    super(`${argv.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}${stdin === undefined ? '' : `\n--- input ---\n${stdin}`}`);
  }
}

/** Limit on a single command, so a wedged tool cannot hang reconciliation. */
const commandTimeoutMs = 30_000;

/** A runner that spawns processes on this machine. */
export class ProcessCommandRunner implements CommandRunner {
  /** Run argv[0] with the rest as arguments. */
  run(argv: readonly string[], stdin?: string): Promise<CommandResult> {
    return new Promise((resolve) => {
      const [command, ...args] = argv;
      const child = spawn(command ?? 'false', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: commandTimeoutMs });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error) => resolve({ code: 127, stdout, stderr: stderr + String(error) }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  }
}

/** Run a command in a network namespace given by path (undefined: the caller's own). */
export function inNetns(netnsPath: string | undefined, argv: readonly string[]): string[] {
  return netnsPath === undefined ? [...argv] : ['nsenter', `--net=${netnsPath}`, ...argv];
}

/** Run and throw CommandError on failure; returns stdout. */
export async function runChecked(runner: CommandRunner, argv: readonly string[], stdin?: string): Promise<string> {
  const result = await runner.run(argv, stdin);
  if (result.code !== 0) throw new CommandError(argv, result, stdin);
  return result.stdout;
}
