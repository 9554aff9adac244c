// A service's `deploy` block as swarm's mode, resources, restart policy,
// placement and update/rollback configs (docker/cli convert/service.go).
// Absent parts get the values Docker's daemon fills in (restart: any after
// 5s; updates one at a time, pause on failure, monitor 5s, stop-first; stop
// grace 10s), as `shoal service create` writes them, so a spec says what will
// happen without consulting defaults elsewhere. Jobs get no update configs:
// swarm refuses them.
import type {
  GenericResource, Placement, ResourceRequirements, Resources, RestartPolicy, RestartPolicy_Condition, ServiceMode,
  UpdateConfig, UpdateConfig_FailureAction, UpdateConfig_Order,
} from '../gen/index.js';
import type { ConvertContext } from './context.js';
import { parseBytes, parseDurationMs, parseNanoCpus } from './units.js';
import { isRecord, scalarString } from './values.js';

type Path = readonly (string | number)[];

/** Docker's default restart delay when a policy does not name one. */
export const defaultRestartDelayMs = 5000;
/** Docker's default update/rollback monitor period. */
export const defaultMonitorMs = 5000;
/** Docker's default stop grace period (the same default `service create` writes out). */
export const defaultStopGracePeriodMs = 10_000;

/** Parse a Go duration at `path`, reporting a bad one; absent → `fallback`. */
export function durationAt(ctx: ConvertContext, path: Path, v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const d = parseDurationMs(scalarString(v));
  if (d.ok) return d.value;
  ctx.error(path, d.message);
  return fallback;
}

/** `deploy.mode` and `deploy.replicas`. */
export function serviceMode(ctx: ConvertContext, path: Path, deploy: Record<string, unknown>): ServiceMode {
  const replicas = deploy.replicas === undefined || deploy.replicas === null ? undefined : Number(deploy.replicas);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) ctx.error([...path, 'replicas'], `invalid replicas ${JSON.stringify(deploy.replicas)}: use a whole number`);
  const mode = scalarString(deploy.mode ?? 'replicated');
  const n = replicas ?? 1;
  switch (mode) {
    case 'replicated':
      return { kind: 'REPLICATED', replicas: n, totalCompletions: 0, maxConcurrent: 0 };
    case 'replicated-job':
      return { kind: 'REPLICATED_JOB', replicas: 0, totalCompletions: n, maxConcurrent: n };
    case 'global':
    case 'global-job':
      if (replicas !== undefined) ctx.error([...path, 'replicas'], 'replicas can only be used with replicated or replicated-job mode');
      return { kind: mode === 'global' ? 'GLOBAL' : 'GLOBAL_JOB', replicas: 0, totalCompletions: 0, maxConcurrent: 0 };
    default:
      ctx.error([...path, 'mode'], `unknown mode: ${mode} (use replicated, global, replicated-job or global-job)`);
      return { kind: 'REPLICATED', replicas: n, totalCompletions: 0, maxConcurrent: 0 };
  }
}

function resources(ctx: ConvertContext, path: Path, r: unknown): Resources | undefined {
  if (!isRecord(r)) return undefined;
  const out: Resources = { nanoCpus: 0, memoryBytes: 0, generic: [] };
  if (r.cpus !== undefined && r.cpus !== null && r.cpus !== '') {
    const c = parseNanoCpus(r.cpus);
    if (c.ok) out.nanoCpus = c.value;
    else ctx.error([...path, 'cpus'], c.message);
  }
  if (r.memory !== undefined && r.memory !== null && r.memory !== '') {
    const m = parseBytes(r.memory);
    if (m.ok) out.memoryBytes = m.value;
    else ctx.error([...path, 'memory'], m.message);
  }
  if (Array.isArray(r.generic_resources)) {
    r.generic_resources.forEach((g, i) => {
      const spec = isRecord(g) && isRecord(g.discrete_resource_spec) ? g.discrete_resource_spec : undefined;
      if (!spec) {
        ctx.error([...path, 'generic_resources', i], 'only discrete_resource_spec {kind, value} is supported');
        return;
      }
      const generic: GenericResource = { kind: scalarString(spec.kind), value: Number(spec.value ?? 0) };
      out.generic.push(generic);
    });
  }
  return out;
}

/** `deploy.resources` limits and reservations. */
export function resourceRequirements(ctx: ConvertContext, path: Path, deploy: Record<string, unknown>): ResourceRequirements {
  const r = isRecord(deploy.resources) ? deploy.resources : {};
  const out: ResourceRequirements = {};
  const limits = resources(ctx, [...path, 'resources', 'limits'], r.limits);
  const reservations = resources(ctx, [...path, 'resources', 'reservations'], r.reservations);
  if (limits) out.limits = limits;
  if (reservations) out.reservations = reservations;
  return out;
}

