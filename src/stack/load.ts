// The pipeline of `stack deploy -c a.yml -c b.yml NAME`, without I/O: each
// file is parsed, interpolated and validated on its own (so errors name its
// lines), then the files are merged and converted to the stack's objects.
// Any error anywhere means nothing is returned to deploy.
import { codec, type ServiceSpec } from '../gen/index.js';
import { withStackLabel, type ConvertContext, type ReadFile } from './context.js';
import { findCycle } from './depends-cycle.js';
import { externalConflicts } from './external-conflicts.js';
import { joinPath, type Diagnostic, type LoadResult, type SourceLocation } from './diagnostics.js';
import { parseDotEnv } from './env-file.js';
import { namesByKey, stackConfigs, stackSecrets, type StackConfig, type StackSecret } from './file-objects.js';
import { interpolate } from './interpolate.js';
import { mergeFiles } from './merge.js';
import { serviceNetworkKeys, stackNetworks, type StackNetwork } from './networks.js';
import { dirOf } from './paths.js';
import { validateSchema } from './schema.js';
import { convertService } from './service.js';
import type { Lookup } from './template.js';
import { forbiddenIn, forbiddenProperties, propertyWarningsFor } from './unsupported.js';
import { compareStrings, isRecord, listOrDict } from './values.js';
import { stackVolumes, type StackVolume } from './volumes.js';
import { lineAt, parseYaml } from './yaml-source.js';

/** One `-c` file: its absolute path (relative paths in it start at the first file's directory) and its text. */
export interface ComposeFile {
  readonly path: string;
  readonly text: string;
  /** How messages name the file (e.g. as the user typed it); defaults to `path`. */
  readonly displayName?: string | undefined;
}

/** Everything loading needs; file access and the environment come in as arguments. */
export interface LoadStackInput {
  /** The stack (namespace) name, e.g. `shop`. */
  readonly stackName: string;
  readonly files: readonly ComposeFile[];
  /** The deploying shell's environment; it wins over `.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads `.env`, `env_file`s and secret/config files; without it those are not read (env_file is then an error). */
  readonly readFile?: ReadFile | undefined;
}

/** The objects a stack consists of, each list sorted by name. */
export interface Stack {
  readonly namespace: string;
  readonly services: readonly ServiceSpec[];
  /** Networks the services use (external ones are to be checked, not created). */
  readonly networks: readonly StackNetwork[];
  readonly volumes: readonly StackVolume[];
  readonly secrets: readonly StackSecret[];
  readonly configs: readonly StackConfig[];
}

const stackNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Load Compose files into a stack's objects, or every error found. */
export function loadStack(input: LoadStackInput): LoadResult<Stack> {
  const warnings: string[] = [];
  const fail = (errors: Diagnostic[]): LoadResult<Stack> => ({ ok: false, errors, warnings });
  if (!stackNamePattern.test(input.stackName)) {
    return fail([{ file: '', line: 0, path: '', message: `invalid stack name ${JSON.stringify(input.stackName)}: use letters, digits, '_', '.' and '-', starting with a letter or digit` }]);
  }
  const first = input.files[0];
  if (first === undefined) return fail([{ file: '', line: 0, path: '', message: 'specify a Compose file (with --compose-file)' }]);
  const workingDir = dirOf(first.path);

  const errors: Diagnostic[] = [];
  const dotEnv = readDotEnv(workingDir, input.readFile, errors);
  const lookup: Lookup = (name) => input.env[name] ?? dotEnv.get(name);

  // Per file: parse, interpolate, validate; remember each key's line.
  const trees: unknown[] = [];
  const provenance = new Map<string, SourceLocation>();
  const unset = new Set<string>();
  for (const file of input.files) {
    const shown = file.displayName ?? file.path;
    const parsed = parseYaml(shown, file.text);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    if (!isRecord(parsed.parsed.value)) {
      errors.push({ file: shown, line: 1, path: '', message: 'top-level object must be a mapping' });
      continue;
    }
    const version = parsed.parsed.value.version;
    if (version !== undefined && !String(version).startsWith('3')) {
      errors.push({ file: shown, line: lineAt(parsed.parsed.lines, ['version']), path: 'version', message: `unsupported Compose file version: ${String(version)} (stack deploy reads version 3.x and the Compose Specification)` });
      continue;
    }
    const interpolated = interpolate(parsed.parsed, lookup);
    errors.push(...interpolated.errors);
    for (const name of interpolated.unset) unset.add(name);
    const at = (path: readonly string[]) => ({ file: shown, line: lineAt(parsed.parsed.lines, path), path: joinPath(path) });
    if (interpolated.errors.length === 0) {
      for (const issue of validateSchema(interpolated.value)) errors.push({ ...at(issue.path), message: issue.message });
    }
    for (const [path, message] of externalConflicts(interpolated.value)) errors.push({ ...at(path), message });
    const services = isRecord(interpolated.value) && isRecord(interpolated.value.services) ? interpolated.value.services : {};
    for (const [name, svc] of Object.entries(services)) {
      if (!isRecord(svc)) continue;
      for (const key of forbiddenIn(svc)) {
        errors.push({ ...at(['services', name, key]), message: `not supported by stack deploy: ${forbiddenProperties[key] ?? ''}` });
      }
    }
    for (const [path, line] of parsed.parsed.lines) provenance.set(path, { file: shown, line });
    trees.push(interpolated.value);
  }
  for (const name of [...unset].sort(compareStrings)) warnings.push(`The "${name}" variable is not set. Defaulting to a blank string.`);
  if (errors.length > 0) return fail(errors);
  warnings.push(...propertyWarningsFor(trees));

  const merged = mergeFiles(trees);
  const ctx: ConvertContext = {
    namespace: input.stackName,
    workingDir,
    lookup,
    readFile: input.readFile,
    error: (path, message) => errors.push({ ...locate(provenance, path, first.displayName ?? first.path), path: joinPath(path), message }),
    warn: (message) => warnings.push(message),
  };
  const stack = convert(ctx, merged);
  if (errors.length > 0) return fail(errors);
  return { ok: true, value: stack, warnings };
}

