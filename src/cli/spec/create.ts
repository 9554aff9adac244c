import { codec, type ServiceMode, type ServiceSpec } from '../../gen/index.js';
import { usageError } from '../errors.js';
import { effectiveCaps, validateServiceName } from './common-lists.js';
import { parseConstraint, parseDns, parseGenericResource, parseHost, parseNetwork, parsePlacementPref, parseUlimit } from './container-opts.js';
import { configReference, parseFileRef, secretReference } from './file-ref.js';
import { invalidFlag } from './flag-error.js';
import { envValue, kvToMap, mergeEnv, parseEnvFile, type Environ, type ReadTextFile } from './kv.js';
import { parseMount } from './mount.js';
import { generateName, type RandomInt } from '../../common/generated-names.js';
import { uintFlag } from './numbers.js';
import { parsePublish } from './port.js';
import { applyScalarFlags, DEFAULT_RESTART_DELAY_MS, DEFAULT_STOP_GRACE_PERIOD_MS, DEFAULT_UPDATE_CONFIG, ensureTask } from './scalar-flags.js';
import type { ServiceFlags } from './service-flags.js';
import { checkEndpoint } from './endpoint-check.js';

/** Everything `service create` needs besides its flags; I/O and randomness are injected. */
export interface CreateInput {
  flags: ServiceFlags;
  /** The positional IMAGE. */
  image: string;
  /** Positional words after the image: the container's args. */
  args: readonly string[];
  environ: Environ;
  readFile: ReadTextFile;
  random: RandomInt;
}

/** `--mode` and `--replicas`/`--max-concurrent`/`--replicas-max-per-node` to a service mode, with Docker's checks and messages. */
export function parseServiceMode(flags: ServiceFlags): ServiceMode {
  const modeText = flags.mode ?? 'replicated';
  const replicas = flags.replicas === undefined ? undefined : uintFlag('replicas', flags.replicas);
  const maxConcurrent = flags.maxConcurrent === undefined ? undefined : uintFlag('max-concurrent', flags.maxConcurrent);
  const maxPerNode = flags.replicasMaxPerNode === undefined ? 0 : uintFlag('replicas-max-per-node', flags.replicasMaxPerNode);
  const global = modeText === 'global' || modeText === 'global-job';
  if (global && replicas !== undefined) throw usageError('replicas can only be used with replicated or replicated-job mode');
  if (global && maxPerNode > 0) throw usageError('replicas-max-per-node can only be used with replicated or replicated-job mode');
  if (modeText !== 'replicated-job' && maxConcurrent !== undefined) throw usageError('max-concurrent can only be used with replicated-job mode');
  switch (modeText) {
    case 'replicated':
      return codec.ServiceMode.fromPartial({ kind: 'REPLICATED', replicas: replicas ?? 1 });
    case 'global':
      return codec.ServiceMode.fromPartial({ kind: 'GLOBAL' });
    case 'replicated-job': {
      // The CLI runs --replicas at once unless told otherwise; the daemon defaults both to 1.
      const concurrent = maxConcurrent ?? replicas ?? 1;
      return codec.ServiceMode.fromPartial({ kind: 'REPLICATED_JOB', totalCompletions: replicas ?? concurrent, maxConcurrent: concurrent });
    }
    case 'global-job':
      return codec.ServiceMode.fromPartial({ kind: 'GLOBAL_JOB' });
    default:
      throw invalidFlag('mode', modeText, 'unknown mode; use "replicated", "global", "replicated-job" or "global-job"');
  }
}

/**
 * `service create` flags and positionals to the spec to submit, with
 * Docker's defaults written out (replicas 1, restart any after 5s, update and
 * rollback one at a time with a 5s monitor, stop-first; stop grace 10s).
 * Network, secret and config references carry names; the caller resolves IDs.
 */
export function buildServiceSpec(input: CreateInput): ServiceSpec {
  const { flags } = input;
  if (input.image.trim() === '') throw usageError('"shoal service create" requires an image; usage: shoal service create [OPTIONS] IMAGE [COMMAND] [ARG...]');
  const mode = parseServiceMode(flags);
  const jobs = mode.kind === 'REPLICATED_JOB' || mode.kind === 'GLOBAL_JOB';
  const name = flags.name === undefined || flags.name === '' ? generateName(input.random) : validateServiceName(flags.name);

  const envFromFiles = (flags.envFile ?? []).flatMap((path) => {
    let content: string;
    try {
      content = input.readFile(path);
    } catch (error) {
      throw usageError(`cannot read --env-file ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return parseEnvFile(path, content, input.environ);
  });
  const env = mergeEnv([...envFromFiles, ...(flags.env ?? []).map((e) => envValue('env', e, input.environ))]);
  const caps = effectiveCaps(flags.capAdd ?? [], flags.capDrop ?? []);
  const generic = (flags.genericResource ?? []).map((g) => parseGenericResource('generic-resource', g));

  const spec = codec.ServiceSpec.fromPartial({
    annotations: { name, labels: kvToMap('label', flags.label ?? []) },
    task: {
      container: {
        image: input.image,
        args: [...input.args],
        env,
        labels: kvToMap('container-label', flags.containerLabel ?? []),
        mounts: (flags.mount ?? []).map((m) => parseMount('mount', m)),
        secrets: (flags.secret ?? []).map((s) => secretReference(parseFileRef('secret', s))),
        configs: (flags.config ?? []).map((s) => configReference(parseFileRef('config', s))),
        hosts: (flags.host ?? []).map((h) => parseHost('host', h)),
        dnsNameservers: (flags.dns ?? []).map((d) => parseDns('dns', d)),
        sysctls: kvToMap('sysctl', flags.sysctl ?? []),
        ulimits: (flags.ulimit ?? []).map((u) => parseUlimit('ulimit', u)),
        capAdd: caps.capAdd,
        capDrop: caps.capDrop,
        stopGracePeriodMs: DEFAULT_STOP_GRACE_PERIOD_MS,
      },
      resources: { limits: {}, reservations: { generic } },
      restart: { condition: 'ANY', delayMs: DEFAULT_RESTART_DELAY_MS },
      placement: {
        constraints: (flags.constraint ?? []).map((c) => parseConstraint('constraint', c)),
        preferences: (flags.placementPref ?? []).map((p) => parsePlacementPref('placement-pref', p)),
      },
      networks: (flags.network ?? []).map((n) => parseNetwork('network', n)),
    },
    mode,
    endpoint: { mode: 'VIP', ports: (flags.publish ?? []).flatMap((p) => parsePublish('publish', p)) },
  });
  if (!jobs) {
    spec.update = { ...DEFAULT_UPDATE_CONFIG };
    spec.rollback = { ...DEFAULT_UPDATE_CONFIG };
  }
  ensureTask(spec);
  applyScalarFlags(spec, flags);
  checkEndpoint(spec);
  return spec;
}
