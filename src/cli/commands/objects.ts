import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { Config, Secret } from '../../gen/index.js';
import type { CliContext } from '../context.js';
import { CliError, forEachRef, usageError } from '../errors.js';
import { repeatable } from '../flags.js';
import { configInspectJson, formatConfigList, formatConfigPretty, formatInspect, formatSecretList, formatSecretPretty, listFormat, secretInspectJson } from '../format/index.js';
import { ACCEPTED_FILTERS, buildConfigSpec, buildSecretSpec, configMatches, parseFilterFlags, secretMatches, type DataObjectFlags } from '../spec/index.js';

type Kind = 'secret' | 'config';

/** The file's bytes, or stdin's for "-"; a missing file is one line. */
function readData(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file === '-' ? 0 : file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `open ${file}: no such file or directory` : `cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`);
  }
}

/** The calls one kind needs, so secret and config share every command. */
interface DataObjectApi<T> {
  create(name: string, data: Uint8Array, flags: DataObjectFlags): Promise<T | undefined>;
  get(ref: string): Promise<T | undefined>;
  list(): Promise<T[]>;
  remove(ref: string): Promise<void>;
  matches(object: T, filters: ReturnType<typeof parseFilterFlags>): boolean;
  rows(objects: T[], format: ReturnType<typeof listFormat>): string[];
  inspectJson(object: T): Record<string, unknown>;
  pretty(object: T): string[];
}

function secretApi(ctx: CliContext): DataObjectApi<Secret> {
  return {
    create: async (name, data, flags) => (await ctx.control().createSecret({ spec: buildSecretSpec(name, data, flags) })).secret,
    get: async (ref) => (await ctx.control().getSecret({ secretId: ref })).secret,
    list: async () => (await ctx.control().listSecrets({})).secrets,
    remove: async (ref) => void (await ctx.control().removeSecret({ secretId: ref })),
    matches: secretMatches,
    rows: (objects, format) => formatSecretList(objects, format, Date.now()),
    inspectJson: secretInspectJson,
    pretty: formatSecretPretty,
  };
}

function configApi(ctx: CliContext): DataObjectApi<Config> {
  return {
    create: async (name, data, flags) => (await ctx.control().createConfig({ spec: buildConfigSpec(name, data, flags) })).config,
    get: async (ref) => (await ctx.control().getConfig({ configId: ref })).config,
    list: async () => (await ctx.control().listConfigs({})).configs,
    remove: async (ref) => void (await ctx.control().removeConfig({ configId: ref })),
    matches: configMatches,
    rows: (objects, format) => formatConfigList(objects, format, Date.now()),
    inspectJson: configInspectJson,
    pretty: formatConfigPretty,
  };
}

/** `shoal secret ...` and `shoal config ...` share their shape, as in Docker. */
function dataObjectCommand<T extends { id: string }>(ctx: CliContext, kind: Kind, api: DataObjectApi<T>): Command {
  const cmd = new Command(kind).description(kind === 'secret' ? 'Manage Swarm secrets' : 'Manage Swarm configs');
  const create = cmd.command('create').description(`Create a ${kind} from a file or STDIN as content`).argument(`<${kind}>`).argument('<file|->');
  repeatable(create, '-l, --label <list>', `${kind === 'secret' ? 'Secret' : 'Config'} labels`);
  if (kind === 'secret') create.option('-d, --driver <string>', 'Secret driver');
  create.option('--template-driver <string>', 'Template driver').action(async (name: string, file: string, flags: DataObjectFlags) => {
    const created = await api.create(name, readData(file), flags);
    if (!created) throw new CliError(`the manager did not return the new ${kind}`);
    ctx.output.out(created.id);
  });

  cmd
    .command('ls')
    .alias('list')
    .description(`List ${kind}s`)
    .option('-q, --quiet', 'Only display IDs')
    .option('--format <string>', 'Format output using a custom template: "table", "json"')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[] = []) => [...p, v])
    .action(async (opts: { quiet?: boolean; format?: string; filter?: string[] }) => {
      const filters = parseFilterFlags(opts.filter, ACCEPTED_FILTERS[kind]);
      const objects = (await api.list()).filter((o) => api.matches(o, filters));
      for (const line of api.rows(objects, listFormat(opts))) ctx.output.out(line);
    });

  cmd
    .command('inspect')
    .description(`Display detailed information on one or more ${kind}s`)
    .argument(`<${kind}...>`)
    .option('--pretty', 'Print the information in a human friendly format')
    .option('-f, --format <string>', 'Format output')
    .action(async (refs: string[], opts: { pretty?: boolean; format?: string }) => {
      if (opts.pretty && opts.format !== undefined) throw usageError('--format is incompatible with human friendly format');
      const objects = await Promise.all(
        refs.map(async (ref) => {
          const found = await api.get(ref);
          if (!found) throw new CliError(`no such ${kind}: ${ref}`);
          return found;
        }),
      );
      const lines = opts.pretty ? objects.flatMap((o, i) => [...(i > 0 ? [''] : []), ...api.pretty(o)]) : formatInspect(objects.map(api.inspectJson), opts.format);
      for (const line of lines) ctx.output.out(line);
    });

  cmd
    .command('rm')
    .alias('remove')
    .description(`Remove one or more ${kind}s`)
    .argument(`<${kind}...>`)
    .action(async (refs: string[]) => {
      // As Docker: remove what can be removed, print each, then fail naming the rest.
      await forEachRef(refs, async (ref) => {
        await api.remove(ref);
        ctx.output.out(ref);
      });
    });
  return cmd;
}

/** `shoal secret ...`. */
export function secretCommand(ctx: CliContext): Command {
  return dataObjectCommand(ctx, 'secret', secretApi(ctx));
}

/** `shoal config ...`. */
export function configCommand(ctx: CliContext): Command {
  return dataObjectCommand(ctx, 'config', configApi(ctx));
}
