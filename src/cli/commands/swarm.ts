import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { repeatable } from '../flags.js';
import { CLUSTER_ISSUE, pending } from './pending.js';

/** `shoal swarm ...`: create, join and manage the cluster this node belongs to. */
export function swarmCommand(_ctx: CliContext): Command {
  const swarm = new Command('swarm').description('Manage Swarm');
  const init = swarm
    .command('init')
    .description('Initialize a swarm')
    .option('--advertise-addr <string>', 'Advertised address (format: "<ip|interface>[:port]")')
    .option('--listen-addr <node-addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
    .option('--data-path-addr <string>', 'Address or interface to use for data path traffic')
    .option('--data-path-port <uint32>', 'Port number to use for data path traffic (1024 - 49151)', '4789')
    .option('--default-addr-pool-mask-length <uint32>', 'Default address pool subnet mask length', '24')
    .option('--force-new-cluster', 'Force create a new cluster from current state')
    .option('--autolock', 'Enable manager autolocking (requiring an unlock key to start a stopped manager)')
    .option('--task-history-limit <int>', 'Task history retention limit', '5')
    .option('--dispatcher-heartbeat <duration>', 'Dispatcher heartbeat period (ns|us|ms|s|m|h)', '5s')
    .option('--snapshot-interval <uint>', 'Number of log entries between Raft snapshots', '10000')
    .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")', 'active');
  repeatable(init, '--default-addr-pool <ipNetSlice>', 'default address pool in CIDR format');
  init.action(pending('swarm init', CLUSTER_ISSUE));

  swarm
    .command('join')
    .description('Join a swarm as a node and/or manager')
    .argument('<host:port>', 'address of a manager')
    .requiredOption('--token <string>', 'Token for entry into the swarm')
    .option('--advertise-addr <string>', 'Advertised address (format: "<ip|interface>[:port]")')
    .option('--listen-addr <node-addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
    .option('--data-path-addr <string>', 'Address or interface to use for data path traffic')
    .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")', 'active')
    .action(pending('swarm join', CLUSTER_ISSUE));
  swarm
    .command('join-token')
    .description('Manage join tokens')
    .argument('<worker|manager>')
    .option('-q, --quiet', 'Only display token')
    .option('--rotate', 'Rotate join token')
    .action(pending('swarm join-token', CLUSTER_ISSUE));
  swarm.command('leave').description('Leave the swarm').option('-f, --force', 'Force this node to leave the swarm, ignoring warnings').action(pending('swarm leave', CLUSTER_ISSUE));
  swarm
    .command('update')
    .description('Update the swarm')
    .option('--autolock', 'Change manager autolocking setting (true|false)')
    .option('--task-history-limit <int>', 'Task history retention limit')
    .option('--dispatcher-heartbeat <duration>', 'Dispatcher heartbeat period (ns|us|ms|s|m|h)')
    .option('--snapshot-interval <uint>', 'Number of log entries between Raft snapshots')
    .option('--cert-expiry <duration>', 'Validity period for node certificates (ns|us|ms|s|m|h)')
    .action(pending('swarm update', CLUSTER_ISSUE));
  swarm.command('unlock').description('Unlock swarm').action(pending('swarm unlock', CLUSTER_ISSUE));
  swarm.command('unlock-key').description('Manage the unlock key').option('-q, --quiet', 'Only display token').option('--rotate', 'Rotate unlock key').action(pending('swarm unlock-key', CLUSTER_ISSUE));
  swarm
    .command('ca')
    .description('Display and rotate the root CA')
    .option('--rotate', 'Rotate the swarm CA')
    .option('-q, --quiet', 'Suppress progress output')
    .option('-d, --detach', 'Exit immediately instead of waiting for the root rotation to converge')
    .action(pending('swarm ca', CLUSTER_ISSUE));
  return swarm;
}
