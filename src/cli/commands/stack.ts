import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { repeatable } from '../flags.js';
import { STACKS_ISSUE, pending } from './pending.js';

/** `shoal stack ...`: deploy Compose files as stacks of services. */
export function stackCommand(_ctx: CliContext): Command {
  const stack = new Command('stack').description('Manage Swarm stacks');
  const deploy = stack.command('deploy').alias('up').description('Deploy a new stack or update an existing stack').argument('<stack>');
  repeatable(deploy, '-c, --compose-file <file>', 'Path to a Compose file, or "-" to read from stdin');
  deploy
    .option('--prune', 'Prune services that are no longer referenced')
    .option('--resolve-image <string>', 'Query the registry to resolve image digest and supported platforms ("always", "changed", "never")', 'always')
    .option('--with-registry-auth', 'Send registry authentication details to Swarm agents')
    .option('-d, --detach', 'Exit immediately instead of waiting for the stack services to converge', true)
    .option('-q, --quiet', 'Suppress progress output')
    .action(pending('stack deploy', STACKS_ISSUE));
  stack.command('ls').alias('list').description('List stacks').option('--format <string>', 'Format output').action(pending('stack ls', STACKS_ISSUE));
  stack.command('ps').description('List the tasks in the stack').argument('<stack>').option('-q, --quiet', 'Only display task IDs').option('--no-trunc', 'Do not truncate output').option('--format <string>', 'Format output').option('-f, --filter <filter>', 'Filter output').action(pending('stack ps', STACKS_ISSUE));
  stack.command('services').description('List the services in the stack').argument('<stack>').option('-q, --quiet', 'Only display IDs').option('--format <string>', 'Format output').option('-f, --filter <filter>', 'Filter output').action(pending('stack services', STACKS_ISSUE));
  stack.command('rm').alias('remove').alias('down').description('Remove one or more stacks').argument('<stack...>').option('-d, --detach', 'Do not wait for stack removal', true).action(pending('stack rm', STACKS_ISSUE));
  return stack;
}
