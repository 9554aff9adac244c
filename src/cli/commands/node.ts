import { Command } from 'commander';
import type { ListFilter, Node, NodeSpec } from '../../gen/index.js';
import type { CliContext } from '../context.js';
import { CliError, forEachRef, usageError } from '../errors.js';
import { repeatable } from '../flags.js';
import { formatNodeList, formatNodePretty, formatTaskList, inspectJson, listFormat, nodeInspectJson } from '../format/index.js';
import { serviceNames } from '../resolve.js';

const emptyFilter = (over: Partial<ListFilter> = {}): ListFilter => ({ ids: [], names: [], labels: {}, serviceIds: [], nodeIds: [], namespace: '', desiredStates: [], ...over });

/** `shoal node ...`: list and manage the cluster's nodes (managers only). */
export function nodeCommand(ctx: CliContext): Command {
  const node = new Command('node').description('Manage Swarm nodes');
  const selfId = async (): Promise<string> => (await ctx.daemon().info({})).swarm?.nodeId ?? '';
  const getNode = async (ref: string): Promise<Node> => {
    const id = ref === 'self' ? await selfId() : ref;
    const { node: n } = await ctx.control().getNode({ nodeId: id });
    if (!n) throw new CliError(`no such node: ${ref}`);
    return n;
  };
  const updateSpec = async (ref: string, change: (spec: NodeSpec) => NodeSpec): Promise<void> => {
    const current = await getNode(ref);
    const spec = change(structuredClone(current.spec ?? { desiredRole: 'WORKER', availability: 'ACTIVE' }));
    await ctx.control().updateNode({ nodeId: current.id, nodeVersion: current.meta?.version, spec });
  };

  node
    .command('ls')
    .alias('list')
    .description('List nodes in the swarm')
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <string>', 'Format output using a custom template: "table", "json"')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided')
    .action(async (opts: { quiet?: boolean; format?: string }) => {
      const format = listFormat(opts);
      if (!format) throw usageError(`unsupported --format ${opts.format ?? ''}: use "table" or "json"`);
      const [{ nodes }, self] = await Promise.all([ctx.control().listNodes({}), selfId()]);
      for (const line of formatNodeList(nodes, self, format)) ctx.output.out(line);
    });
  node
    .command('inspect')
    .description('Display detailed information on one or more nodes')
    .argument('<node...>')
    .option('--pretty', 'Print the information in a human friendly format')
    .option('-f, --format <string>', 'Format output')
    .action(async (refs: string[], opts: { pretty?: boolean }) => {
      const nodes = await Promise.all(refs.map(getNode));
      if (opts.pretty) nodes.forEach((n, i) => [...(i > 0 ? [''] : []), ...formatNodePretty(n)].forEach((l) => ctx.output.out(l)));
      else ctx.output.out(inspectJson(nodes.map(nodeInspectJson)));
    });
  node
    .command('ps')
    .description('List tasks running on one or more nodes, defaults to current node')
    .argument('[node...]')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('--no-resolve', 'Do not map IDs to Names')
    .option('--format <string>', 'Format output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided')
    .action(async (refs: string[], opts: { quiet?: boolean; trunc: boolean; resolve: boolean; format?: string }) => {
      const format = listFormat(opts);
      if (!format) throw usageError(`unsupported --format ${opts.format ?? ''}: use "table" or "json"`);
      const nodes = await Promise.all((refs.length ? refs : ['self']).map(getNode));
      const [{ tasks }, { services }] = await Promise.all([ctx.control().listTasks({ filter: emptyFilter({ nodeIds: nodes.map((n) => n.id) }) }), ctx.control().listServices({})]);
      const names = new Map(nodes.map((n) => [n.id, n.description?.hostname || n.id]));
      for (const line of formatTaskList(tasks, { format, noTrunc: !opts.trunc, noResolve: !opts.resolve, serviceNames: serviceNames(services), nodeNames: names, nowMs: Date.now() })) ctx.output.out(line);
    });
  const update = node.command('update').description('Update a node').argument('<node>').option('--availability <string>', 'Availability of the node ("active", "pause", "drain")').option('--role <string>', 'Role of the node ("worker", "manager")');
  repeatable(update, '--label-add <list>', 'Add or update a node label (key=value)');
  repeatable(update, '--label-rm <list>', 'Remove a node label if exists');
  update.action(async (ref: string, opts: { availability?: string; role?: string; labelAdd?: string[]; labelRm?: string[] }) => {
    const availability = opts.availability?.toUpperCase();
    if (availability !== undefined && !['ACTIVE', 'PAUSE', 'DRAIN'].includes(availability)) throw usageError(`invalid argument "${opts.availability}" for "--availability" flag: use active, pause or drain`);
    const role = opts.role?.toUpperCase();
    if (role !== undefined && !['WORKER', 'MANAGER'].includes(role)) throw usageError(`invalid argument "${opts.role}" for "--role" flag: use worker or manager`);
    await updateSpec(ref, (spec) => {
      const labels = { ...(spec.annotations?.labels ?? {}) };
      for (const l of opts.labelAdd ?? []) {
        const at = l.indexOf('=');
        labels[at < 0 ? l : l.slice(0, at)] = at < 0 ? '' : l.slice(at + 1);
      }
      for (const key of opts.labelRm ?? []) {
        if (!(key in labels)) throw new CliError(`key ${key} doesn't exist in node's labels`);
        delete labels[key];
      }
      return { ...spec, annotations: { name: spec.annotations?.name ?? '', labels }, ...(availability ? { availability: availability as NodeSpec['availability'] } : {}), ...(role ? { desiredRole: role as NodeSpec['desiredRole'] } : {}) };
    });
    ctx.output.out(ref);
  });
  node.command('promote').description('Promote one or more nodes to manager in the swarm').argument('<node...>').action((refs: string[]) =>
    forEachRef(refs, async (ref) => {
      await updateSpec(ref, (spec) => ({ ...spec, desiredRole: 'MANAGER' }));
      ctx.output.out(`Node ${ref} promoted to a manager in the swarm.`);
    }),
  );
  node.command('demote').description('Demote one or more nodes from manager in the swarm').argument('<node...>').action((refs: string[]) =>
    forEachRef(refs, async (ref) => {
      await updateSpec(ref, (spec) => ({ ...spec, desiredRole: 'WORKER' }));
      ctx.output.out(`Manager ${ref} demoted in the swarm.`);
    }),
  );
  node.command('rm').alias('remove').description('Remove one or more nodes from the swarm').argument('<node...>').option('-f, --force', 'Force remove a node from the swarm').action((refs: string[], opts: { force?: boolean }) =>
    forEachRef(refs, async (ref) => {
      const n = await getNode(ref);
      await ctx.control().removeNode({ nodeId: n.id, force: opts.force === true });
      ctx.output.out(ref);
    }),
  );
  return node;
}
