import { Command, Option } from 'commander';
import type { ListFilter, TaskStatus } from '../../gen/index.js';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { repeatable } from '../flags.js';
import { formatServiceList, formatStackList, formatTaskList, listFormat, stackNothingFoundLine, summarizeStacks } from '../format/index.js';
import { waitForConvergence } from '../progress.js';
import { nodeNames, serviceNames } from '../resolve.js';
import { listFilter } from '../stack/control.js';
import { goBooleanFlags } from '../stack/go-bool.js';

// The Compose loader (ajv, yaml) and the deploy machinery load only when deploy or rm runs.
const compose = () => import('../../stack/index.js');
const machinery = () => import('../stack/index.js');

const RESOLVE_IMAGE = ['always', 'changed', 'never'];

/** Waiting for a stack gives up after ten minutes, as `service create` does. */
const waitOptions = () => ({ timeoutMs: 10 * 60_000, pollMs: 200, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), nowMs: () => Date.now() });

/** Docker 28's notice when `stack deploy` runs detached because -d was not given. */
const DETACH_NOTICE = 'Since --detach=false was not specified, tasks will be created in the background.\nIn a future release, --detach=false will become the default.';

/** `-f key=value` filters of `stack services` (as `service ls`) and `stack ps`. */
function parseFilters(filters: readonly string[] | undefined, allowed: readonly string[]): ListFilter & { nodes: string[] } {
  const out = { ...listFilter(), nodes: [] as string[] };
  for (const f of filters ?? []) {
    const at = f.indexOf('=');
    const [key, value] = at < 0 ? [f, ''] : [f.slice(0, at), f.slice(at + 1)];
    if (!allowed.includes(key)) throw usageError(`invalid filter '${key}': use ${allowed.map((k) => `${k}=`).join(', ')}`);
    if (key === 'id') out.ids.push(value);
    else if (key === 'name') out.names.push(value);
    else if (key === 'node') out.nodes.push(value);
    else if (key === 'desired-state') out.desiredStates.push(value.toUpperCase() as TaskStatus['state']);
    else {
      const eq = value.indexOf('=');
      out.labels[eq < 0 ? value : value.slice(0, eq)] = eq < 0 ? '' : value.slice(eq + 1);
    }
  }
  return out;
}

