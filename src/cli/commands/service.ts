import { Command } from 'commander';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { codec, type ListFilter, type LogMessage, type Service } from '../../gen/index.js';
import type { CliContext } from '../context.js';
import { CliError, forEachRef, usageError } from '../errors.js';
import { addServiceSpecFlags } from '../flags.js';
import { formatLogLine, formatServiceList, formatServicePretty, formatTaskList, inspectJson, listFormat, serviceInspectJson } from '../format/index.js';
import { waitForConvergence } from '../progress.js';
import { nodeNames, serviceNames } from '../resolve.js';
import { applyServiceUpdate, parseGoDurationMs, buildServiceSpec, changesSpec, parseScaleArgs, scaledLine, scaleSpec, type ServiceFlags } from '../spec/index.js';

const emptyFilter = (over: Partial<ListFilter> = {}): ListFilter => ({ ids: [], names: [], labels: {}, serviceIds: [], nodeIds: [], namespace: '', desiredStates: [], ...over });

/** Parses Docker's `-f key=value` list filters for services. */
function serviceFilter(filters: string[] | undefined): ListFilter {
  const out = emptyFilter();
  for (const f of filters ?? []) {
    const at = f.indexOf('=');
    const [key, value] = at < 0 ? [f, ''] : [f.slice(0, at), f.slice(at + 1)];
    if (key === 'id') out.ids.push(value);
    else if (key === 'name') out.names.push(value);
    else if (key === 'label') {
      const eq = value.indexOf('=');
      out.labels[eq < 0 ? value : value.slice(0, eq)] = eq < 0 ? '' : value.slice(eq + 1);
    } else throw usageError(`invalid filter '${key}': use id=, name= or label=`);
  }
  return out;
}

