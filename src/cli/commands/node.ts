import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { repeatable } from '../flags.js';
import { CLUSTER_ISSUE, pending } from './pending.js';

/** `shoal node ...`: list and manage the cluster's nodes (managers only). */
export function nodeCommand(_ctx: CliContext): Command {
  const node = new Command('node').description('Manage Swarm nodes');
  node
    .command('ls')
    .alias('list')
    .description('List nodes in the swarm')
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <string>', 'Format output using a custom template: "table", "json"')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided')
    .action(pending('node ls', CLUSTER_ISSUE));
  node.command('inspect').description('Display detailed information on one or more nodes').argument('<node...>').option('--pretty', 'Print the information in a human friendly format').option('-f, --format <string>', 'Format output').action(pending('node inspect', CLUSTER_ISSUE));
  node
    .command('ps')
    .description('List tasks running on one or more nodes, defaults to current node')
    .argument('[node...]')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('--format <string>', 'Format output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided')
    .action(pending('node ps', CLUSTER_ISSUE));
  const update = node.command('update').description('Update a node').argument('<node>').option('--availability <string>', 'Availability of the node ("active", "pause", "drain")').option('--role <string>', 'Role of the node ("worker", "manager")');
  repeatable(update, '--label-add <list>', 'Add or update a node label (key=value)');
  repeatable(update, '--label-rm <list>', 'Remove a node label if exists');
  update.action(pending('node update', CLUSTER_ISSUE));
  node.command('promote').description('Promote one or more nodes to manager in the swarm').argument('<node...>').action(pending('node promote', CLUSTER_ISSUE));
  node.command('demote').description('Demote one or more nodes from manager in the swarm').argument('<node...>').action(pending('node demote', CLUSTER_ISSUE));
  node.command('rm').alias('remove').description('Remove one or more nodes from the swarm').argument('<node...>').option('-f, --force', 'Force remove a node from the swarm').action(pending('node rm', CLUSTER_ISSUE));
  return node;
}
