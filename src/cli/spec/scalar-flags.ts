import {
  codec,
  type ContainerSpec,
  type EndpointSpec_Mode,
  type Placement_Strategy,
  type Resources,
  type RestartPolicy_Condition,
  type ServiceSpec,
  type TaskSpec,
  type UpdateConfig,
  type UpdateConfig_FailureAction,
  type UpdateConfig_Order,
} from '../../gen/index.js';
import { usageError } from '../errors.js';
import { bytesFlag, nanoCpusFlag } from './bytes.js';
import { parseHealthFlags } from './health.js';
import { durationFlagMs } from './duration.js';
import { invalidFlag } from './flag-error.js';
import { kvToMap } from './kv.js';
import { ratioFlag, uintFlag } from './numbers.js';
import { shellWords } from './container-opts.js';
import type { ServiceFlags } from './service-flags.js';

/** Docker's defaults for update and rollback (swarmkit api/defaults). */
export const DEFAULT_UPDATE_CONFIG: Readonly<UpdateConfig> = { parallelism: 1, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5000, maxFailureRatio: 0, order: 'STOP_FIRST' };
/** Docker's default restart policy: always, 5s apart, no limit. */
export const DEFAULT_RESTART_DELAY_MS = 5000;
/** Docker's default stop grace period. */
export const DEFAULT_STOP_GRACE_PERIOD_MS = 10_000;

function choice<T extends string>(flag: string, value: string, options: Record<string, T>): T {
  const v = options[value.trim().toLowerCase()];
  if (v === undefined) throw invalidFlag(flag, value, `must be one of ${Object.keys(options).map((o) => `"${o}"`).join(', ')}`);
  return v;
}

const RESTART: Record<string, RestartPolicy_Condition> = { none: 'NONE', 'on-failure': 'ON_FAILURE', any: 'ANY' };
const UPDATE_FAILURE: Record<string, UpdateConfig_FailureAction> = { pause: 'PAUSE', continue: 'CONTINUE', rollback: 'ROLLBACK' };
const ROLLBACK_FAILURE: Record<string, UpdateConfig_FailureAction> = { pause: 'PAUSE', continue: 'CONTINUE' };
const ORDER: Record<string, UpdateConfig_Order> = { 'start-first': 'START_FIRST', 'stop-first': 'STOP_FIRST' };
const ENDPOINT: Record<string, EndpointSpec_Mode> = { vip: 'VIP', dnsrr: 'DNSRR' };
const STRATEGY: Record<string, Placement_Strategy> = { spread: 'SPREAD', binpack: 'BINPACK', random: 'RANDOM' };

/** The task spec of a spec, with every nested message present, for in-place edits. */
export function ensureTask(spec: ServiceSpec): TaskSpec & { container: ContainerSpec } {
  spec.task ??= codec.TaskSpec.fromPartial({});
  const task = spec.task;
  task.container ??= codec.ContainerSpec.fromPartial({});
  return task as TaskSpec & { container: ContainerSpec };
}

/** Whether any of the update-config (or rollback-config) flags was given. */
export function hasUpdateFlags(flags: ServiceFlags, kind: 'update' | 'rollback'): boolean {
  const names = ['Parallelism', 'Delay', 'FailureAction', 'Monitor', 'MaxFailureRatio', 'Order'] as const;
  return names.some((n) => flags[`${kind}${n}`] !== undefined);
}

function applyUpdateConfig(current: UpdateConfig | undefined, flags: ServiceFlags, kind: 'update' | 'rollback'): UpdateConfig | undefined {
  if (!hasUpdateFlags(flags, kind)) return current;
  const cfg: UpdateConfig = { ...(current ?? DEFAULT_UPDATE_CONFIG) };
  const f = (n: 'Parallelism' | 'Delay' | 'FailureAction' | 'Monitor' | 'MaxFailureRatio' | 'Order'): string | undefined => flags[`${kind}${n}`];
  const name = (n: string): string => `${kind}-${n}`;
  const parallelism = f('Parallelism');
  if (parallelism !== undefined) cfg.parallelism = uintFlag(name('parallelism'), parallelism);
  const delay = f('Delay');
  if (delay !== undefined) cfg.delayMs = durationFlagMs(name('delay'), delay);
  const action = f('FailureAction');
  if (action !== undefined) cfg.failureAction = choice(name('failure-action'), action, kind === 'update' ? UPDATE_FAILURE : ROLLBACK_FAILURE);
  const monitor = f('Monitor');
  if (monitor !== undefined) cfg.monitorMs = durationFlagMs(name('monitor'), monitor);
  const ratio = f('MaxFailureRatio');
  if (ratio !== undefined) cfg.maxFailureRatio = ratioFlag(name('max-failure-ratio'), ratio);
  const order = f('Order');
  if (order !== undefined) cfg.order = choice(name('order'), order, ORDER);
  return cfg;
}

function resources(current: Resources | undefined): Resources {
  return current ?? codec.Resources.fromPartial({});
}

