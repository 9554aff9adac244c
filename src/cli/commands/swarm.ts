import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { repeatable } from '../flags.js';
import { parseGoDurationMs } from '../spec/index.js';
import { pending, AUTOLOCK_WORK } from './pending.js';

/** `shoal swarm ...`: create, join and manage the cluster this node belongs to. */
export function swarmCommand(ctx: CliContext): Command {
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
    .option('--dispatcher-heartbeat <duration>', 'Dispatcher heartbeat period (ns|us|ms|s|m|h)', '1s')
    .option('--snapshot-interval <uint>', 'Number of log entries between Raft snapshots', '10000')
    .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")', 'active');
  repeatable(init, '--default-addr-pool <ipNetSlice>', 'default address pool in CIDR format');
  init.action(async (opts: { advertiseAddr?: string; listenAddr: string; dataPathPort: string; defaultAddrPool?: string[]; defaultAddrPoolMaskLength: string; forceNewCluster?: boolean; autolock?: boolean }) => {
    if (opts.autolock) throw new CliError(`"shoal swarm init --autolock" is not built yet (it lands with ${AUTOLOCK_WORK}); nothing was changed`);
    const dataPathPort = Number(opts.dataPathPort);
    if (!Number.isInteger(dataPathPort) || dataPathPort < 1024 || dataPathPort > 49151) throw usageError(`invalid argument "${opts.dataPathPort}" for "--data-path-port" flag: use a port between 1024 and 49151`);
    const res = await ctx.daemon().swarmInit(
      { listenAddr: opts.listenAddr, advertiseAddr: opts.advertiseAddr ?? '', dataPathPort, defaultAddrPool: opts.defaultAddrPool ?? [], subnetSize: Number(opts.defaultAddrPoolMaskLength), forceNewCluster: opts.forceNewCluster === true, autolock: false },
      { deadlineMs: 60_000 },
    );
    ctx.output.out(`Swarm initialized: current node (${res.nodeId}) is now a manager.`);
    ctx.output.out('');
    ctx.output.out('To add a worker to this swarm, run the following command:');
    ctx.output.out('');
    ctx.output.out(`    ${res.workerJoinCommand}`);
    ctx.output.out('');
    ctx.output.out("To add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions.");
    ctx.output.out('');
  });

  swarm
    .command('join')
    .description('Join a swarm as a node and/or manager')
    .argument('<host:port>', 'address of a manager')
    .requiredOption('--token <string>', 'Token for entry into the swarm')
    .option('--advertise-addr <string>', 'Advertised address (format: "<ip|interface>[:port]")')
    .option('--listen-addr <node-addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
    .option('--data-path-addr <string>', 'Address or interface to use for data path traffic')
    .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")', 'active')
    .action(async (remote: string, opts: { token: string; advertiseAddr?: string; listenAddr: string }) => {
      const res = await ctx.daemon().swarmJoin({ joinToken: opts.token, remoteAddrs: [remote], listenAddr: opts.listenAddr, advertiseAddr: opts.advertiseAddr ?? '' }, { deadlineMs: 60_000 });
      ctx.output.out(res.manager ? 'This node joined a swarm as a manager.' : 'This node joined a swarm as a worker.');
    });

  swarm
    .command('join-token')
    .description('Manage join tokens')
    .argument('<worker|manager>')
    .option('-q, --quiet', 'Only display token')
    .option('--rotate', 'Rotate join token')
    .action(async (role: string, opts: { quiet?: boolean; rotate?: boolean }) => {
      if (role !== 'worker' && role !== 'manager') throw usageError(`unknown role ${role}: use worker or manager`);
      let { cluster } = await ctx.control().getCluster({});
      if (!cluster) throw new CliError('the manager did not return the swarm');
      if (opts.rotate) {
        ({ cluster } = await ctx.control().updateCluster({ clusterVersion: cluster.meta?.version, spec: cluster.spec, rotateWorkerToken: role === 'worker', rotateManagerToken: role === 'manager' }));
        if (!opts.quiet) ctx.output.out(`Successfully rotated ${role} join token.\n`);
      }
      const token = role === 'worker' ? cluster?.rootCa?.joinTokens?.worker : cluster?.rootCa?.joinTokens?.manager;
      if (!token) throw new CliError('the swarm has no join token yet');
      if (opts.quiet) {
        ctx.output.out(token);
        return;
      }
      const info = await ctx.daemon().info({});
      const addr = info.swarm?.remoteManagers[0] ?? '';
      ctx.output.out(`To add a ${role} to this swarm, run the following command:`);
      ctx.output.out('');
      ctx.output.out(`    shoal swarm join --token ${token} ${addr}`);
      ctx.output.out('');
    });

  swarm
    .command('leave')
    .description('Leave the swarm')
    .option('-f, --force', 'Force this node to leave the swarm, ignoring warnings')
    .action(async (opts: { force?: boolean }) => {
      await ctx.daemon().swarmLeave({ force: opts.force === true }, { deadlineMs: 60_000 });
      ctx.output.out('Node left the swarm.');
    });

  swarm
    .command('update')
    .description('Update the swarm')
    .option('--autolock <bool>', 'Change manager autolocking setting (true|false)')
    .option('--task-history-limit <int>', 'Task history retention limit')
    .option('--dispatcher-heartbeat <duration>', 'Dispatcher heartbeat period (ns|us|ms|s|m|h)')
    .option('--snapshot-interval <uint>', 'Number of log entries between Raft snapshots')
    .option('--cert-expiry <duration>', 'Validity period for node certificates (ns|us|ms|s|m|h)')
    .action(async (opts: { autolock?: string; taskHistoryLimit?: string; dispatcherHeartbeat?: string; snapshotInterval?: string; certExpiry?: string }) => {
      if (opts.autolock !== undefined || opts.certExpiry !== undefined) throw new CliError('"--autolock" and "--cert-expiry" are not built yet (no issue covers them yet); nothing was changed');
      const { cluster } = await ctx.control().getCluster({});
      if (!cluster?.spec) throw new CliError('the manager did not return the swarm');
      const spec = structuredClone(cluster.spec);
      if (opts.taskHistoryLimit !== undefined) {
        const n = Number(opts.taskHistoryLimit);
        if (!Number.isInteger(n)) throw usageError(`invalid argument "${opts.taskHistoryLimit}" for "--task-history-limit" flag: use an integer`);
        spec.taskHistoryRetentionLimit = n;
      }
      if (opts.dispatcherHeartbeat !== undefined) {
        const ms = parseGoDurationMs(opts.dispatcherHeartbeat);
        if (ms === undefined || ms <= 0) throw usageError(`invalid argument "${opts.dispatcherHeartbeat}" for "--dispatcher-heartbeat" flag: use a duration such as 1s or 500ms`);
        spec.heartbeatPeriodMs = ms;
      }
      if (opts.snapshotInterval !== undefined) {
        const n = Number(opts.snapshotInterval);
        if (!Number.isInteger(n) || n < 1) throw usageError(`invalid argument "${opts.snapshotInterval}" for "--snapshot-interval" flag: use a positive integer`);
        spec.raft = { ...(spec.raft ?? { snapshotInterval: 0, keepOldSnapshots: 0, logEntriesForSlowFollowers: 0, heartbeatTick: 0, electionTick: 0 }), snapshotInterval: n };
      }
      await ctx.control().updateCluster({ clusterVersion: cluster.meta?.version, spec, rotateWorkerToken: false, rotateManagerToken: false });
      ctx.output.out('Swarm updated.');
    });
  swarm.command('unlock').description('Unlock swarm').action(pending('swarm unlock', AUTOLOCK_WORK));
  swarm.command('unlock-key').description('Manage the unlock key').option('-q, --quiet', 'Only display token').option('--rotate', 'Rotate unlock key').action(pending('swarm unlock-key', AUTOLOCK_WORK));
  swarm
    .command('ca')
    .description('Display and rotate the root CA')
    .option('--rotate', 'Rotate the swarm CA')
    .option('-q, --quiet', 'Suppress progress output')
    .option('-d, --detach', 'Exit immediately instead of waiting for the root rotation to converge')
    .action(async (opts: { rotate?: boolean }) => {
      if (opts.rotate) throw new CliError('"shoal swarm ca --rotate" is not built yet; nothing was changed');
      const { cluster } = await ctx.control().getCluster({});
      ctx.output.out((cluster?.rootCa?.caCertPem ?? '').trimEnd());
    });
  return swarm;
}
