import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addServiceSpecFlags } from '../flags.js';
import { CLUSTER_ISSUE, STACKS_ISSUE, pending } from './pending.js';

/** `shoal service ...`: create and manage services. */
export function serviceCommand(_ctx: CliContext): Command {
  const service = new Command('service').description('Manage Swarm services');
  addServiceSpecFlags(service.command('create').description('Create a new service').argument('<image>').argument('[command...]'), 'create').action(pending('service create', CLUSTER_ISSUE));
  service
    .command('ls')
    .alias('list')
    .description('List services')
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <string>', 'Format output using a custom template: "table", "json"')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided')
    .action(pending('service ls', CLUSTER_ISSUE));
  service
    .command('ps')
    .description('List the tasks of one or more services')
    .argument('<service...>')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('--no-resolve', 'Do not map IDs to Names')
    .option('--format <string>', 'Format output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided')
    .action(pending('service ps', CLUSTER_ISSUE));
  service.command('inspect').description('Display detailed information on one or more services').argument('<service...>').option('--pretty', 'Print the information in a human friendly format').option('-f, --format <string>', 'Format output').action(pending('service inspect', CLUSTER_ISSUE));
  addServiceSpecFlags(service.command('update').description('Update a service').argument('<service>'), 'update').action(pending('service update', CLUSTER_ISSUE));
  service.command('scale').description('Scale one or multiple replicated services').argument('<service=replicas...>').option('-d, --detach', 'Exit immediately instead of waiting for the service to converge').action(pending('service scale', CLUSTER_ISSUE));
  service.command('rollback').description('Revert changes to a service\'s configuration').argument('<service>').option('-d, --detach', 'Exit immediately instead of waiting for the service to converge').option('-q, --quiet', 'Suppress progress output').action(pending('service rollback', STACKS_ISSUE));
  service
    .command('logs')
    .description('Fetch the logs of a service or task')
    .argument('<service|task>')
    .option('-f, --follow', 'Follow log output')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--no-task-ids', 'Do not include task IDs in output')
    .option('--no-trunc', 'Do not truncate output')
    .option('--raw', 'Do not neatly format logs')
    .option('--details', 'Show extra details provided to logs')
    .action(pending('service logs', CLUSTER_ISSUE));
  service.command('rm').alias('remove').description('Remove one or more services').argument('<service...>').action(pending('service rm', CLUSTER_ISSUE));
  return service;
}
