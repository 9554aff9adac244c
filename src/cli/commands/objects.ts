import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { repeatable } from '../flags.js';
import { STACKS_ISSUE, pending } from './pending.js';

/** `shoal secret ...` and `shoal config ...` share their shape, as in Docker. */
function dataObjectCommand(kind: 'secret' | 'config'): Command {
  const cmd = new Command(kind).description(kind === 'secret' ? 'Manage Swarm secrets' : 'Manage Swarm configs');
  const create = cmd.command('create').description(`Create a ${kind} from a file or STDIN as content`).argument(`<${kind}>`).argument('<file|->');
  repeatable(create, '-l, --label <list>', `${kind === 'secret' ? 'Secret' : 'Config'} labels`);
  if (kind === 'secret') create.option('-d, --driver <string>', 'Secret driver');
  create.option('--template-driver <string>', 'Template driver').action(pending(`${kind} create`, STACKS_ISSUE));
  cmd.command('ls').alias('list').description(`List ${kind}s`).option('-q, --quiet', 'Only display IDs').option('--format <string>', 'Format output').option('-f, --filter <filter>', 'Filter output').action(pending(`${kind} ls`, STACKS_ISSUE));
  cmd.command('inspect').description(`Display detailed information on one or more ${kind}s`).argument(`<${kind}...>`).option('--pretty', 'Print the information in a human friendly format').option('-f, --format <string>', 'Format output').action(pending(`${kind} inspect`, STACKS_ISSUE));
  cmd.command('rm').alias('remove').description(`Remove one or more ${kind}s`).argument(`<${kind}...>`).action(pending(`${kind} rm`, STACKS_ISSUE));
  return cmd;
}

/** `shoal secret ...`. */
export function secretCommand(_ctx: CliContext): Command {
  return dataObjectCommand('secret');
}

/** `shoal config ...`. */
export function configCommand(_ctx: CliContext): Command {
  return dataObjectCommand('config');
}