/** `shoal service ...`: create and manage services. */
export function serviceCommand(ctx: CliContext): Command {
  const service = new Command('service').description('Manage Swarm services').enablePositionalOptions();
  const getService = async (ref: string): Promise<Service> => {
    const { service: s } = await ctx.control().getService({ serviceId: ref, insertDefaults: false });
    if (!s) throw new CliError(`no such service: ${ref}`);
    return s;
  };

  addServiceSpecFlags(service.command('create').description('Create a new service').argument('<image>').argument('[command...]').passThroughOptions(), 'create').action(
    async (image: string, args: string[], flags: ServiceFlags & { detach?: boolean; quiet?: boolean }) => {
      const spec = buildServiceSpec({ flags, image, args, environ: process.env, readFile: (p) => readFileSync(p, 'utf8'), random: (n) => randomInt(n) });
      const { service: created, warnings } = await ctx.control().createService({ spec });
      for (const w of warnings) ctx.output.err(w);
      if (!created) throw new CliError('the manager did not return the new service');
      ctx.output.out(created.id);
      if (!flags.detach) await waitForConvergence(ctx, created.id, created.id);
    },
  );

  service
    .command('ls')
    .alias('list')
    .description('List services')
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <string>', 'Format output using a custom template: "table", "json"')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[] = []) => [...p, v])
    .action(async (opts: { quiet?: boolean; format?: string; filter?: string[] }) => {
      const format = listFormat(opts);
      if (!format) throw usageError(`unsupported --format ${opts.format ?? ''}: use "table" or "json"`);
      const { services, statuses } = await ctx.control().listServices({ filter: serviceFilter(opts.filter) });
      for (const line of formatServiceList(services, statuses, format)) ctx.output.out(line);
    });

  service
    .command('ps')
    .description('List the tasks of one or more services')
    .argument('<service...>')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('--no-resolve', 'Do not map IDs to Names')
    .option('--format <string>', 'Format output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[] = []) => [...p, v])
    .action(async (refs: string[], opts: { quiet?: boolean; trunc: boolean; resolve: boolean; format?: string; filter?: string[] }) => {
      const format = listFormat(opts);
      if (!format) throw usageError(`unsupported --format ${opts.format ?? ''}: use "table" or "json"`);
      const services = await Promise.all(refs.map(getService));
      const desired = (opts.filter ?? []).flatMap((f) => (f.startsWith('desired-state=') ? [f.slice('desired-state='.length).toUpperCase()] : []));
      const { tasks } = await ctx.control().listTasks({ filter: emptyFilter({ serviceIds: services.map((s) => s.id), desiredStates: desired as ListFilter['desiredStates'] }) });
      const lines = formatTaskList(tasks, { format, noTrunc: !opts.trunc, noResolve: !opts.resolve, serviceNames: serviceNames(services), nodeNames: await nodeNames(ctx), nowMs: Date.now() });
      for (const line of lines) ctx.output.out(line);
    });

  service
    .command('inspect')
    .description('Display detailed information on one or more services')
    .argument('<service...>')
    .option('--pretty', 'Print the information in a human friendly format')
    .option('-f, --format <string>', 'Format output')
    .action(async (refs: string[], opts: { pretty?: boolean }) => {
      const services = await Promise.all(refs.map(getService));
      if (opts.pretty) {
        const { networks } = await ctx.control().listNetworks({});
        const networkNames = new Map(networks.map((n) => [n.id, n.spec?.annotations?.name ?? n.id]));
        for (const [i, s] of services.entries()) {
          if (i > 0) ctx.output.out('');
          for (const line of formatServicePretty(s, { nowMs: Date.now(), networkNames })) ctx.output.out(line);
        }
      } else ctx.output.out(inspectJson(services.map(serviceInspectJson)));
    });

  addServiceSpecFlags(service.command('update').description('Update a service').argument('<service>'), 'update').action(async (ref: string, flags: ServiceFlags & { detach?: boolean }) => {
    const current = await getService(ref);
    if (flags.rollback && changesSpec(flags)) throw usageError('other flags may not be combined with --rollback');
    if (flags.rollback && flags.rebalance) throw usageError('--rebalance may not be combined with --rollback');
    // The stored spec names networks by ID: --network-rm takes names too, as Docker's CLI.
    if (flags.networkRm?.length) flags.networkRm = await Promise.all(flags.networkRm.map(async (ref) => (await ctx.control().getNetwork({ networkId: ref }).catch(() => ({ network: undefined }))).network?.id ?? ref));
    const spec = flags.rollback ? current.spec : applyServiceUpdate(current.spec ?? codec.ServiceSpec.fromPartial({}), { flags, environ: process.env });
    const { service: updated, warnings } = await ctx.control().updateService({ serviceId: current.id, serviceVersion: current.meta?.version, spec, rollback: flags.rollback ? 'PREVIOUS' : 'NONE', force: flags.force === true, rebalance: flags.rebalance === true });
    for (const w of warnings) ctx.output.err(w);
    ctx.output.out(ref);
    if (!flags.detach && updated) await waitForConvergence(ctx, updated.id, ref);
  });

  service
    .command('scale')
    .description('Scale one or multiple replicated services')
    .argument('<service=replicas...>')
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .action(async (args: string[], opts: { detach?: boolean }) => {
      const { requests, errors } = parseScaleArgs(args);
      if (errors.length) throw usageError(errors.join('; '));
      await forEachRef(requests, async (r) => {
        const current = await getService(r.service);
        const spec = scaleSpec(current.spec ?? codec.ServiceSpec.fromPartial({}), r.replicas);
        await ctx.control().updateService({ serviceId: current.id, serviceVersion: current.meta?.version, spec, rollback: 'NONE', force: false, rebalance: false });
        ctx.output.out(scaledLine(r.service, r.replicas));
        if (!opts.detach) await waitForConvergence(ctx, current.id, r.service);
      });
    });

  service.command('rollback').description('Revert changes to a service\'s configuration').argument('<service>').option('-d, --detach', 'Exit immediately instead of waiting for the service to converge').option('-q, --quiet', 'Suppress progress output').action(async (ref: string, opts: { detach?: boolean }) => {
    const current = await getService(ref);
    await ctx.control().updateService({ serviceId: current.id, serviceVersion: current.meta?.version, spec: undefined, rollback: 'PREVIOUS', force: false, rebalance: false });
    ctx.output.out(ref);
    if (!opts.detach) await waitForConvergence(ctx, current.id, ref);
  });

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
    .action(async (ref: string, opts: { follow?: boolean; tail: string; since?: string; timestamps?: boolean; taskIds: boolean; trunc: boolean; raw?: boolean }) => {
      const tail = opts.tail === 'all' ? -1 : Number(opts.tail);
      if (!Number.isInteger(tail) || tail < -1) throw usageError(`invalid argument "${opts.tail}" for "--tail" flag: use a number of lines or "all"`);
      const sinceMs = opts.since === undefined ? 0 : parseSince(opts.since, Date.now());
      let serviceIds: string[] = [];
      let taskIds: string[] = [];
      try {
        serviceIds = [(await getService(ref)).id];
      } catch {
        const { task } = await ctx.control().getTask({ taskId: ref }).catch(() => ({ task: undefined }));
        if (!task) throw new CliError(`No such service or task: ${ref}`);
        taskIds = [task.id];
      }
      const [{ tasks }, names] = await Promise.all([ctx.control().listTasks({ filter: emptyFilter({ serviceIds, ids: taskIds }) }), nodeNames(ctx)]);
      const byId = new Map(tasks.map((t) => [t.id, t]));
      const slotDigits = String(Math.max(1, ...tasks.map((t) => t.slot))).length;
      const stream = ctx.logs().subscribeLogs({ selector: { serviceIds, taskIds, nodeIds: [] }, options: { follow: opts.follow === true, tail, sinceMs, timestamps: opts.timestamps === true, stdout: true, stderr: true } });
      for await (const message of stream as AsyncIterable<{ messages: LogMessage[]; warnings: string[] }>) {
        for (const w of message.warnings) ctx.output.err(w);
        for (const m of message.messages) {
          const task = byId.get(m.context?.taskId ?? '');
          const text = Buffer.from(m.data).toString('utf8').replace(/\n$/, '');
          const line = formatLogLine(
            { serviceName: task?.serviceAnnotations?.name ?? '', slot: task?.slot ?? 0, taskId: m.context?.taskId ?? '', nodeName: names.get(m.context?.nodeId ?? '') ?? m.context?.nodeId ?? '', timestampMs: m.timestampMs, text },
            { noTaskIds: !opts.taskIds, noTrunc: !opts.trunc, timestamps: opts.timestamps === true, raw: opts.raw === true, slotDigits },
          );
          if (m.stream === 'STDERR') ctx.output.err(line);
          else ctx.output.out(line);
        }
      }
    });

  service
    .command('rm')
    .alias('remove')
    .description('Remove one or more services')
    .argument('<service...>')
    .action(async (refs: string[]) => {
      await forEachRef(refs, async (ref) => {
        const s = await getService(ref);
        await ctx.control().removeService({ serviceId: s.id });
        ctx.output.out(ref);
      });
    });
  return service;
}

/** `--since`: an RFC 3339 time, a Unix timestamp, or a duration before now ("42m"). */
function parseSince(value: string, nowMs: number): number {
  const relative = parseGoDurationMs(value);
  if (relative !== undefined && /[a-z]/.test(value)) return nowMs - relative;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.floor(Number(value) * 1000);
  const absolute = Date.parse(value);
  if (!Number.isNaN(absolute)) return absolute;
  throw usageError(`invalid argument "${value}" for "--since" flag: use a time like 2013-01-02T13:23:37Z, a Unix timestamp, or a duration like 42m`);
}
