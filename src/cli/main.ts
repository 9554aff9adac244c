// The `shoal` executable: parse, run one command, print one line on failure.
// Start-up time matters (a CLI is started for every command): this file and
// the command tree load only commander; client code, the daemon and the
// Compose loader are imported when an action needs them.
import { CommanderError, type Command } from 'commander';
import { createCliContext } from './context.js';
import { CliError, EXIT_USAGE } from './errors.js';
import { processOutput, type Output } from './output.js';
import { buildProgram, OFFLINE_COMMANDS, type GlobalOptions } from './program.js';

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], output: Output = processOutput): Promise<number> {
  let program: Command | undefined;
  const globals = (): GlobalOptions => (program?.opts() ?? {}) as GlobalOptions;
  const ctx = createCliContext(output, () => globals().host);
  program = buildProgram(ctx, globals);
  // Commander prints usage errors itself; we only map its exits to Docker's codes.
  const applyExitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
    cmd.commands.forEach(applyExitOverride);
  };
  applyExitOverride(program);
  program.hook('preAction', (_program, action) => (OFFLINE_COMMANDS.has(action.name()) ? undefined : ctx.loadClients()));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const { describeFailure } = await import('./failure.js');
    const failure = describeFailure(error, ctx.host());
    output.err(globals().logLevel === 'debug' && error instanceof Error && !(error instanceof CliError) ? (error.stack ?? failure.message) : failure.message);
    return failure.exitCode;
  } finally {
    ctx.close();
  }
}
