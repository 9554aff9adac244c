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
    const checked = checkFile(file, lookup);
    errors.push(...checked.errors);
    for (const name of checked.unset) unset.add(name);
    for (const [path, line] of checked.lines) provenance.set(path, { file: checked.shown, line });
    if (checked.tree !== undefined) trees.push(checked.tree);
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

interface CheckedFile {
  readonly shown: string;
  /** The interpolated tree; undefined when the file could not be read as Compose at all. */
  readonly tree: Record<string, unknown> | undefined;
  readonly lines: ReadonlyMap<string, number>;
  readonly errors: readonly Diagnostic[];
  readonly unset: ReadonlySet<string>;
}

// One file on its own: YAML, version, interpolation, schema, contradictions, forbidden keys.
function checkFile(file: ComposeFile, lookup: Lookup): CheckedFile {
  const shown = file.displayName ?? file.path;
  const none = { shown, tree: undefined, lines: new Map<string, number>(), unset: new Set<string>() };
  const parsed = parseYaml(shown, file.text);
  if (!parsed.ok) return { ...none, errors: parsed.errors };
  const { value, lines } = parsed.parsed;
  if (!isRecord(value)) return { ...none, errors: [{ file: shown, line: 1, path: '', message: 'top-level object must be a mapping' }] };
  if (value.version !== undefined && !String(value.version).startsWith('3')) {
    const message = `unsupported Compose file version: ${String(value.version)} (stack deploy reads version 3.x and the Compose Specification)`;
    return { ...none, errors: [{ file: shown, line: lineAt(lines, ['version']), path: 'version', message }] };
  }
  const interpolated = interpolate(parsed.parsed, lookup);
  const errors: Diagnostic[] = [...interpolated.errors];
  const at = (path: readonly string[]) => ({ file: shown, line: lineAt(lines, path), path: joinPath(path) });
  // Validating half-substituted values would only repeat the interpolation errors.
  if (errors.length === 0) for (const issue of validateSchema(interpolated.value)) errors.push({ ...at(issue.path), message: issue.message });
  for (const [path, message] of externalConflicts(interpolated.value)) errors.push({ ...at(path), message });
  const tree = isRecord(interpolated.value) ? interpolated.value : {};
  const services = isRecord(tree.services) ? tree.services : {};
  for (const [name, svc] of Object.entries(services)) {
    if (!isRecord(svc)) continue;
    for (const key of forbiddenIn(svc)) errors.push({ ...at(['services', name, key]), message: `not supported by stack deploy: ${forbiddenProperties[key] ?? ''}` });
  }
  return { shown, tree, lines, errors, unset: interpolated.unset };
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