/** `shoal stack ...`: deploy Compose files as stacks of services. */
export function stackCommand(ctx: CliContext): Command {
  const stack = new Command('stack').description('Manage Swarm stacks');

  const deploy = goBooleanFlags(stack.command('deploy').alias('up').description('Deploy a new stack or update an existing stack').argument('<stack>'), ['detach']);
  repeatable(deploy, '-c, --compose-file <file>', 'Path to a Compose file, or "-" to read from stdin');
  deploy
    .option('--prune', 'Prune services that are no longer referenced')
    .option('--resolve-image <string>', 'Query the registry to resolve image digest and supported platforms ("always", "changed", "never")', 'always')
    .option('--with-registry-auth', 'Send registry authentication details to Swarm agents (accepted for compatibility; no registry is used)')
    .addOption(new Option('-d, --detach', 'Exit immediately instead of waiting for the stack services to converge'))
    .addOption(new Option('--no-detach').hideHelp())
    .option('-q, --quiet', 'Suppress progress output')
    .action(async (name: string, opts: { composeFile?: string[]; prune?: boolean; resolveImage: string; detach?: boolean; quiet?: boolean }) => {
      if (!RESOLVE_IMAGE.includes(opts.resolveImage)) throw usageError(`Invalid option ${opts.resolveImage} for flag --resolve-image: use "always", "changed" or "never"`);
      const [{ formatDiagnostic, loadStack }, { applyDeploy, composeFiles, prepareDeploy, readHostFile, readStdinText, waitForServicesRunning }] = await Promise.all([compose(), machinery()]);
      const files = composeFiles(opts.composeFile ?? [], process.cwd(), readStdinText);
      const loaded = loadStack({ stackName: name, files, env: process.env, readFile: readHostFile });
      for (const w of loaded.warnings) {
        ctx.output.err(w);
        if (w.startsWith('Ignoring')) ctx.output.err('');
      }
      if (!loaded.ok) throw new CliError(loaded.errors.map(formatDiagnostic).join('\n'));
      const control = ctx.control();
      const planned = await prepareDeploy(loaded.value, control, { prune: opts.prune === true });
      if (!planned.ok) throw new CliError(planned.errors.join('\n'));
      if (opts.detach === undefined) ctx.output.err(DETACH_NOTICE);
      const deployed = await applyDeploy(planned.plan, control, ctx.output);
      if (opts.detach !== false) return;
      if (opts.quiet) await waitForServicesRunning(control, deployed.map((s) => s.id), waitOptions());
      else for (const s of deployed) await waitForConvergence(ctx, s.id, s.name);
    });

  stack
    .command('ls')
    .alias('list')
    .description('List stacks')
    .option('--format <string>', 'Format output using a custom template: "table", "json"')
    .action(async (opts: { format?: string }) => {
      const format = listFormat(opts);
      const { services } = await ctx.control().listServices({ filter: listFilter() });
      for (const line of formatStackList(summarizeStacks(services), format)) ctx.output.out(line);
    });

  stack
    .command('ps')
    .description('List the tasks in the stack')
    .argument('<stack>')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('--no-resolve', 'Do not map IDs to Names')
    .option('--format <string>', 'Format output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[] = []) => [...p, v])
    .action(async (name: string, opts: { quiet?: boolean; trunc: boolean; resolve: boolean; format?: string; filter?: string[] }) => {
      const format = listFormat(opts);
      const filter = parseFilters(opts.filter, ['id', 'name', 'node', 'desired-state']);
      const control = ctx.control();
      const [{ services }, names] = await Promise.all([control.listServices({ filter: listFilter({ namespace: name }) }), nodeNames(ctx)]);
      const wanted = services.filter((s) => filter.names.length === 0 || filter.names.some((n) => (s.spec?.annotations?.name ?? '').startsWith(n)));
      const nodeIds = filter.nodes.map((n) => [...names].find(([, host]) => host === n)?.[0] ?? n);
      const { tasks } = wanted.length === 0 ? { tasks: [] } : await control.listTasks({ filter: listFilter({ serviceIds: wanted.map((s) => s.id), ids: filter.ids, nodeIds, desiredStates: filter.desiredStates }) });
      if (tasks.length === 0) throw new CliError(`nothing found in stack: ${name}`);
      for (const line of formatTaskList(tasks, { format, noTrunc: !opts.trunc, noResolve: !opts.resolve, serviceNames: serviceNames(services), nodeNames: names, nowMs: Date.now() })) ctx.output.out(line);
    });

  stack
    .command('services')
    .description('List the services in the stack')
    .argument('<stack>')
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <string>', 'Format output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[] = []) => [...p, v])
    .action(async (name: string, opts: { quiet?: boolean; format?: string; filter?: string[] }) => {
      const format = listFormat(opts);
      const filter = parseFilters(opts.filter, ['id', 'name', 'label']);
      const { services, statuses } = await ctx.control().listServices({ filter: { ...filter, namespace: name } });
      if (services.length === 0) {
        ctx.output.err(stackNothingFoundLine(name));
        return;
      }
      for (const line of formatServiceList(services, statuses, format)) ctx.output.out(line);
    });

  goBooleanFlags(stack.command('rm').alias('remove').alias('down').description('Remove one or more stacks').argument('<stack...>'), ['detach'])
    .addOption(new Option('-d, --detach', 'Do not wait for stack removal'))
    .addOption(new Option('--no-detach').hideHelp())
    .action(async (names: string[], opts: { detach?: boolean }) => {
      const { applyRemove, planRemove, readCluster, waitForStackGone } = await machinery();
      const control = ctx.control();
      const failed: string[] = [];
      for (const name of names) {
        const removals = planRemove(await readCluster(control, name));
        if (removals.length === 0) {
          ctx.output.err(stackNothingFoundLine(name));
          continue;
        }
        if (!(await applyRemove(removals, control, ctx.output, ctx.host()))) {
          failed.push(`failed to remove some resources from stack: ${name}`);
          continue;
        }
        if (opts.detach === false) await waitForStackGone(control, removals, waitOptions());
      }
      if (failed.length > 0) throw new CliError(failed.join('\n'));
    });
  return stack;
}
