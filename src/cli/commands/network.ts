import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { repeatable } from '../flags.js';
import { OVERLAY_ISSUE, pending } from './pending.js';

/** `shoal network ...`: overlay networks. */
export function networkCommand(_ctx: CliContext): Command {
  const network = new Command('network').description('Manage networks');
  const create = network.command('create').description('Create a network').argument('<network>').option('-d, --driver <string>', 'Driver to manage the Network', 'overlay');
  repeatable(create, '--subnet <strings>', 'Subnet in CIDR format that represents a network segment');
  repeatable(create, '--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet');
  repeatable(create, '--ip-range <strings>', 'Allocate container ip from a sub-range');
  repeatable(create, '--label <list>', 'Set metadata on a network');
  repeatable(create, '-o, --opt <map>', 'Set driver specific options');
  create.option('--attachable', 'Enable manual container attachment').option('--internal', 'Restrict external access to the network').option('--ingress', 'Create swarm routing-mesh network').option('--ipv6', 'Enable or disable IPv6 networking').option('--scope <string>', "Control the network's scope", 'swarm');
  create.action(pending('network create', OVERLAY_ISSUE));
  network.command('ls').alias('list').description('List networks').option('-q, --quiet', 'Only display network IDs').option('--no-trunc', 'Do not truncate the output').option('--format <string>', 'Format output').option('-f, --filter <filter>', 'Provide filter values').action(pending('network ls', OVERLAY_ISSUE));
  network.command('inspect').description('Display detailed information on one or more networks').argument('<network...>').option('-f, --format <string>', 'Format output').option('-v, --verbose', 'Verbose output for diagnostics').action(pending('network inspect', OVERLAY_ISSUE));
  network.command('rm').alias('remove').description('Remove one or more networks').argument('<network...>').option('-f, --force', 'Do not error if the network does not exist').action(pending('network rm', OVERLAY_ISSUE));
  return network;
}