const conditions: Readonly<Record<string, RestartPolicy_Condition>> = { any: 'ANY', 'on-failure': 'ON_FAILURE', none: 'NONE' };

/** `deploy.restart_policy`, else the (otherwise ignored) `restart:` key, as docker/cli; `path` is the service's. */
export function restartPolicy(ctx: ConvertContext, path: Path, service: Record<string, unknown>): RestartPolicy {
  const deploy = isRecord(service.deploy) ? service.deploy : {};
  const restart = service.restart;
  const p = deploy.restart_policy;
  if (isRecord(p)) {
    const where = [...path, 'deploy', 'restart_policy'];
    const text = scalarString(p.condition ?? 'any');
    const condition = conditions[text];
    if (condition === undefined) ctx.error([...where, 'condition'], `invalid restart condition ${JSON.stringify(text)}: use none, on-failure or any`);
    return {
      condition: condition ?? 'ANY',
      delayMs: durationAt(ctx, [...where, 'delay'], p.delay, defaultRestartDelayMs),
      maxAttempts: Number(p.max_attempts ?? 0),
      windowMs: durationAt(ctx, [...where, 'window'], p.window, 0),
    };
  }
  const fallback: RestartPolicy = { condition: 'ANY', delayMs: defaultRestartDelayMs, maxAttempts: 0, windowMs: 0 };
  if (restart === undefined || restart === null || restart === '') return fallback;
  const [name = '', count = ''] = scalarString(restart).split(':');
  switch (name) {
    case 'no':
      return { ...fallback, condition: 'NONE' };
    case 'always':
    case 'unless-stopped':
      return fallback;
    case 'on-failure':
      return { ...fallback, condition: 'ON_FAILURE', maxAttempts: count === '' ? 0 : Number(count) };
    default:
      ctx.error([...path, 'restart'], `invalid restart policy: unknown policy '${name}' (must be one of 'no', 'always', 'on-failure', or 'unless-stopped')`);
      return fallback;
  }
}

/** `deploy.placement`: constraints, spread preferences, max_replicas_per_node. */
export function placement(deploy: Record<string, unknown>): Placement {
  const p = isRecord(deploy.placement) ? deploy.placement : {};
  const constraints = Array.isArray(p.constraints) ? p.constraints.map(scalarString) : [];
  const preferences = Array.isArray(p.preferences)
    ? p.preferences.filter(isRecord).map((pref) => ({ spreadDescriptor: scalarString(pref.spread ?? '') }))
    : [];
  return { constraints, preferences, platforms: [], maxReplicas: Number(p.max_replicas_per_node ?? 0), strategy: 'SPREAD' };
}

const failureActions: Readonly<Record<string, UpdateConfig_FailureAction>> = { pause: 'PAUSE', continue: 'CONTINUE', rollback: 'ROLLBACK' };
const orders: Readonly<Record<string, UpdateConfig_Order>> = { 'stop-first': 'STOP_FIRST', 'start-first': 'START_FIRST' };

/** `deploy.update_config` or `deploy.rollback_config`; undefined for jobs, which cannot have one. */
export function updateConfig(ctx: ConvertContext, path: Path, deploy: Record<string, unknown>, key: 'update_config' | 'rollback_config', job: boolean): UpdateConfig | undefined {
  const where = [...path, key];
  if (job) {
    if (deploy[key] !== undefined && deploy[key] !== null) ctx.error(where, `${key} cannot be used with jobs (mode replicated-job or global-job)`);
    return undefined;
  }
  const c = isRecord(deploy[key]) ? deploy[key] : {};
  const actionText = scalarString(c.failure_action ?? 'pause');
  const failureAction = failureActions[actionText];
  if (failureAction === undefined || (key === 'rollback_config' && failureAction === 'ROLLBACK')) {
    ctx.error([...where, 'failure_action'], `invalid failure action ${JSON.stringify(actionText)}: use ${key === 'update_config' ? 'pause, continue or rollback' : 'pause or continue'}`);
  }
  const orderText = scalarString(c.order ?? 'stop-first');
  return {
    parallelism: Number(c.parallelism ?? 1),
    delayMs: durationAt(ctx, [...where, 'delay'], c.delay, 0),
    failureAction: failureAction ?? 'PAUSE',
    monitorMs: durationAt(ctx, [...where, 'monitor'], c.monitor, defaultMonitorMs),
    maxFailureRatio: Number(c.max_failure_ratio ?? 0),
    order: orders[orderText] ?? 'STOP_FIRST',
  };
}