function convert(ctx: ConvertContext, merged: Record<string, unknown>): Stack {
  const services = isRecord(merged.services) ? merged.services : {};
  const names = Object.keys(services).sort(compareStrings);
  const usedNetworks = new Set<string>();
  for (const name of names) {
    const svc = services[name];
    for (const key of serviceNetworkKeys(isRecord(svc) ? svc : {})) usedNetworks.add(key);
  }
  const volumes = stackVolumes(ctx, merged.volumes, (labels) => withStackLabel(ctx.namespace, listOrDict(labels)));
  const secrets = stackSecrets(ctx, merged.secrets);
  const configs = stackConfigs(ctx, merged.configs);
  const networks = stackNetworks(ctx, merged.networks, usedNetworks);
  const decl = { networks, volumes, secretNames: namesByKey(secrets), configNames: namesByKey(configs), serviceNames: new Set(names) };

  const specs: ServiceSpec[] = [];
  const edges = new Map<string, string[]>();
  for (const name of names) {
    const svc = services[name];
    const spec = convertService(ctx, name, isRecord(svc) ? svc : {}, decl);
    specs.push(spec);
    edges.set(spec.annotations?.name ?? name, spec.dependsOn.map((d) => d.service));
  }
  const cycle = findCycle(edges);
  if (cycle) ctx.error(['services'], `depends_on forms a cycle: ${cycle.join(' -> ')}`);

  // Round-trip through the codec so specs equal what the store will hold
  // (e.g. floats narrowed to 32 bits), making redeploys compare equal.
  return {
    namespace: ctx.namespace,
    services: specs.map((s) => codec.ServiceSpec.decode(codec.ServiceSpec.encode(s))),
    networks: networks.map((n) => ({ ...n, spec: codec.NetworkSpec.decode(codec.NetworkSpec.encode(n.spec)) })),
    volumes: [...volumes.values()],
    secrets: secrets.map((s) => ({ ...s, spec: codec.SecretSpec.decode(codec.SecretSpec.encode(s.spec)) })),
    configs: configs.map((c) => ({ ...c, spec: codec.ConfigSpec.decode(codec.ConfigSpec.encode(c.spec)) })),
  };
}

// A merged value's location: the last file that set it (or its nearest ancestor).
function locate(provenance: ReadonlyMap<string, SourceLocation>, path: readonly (string | number)[], fallbackFile: string): SourceLocation {
  for (let n = path.length; n > 0; n--) {
    const loc = provenance.get(path.slice(0, n).join('.'));
    if (loc && loc.line > 0) return loc;
  }
  return { file: fallbackFile, line: 0 };
}

// `.env` beside the first file supplies variables the environment lacks.
function readDotEnv(workingDir: string, readFile: ReadFile | undefined, errors: Diagnostic[]): Map<string, string> {
  if (!readFile) return new Map();
  const file = workingDir === '.' ? '.env' : `${workingDir}/.env`;
  const bytes = readFile(file);
  if (bytes === undefined) return new Map();
  const parsed = parseDotEnv(new TextDecoder().decode(bytes));
  if (!parsed.ok) {
    errors.push({ file, line: parsed.error.line, path: '', message: parsed.error.message });
    return new Map();
  }
  return parsed.vars;
}
