import { Command } from 'commander';
import type { Network } from '../../gen/index.js';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { formatInspect, networkInspectJson, nodeInspectJson, serviceInspectJson, taskInspectJson } from '../format/index.js';

const TYPES = ['task', 'service', 'network', 'node'] as const;
type ObjectType = (typeof TYPES)[number];

/** `shoal inspect [--type T] REF...`: any swarm object, as `docker inspect` (tasks show their network attachments). */
export function inspectCommand(ctx: CliContext): Command {
  return new Command('inspect')
    .description('Return low-level information on swarm objects (tasks, services, networks, nodes)')
    .argument('<name|id...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('--type <string>', 'Only inspect objects of the given type (task, service, network, node)')
    .action(async (refs: string[], opts: { format?: string; type?: string }) => {
      if (opts.type !== undefined && !(TYPES as readonly string[]).includes(opts.type)) throw usageError(`"${opts.type}" is not a valid value for --type: use task, service, network or node`);
      const types: readonly ObjectType[] = opts.type === undefined ? TYPES : [opts.type as ObjectType];
      const { RpcError } = await import('../../rpc/index.js'); // already loaded by runCli: no start-up cost
      const control = ctx.control();
      let networks: Map<string, Network> | undefined;
      const networkMap = async (): Promise<Map<string, Network>> => (networks ??= new Map((await control.listNetworks({})).networks.map((n) => [n.id, n])));
      const lookup = async (type: ObjectType, ref: string): Promise<Record<string, unknown> | undefined> => {
        switch (type) {
          case 'task': {
            const { task } = await control.getTask({ taskId: ref });
            return task && taskInspectJson(task, await networkMap());
          }
          case 'service': {
            const { service } = await control.getService({ serviceId: ref, insertDefaults: false });
            return service && serviceInspectJson(service);
          }
          case 'network': {
            const { network } = await control.getNetwork({ networkId: ref });
            return network && networkInspectJson(network);
          }
          case 'node': {
            const { node } = await control.getNode({ nodeId: ref });
            return node && nodeInspectJson(node);
          }
        }
      };
      const found: Record<string, unknown>[] = [];
      const missing: string[] = [];
      for (const ref of refs) {
        let object: Record<string, unknown> | undefined;
        for (const type of types) {
          try {
            object = await lookup(type, ref);
          } catch (error) {
            if (!(error instanceof RpcError && error.kind === 'not-found')) throw error;
          }
          if (object) break;
        }
        if (object) found.push(object);
        else missing.push(`no such object: ${ref}`);
      }
      if (found.length > 0 || missing.length === 0) for (const line of formatInspect(found, opts.format)) ctx.output.out(line);
      if (missing.length > 0) throw new CliError(missing.join('\n'));
    });
}