/**
 * Applies every flag that sets one value (resources, restart, update and
 * rollback config, health, endpoint mode, container scalars, placement
 * strategy, log driver) onto `spec` in place. Shared by create and update, so
 * both accept the same values with the same messages.
 */
export function applyScalarFlags(spec: ServiceSpec, flags: ServiceFlags): void {
  const task = ensureTask(spec);
  const c = task.container;

  // Resources.
  if (flags.limitCpu !== undefined || flags.limitMemory !== undefined || flags.reserveCpu !== undefined || flags.reserveMemory !== undefined) {
    task.resources ??= codec.ResourceRequirements.fromPartial({});
    const r = task.resources;
    if (flags.limitCpu !== undefined) (r.limits = resources(r.limits)).nanoCpus = nanoCpusFlag('limit-cpu', flags.limitCpu);
    if (flags.limitMemory !== undefined) (r.limits = resources(r.limits)).memoryBytes = bytesFlag('limit-memory', flags.limitMemory);
    if (flags.reserveCpu !== undefined) (r.reservations = resources(r.reservations)).nanoCpus = nanoCpusFlag('reserve-cpu', flags.reserveCpu);
    if (flags.reserveMemory !== undefined) (r.reservations = resources(r.reservations)).memoryBytes = bytesFlag('reserve-memory', flags.reserveMemory);
  }

  // Restart policy.
  if (flags.restartCondition !== undefined || flags.restartDelay !== undefined || flags.restartMaxAttempts !== undefined || flags.restartWindow !== undefined) {
    task.restart ??= codec.RestartPolicy.fromPartial({ condition: 'ANY', delayMs: DEFAULT_RESTART_DELAY_MS });
    const rp = task.restart;
    if (flags.restartCondition !== undefined) rp.condition = choice('restart-condition', flags.restartCondition, RESTART);
    if (flags.restartDelay !== undefined) rp.delayMs = durationFlagMs('restart-delay', flags.restartDelay);
    if (flags.restartMaxAttempts !== undefined) rp.maxAttempts = uintFlag('restart-max-attempts', flags.restartMaxAttempts);
    if (flags.restartWindow !== undefined) rp.windowMs = durationFlagMs('restart-window', flags.restartWindow);
  }

  const jobs = spec.mode?.kind === 'REPLICATED_JOB' || spec.mode?.kind === 'GLOBAL_JOB';
  if (jobs && (hasUpdateFlags(flags, 'update') || hasUpdateFlags(flags, 'rollback'))) {
    throw usageError('update and rollback configuration is not supported for jobs; remove the --update-* and --rollback-* flags');
  }
  spec.update = applyUpdateConfig(spec.update, flags, 'update');
  spec.rollback = applyUpdateConfig(spec.rollback, flags, 'rollback');

  const health = parseHealthFlags(flags, c.healthcheck);
  if (health !== undefined) c.healthcheck = health;

  if (flags.endpointMode !== undefined) {
    spec.endpoint ??= codec.EndpointSpec.fromPartial({});
    spec.endpoint.mode = choice('endpoint-mode', flags.endpointMode, ENDPOINT);
  }

  if (flags.workdir !== undefined) c.dir = flags.workdir;
  if (flags.user !== undefined) c.user = flags.user;
  if (flags.hostname !== undefined) c.hostname = flags.hostname;
  if (flags.entrypoint !== undefined) {
    c.command = shellWords('entrypoint', flags.entrypoint);
    c.hasEntrypoint = c.command.length > 0;
  }
  if (flags.stopGracePeriod !== undefined) c.stopGracePeriodMs = durationFlagMs('stop-grace-period', flags.stopGracePeriod);
  if (flags.stopSignal !== undefined) c.stopSignal = flags.stopSignal;
  if (flags.init !== undefined) c.init = flags.init;
  if (flags.tty !== undefined) c.tty = flags.tty;
  if (flags.readOnly !== undefined) c.readOnly = flags.readOnly;

  if (flags.replicasMaxPerNode !== undefined || flags.placementStrategy !== undefined) {
    task.placement ??= codec.Placement.fromPartial({});
    if (flags.replicasMaxPerNode !== undefined) task.placement.maxReplicas = uintFlag('replicas-max-per-node', flags.replicasMaxPerNode);
    if (flags.placementStrategy !== undefined) task.placement.strategy = choice('placement-strategy', flags.placementStrategy, STRATEGY);
  }

  if (flags.logDriver !== undefined && flags.logDriver !== '') {
    task.logDriver = codec.LogDriver.fromPartial({ name: flags.logDriver, options: kvToMap('log-opt', flags.logOpt ?? []) });
  } else if (flags.logOpt !== undefined && flags.logOpt.length > 0) {
    if (task.logDriver === undefined) throw usageError('--log-opt needs --log-driver; name the logging driver the options are for');
    task.logDriver.options = { ...task.logDriver.options, ...kvToMap('log-opt', flags.logOpt) };
  }
}

