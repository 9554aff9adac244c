import { Command } from 'commander';
import type { Network } from '../../gen/index.js';
import type { CliContext } from '../context.js';
import { CliError, forEachRef } from '../errors.js';
import { repeatable } from '../flags.js';
import { formatInspect, formatNetworkList, listFormat, networkInspectJson } from '../format/index.js';
import { ACCEPTED_FILTERS, buildNetworkSpec, networkMatches, parseFilterFlags, type NetworkCreateFlags } from '../spec/index.js';

/** `shoal network ...`: swarm-scoped overlay networks. */
export function networkCommand(ctx: CliContext): Command {
  const network = new Command('network').description('Manage networks');
  const getNetwork = async (ref: string): Promise<Network> => {
    const { network: n } = await ctx.control().getNetwork({ networkId: ref });
    if (!n) throw new CliError(`no such network: ${ref}`);
    return n;
  };

  const create = network.command('create').description('Create a network').argument('<network>').option('-d, --driver <string>', 'Driver to manage the Network', 'overlay');
  repeatable(create, '--subnet <strings>', 'Subnet in CIDR format that represents a network segment');
  repeatable(create, '--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet');
  repeatable(create, '--ip-range <strings>', 'Allocate container ip from a sub-range');
  repeatable(create, '--label <list>', 'Set metadata on a network');
  repeatable(create, '-o, --opt <map>', 'Set driver specific options');
  create.option('--attachable', 'Enable manual container attachment').option('--internal', 'Restrict external access to the network').option('--ingress', 'Create swarm routing-mesh network').option('--ipv6', 'Enable or disable IPv6 networking').option('--scope <string>', "Control the network's scope", 'swarm');
  create.action(async (name: string, flags: NetworkCreateFlags) => {
    const spec = buildNetworkSpec(name, flags);
    const { network: created } = await ctx.control().createNetwork({ spec });
    if (!created) throw new CliError('the manager did not return the new network');
    ctx.output.out(created.id);
  });

  repeatable(
    network.command('ls').alias('list').description('List networks').option('-q, --quiet', 'Only display network IDs').option('--no-trunc', 'Do not truncate the output').option('--format <string>', 'Format output'),
    '-f, --filter <filter>',
    'Provide filter values (e.g. "driver=overlay")',
  ).action(async (opts: { quiet?: boolean; trunc: boolean; format?: string; filter?: string[] }) => {
    const filters = parseFilterFlags(opts.filter, ACCEPTED_FILTERS.network);
    const { networks } = await ctx.control().listNetworks({});
    const lines = formatNetworkList(networks.filter((n) => networkMatches(n, filters)), listFormat(opts), !opts.trunc);
    for (const line of lines) ctx.output.out(line);
  });

  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<network...>')
    .option('-f, --format <string>', 'Format output')
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (refs: string[], opts: { format?: string }) => {
      const { RpcError } = await import('../../rpc/index.js'); // already loaded by runCli: no start-up cost
      const found: Network[] = [];
      const missing: string[] = [];
      for (const ref of refs) {
        try {
          found.push(await getNetwork(ref));
        } catch (error) {
          if (error instanceof RpcError && error.kind === 'not-found') missing.push(`no such network: ${ref}`);
          else throw error;
        }
      }
      // As Docker: print what was found, then fail naming what was not.
      if (found.length > 0 || missing.length === 0) for (const line of formatInspect(found.map(networkInspectJson), opts.format)) ctx.output.out(line);
      if (missing.length > 0) throw new CliError(missing.join('\n'));
    });

  network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<network...>')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (refs: string[], opts: { force?: boolean }) => {
      const { RpcError } = await import('../../rpc/index.js'); // already loaded by runCli: no start-up cost
      await forEachRef(refs, async (ref) => {
        let target: Network;
        try {
          target = await getNetwork(ref);
        } catch (error) {
          if (opts.force && error instanceof RpcError && error.kind === 'not-found') return;
          throw error;
        }
        await ctx.control().removeNetwork({ networkId: target.id });
        ctx.output.out(ref);
      });
    });
  return network;
}
