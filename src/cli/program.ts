import { Command, Option } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../common/log-levels.js';
import { SHOAL_VERSION } from '../common/version.js';
import type { CliContext } from './context.js';
import { completeCommand, completionCommand } from './commands/completion.js';
import { daemonCommand } from './commands/daemon.js';
import { inspectCommand } from './commands/inspect.js';
import { networkCommand } from './commands/network.js';
import { nodeCommand } from './commands/node.js';
import { configCommand, secretCommand } from './commands/objects.js';
import { serviceCommand } from './commands/service.js';
import { stackCommand } from './commands/stack.js';
import { swarmCommand } from './commands/swarm.js';
import { infoCommand, versionCommand } from './commands/system.js';

/** Commands that never call the daemon: runCli does not load the client code for them (the daemon serves, completion loads it only for names). */
export const OFFLINE_COMMANDS: ReadonlySet<string> = new Set(['daemon', 'completion', '__complete']);

/** Global options, given before the subcommand as in Docker (`shoal -H unix:///x.sock node ls`). */
export interface GlobalOptions {
  host?: string;
  logLevel?: LogLevel;
}

/** The whole command tree of CONTRACT.md. */
export function buildProgram(ctx: CliContext, globals: () => GlobalOptions): Command {
  const program = new Command('shoal')
    .description('A Swarm-style multi-host container orchestrator')
    .version(SHOAL_VERSION, '-v, --version', 'Print version information and quit')
    .option('-H, --host <string>', 'Daemon socket to connect to (unix:///path or tcp://host:port; also $SHOAL_HOST)')
    .addOption(new Option('-l, --log-level <string>', 'Set the logging level').choices(LOG_LEVELS))
    .enablePositionalOptions()
    .showSuggestionAfterError();
  const logLevel = (): LogLevel | undefined => globals().logLevel;
  for (const cmd of [
    daemonCommand(ctx, logLevel),
    swarmCommand(ctx),
    nodeCommand(ctx),
    serviceCommand(ctx),
    stackCommand(ctx),
    networkCommand(ctx),
    secretCommand(ctx),
    configCommand(ctx),
    infoCommand(ctx),
    inspectCommand(ctx),
    versionCommand(ctx),
    completionCommand(ctx),
  ]) {
    program.addCommand(cmd);
  }
  program.addCommand(completeCommand(ctx), { hidden: true });
  return program;
}
