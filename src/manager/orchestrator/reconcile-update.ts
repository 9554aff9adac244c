// The rolling updater (Docker's --update-* and --rollback-*): replaces dirty
// slots `parallelism` at a time, `delay` apart, stop-first or start-first;
// watches every task it started for `monitor` after it first ran; on too many
// failures (max_failure_ratio) pauses, continues or rolls back; completes one
// monitor window after the last task came up. Progress lives in
// Service.updateStatus, so a new leader picks the update up where it was.
// Pure: time comes in as ctx.nowMs, and waits go out as wake-at actions.
import type { Service, Task, UpdateConfig, UpdateStatus } from '../../gen/index.js';
import type { Action } from './actions.js';
import { type SlotContext, type SlotPlace, type SlotStatus, create } from './reconcile-slot.js';
import { byAge, changedAtMs, isDirty, setDesired } from './reconcile-tasks.js';

/** A slot as the updater sees it. */
export interface UpdatableSlot {
  place: SlotPlace;
  status: SlotStatus;
}

/** What the updater wants this pass; `abandonsSpec`: the service's spec is being rolled back, so no task of it may be created now. */
export interface UpdateOutcome {
  actions: Action[];
  abandonsSpec: boolean;
}

/** Docker's defaults when the service gives no update config. */
export const DEFAULT_UPDATE_CONFIG: UpdateConfig = { parallelism: 1, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5_000, maxFailureRatio: 0, order: 'STOP_FIRST' };

/** Docker's words for why an update stopped (swarmkit's updater). */
export const failureMessage = {
  paused: (taskId: string) => `update paused due to failure or early termination of task ${taskId}`,
  rolledBack: (taskId: string) => `update rolled back due to failure or early termination of task ${taskId}`,
  rollbackPaused: (taskId: string) => `rollback paused due to failure or early termination of task ${taskId}`,
};

/** The update (or rollback) step of one pass, given the slots after their own reconciliation and all of the service's tasks. */
export function reconcileUpdate(slots: readonly UpdatableSlot[], tasks: readonly Task[], ctx: SlotContext): UpdateOutcome {
  const { service, nowMs } = ctx;
  const status = service.updateStatus;
  const state = status?.state ?? 'UNKNOWN';
  const none: UpdateOutcome = { actions: [], abandonsSpec: false };
  // A paused update replaces nothing until the user updates the service again (restarts still happen).
  if (state === 'PAUSED' || state === 'ROLLBACK_PAUSED') return none;
  const rollingBack = state === 'ROLLBACK_STARTED';
  const config = (rollingBack ? service.spec?.rollback : service.spec?.update) ?? DEFAULT_UPDATE_CONFIG;
  const dirty = slots.filter((s) => s.status.kind === 'dirty');
  const inFlight = slots.filter((s) => s.status.kind === 'starting' || s.status.kind === 'stopping').length;
  const actions: Action[] = [];

  const inProgress = state === 'UPDATING' || rollingBack;
  if (!inProgress && dirty.length === 0) return none;
  const startedAtMs = inProgress ? (status?.startedAtMs ?? nowMs) : nowMs;
  if (!inProgress) {
    actions.push(withStatus(service, { state: 'UPDATING', startedAtMs, completedAtMs: 0, message: 'update in progress' }));
  } else {
    const failed = failuresOf(tasks, service, startedAtMs, config);
    if (failed.length > 0 && failed.length / Math.max(1, slots.length) > config.maxFailureRatio) return onFailure(service, config, rollingBack, failed[0]!, nowMs);
  }

  // Tasks this update started that came up, and when the last of them did.
  const upAt = slots.flatMap((s) => (s.status.kind === 'settled' && (s.status.task.meta?.createdAtMs ?? 0) >= startedAtMs ? [ranSince(s.status.task)] : []));
  const lastUpAtMs = upAt.reduce((latest, at) => Math.max(latest, at), -Infinity); // no spread: 100k slots

  if (dirty.length === 0) {
    if (inFlight > 0) return { actions, abandonsSpec: false };
    // Watch the last batch for one monitor window before calling it done, as Docker does.
    if (upAt.length > 0 && nowMs < lastUpAtMs + config.monitorMs) {
      actions.push({ kind: 'wake-at', atMs: lastUpAtMs + config.monitorMs, reason: 'update monitor' });
      return { actions, abandonsSpec: false };
    }
    const done = rollingBack ? 'ROLLBACK_COMPLETED' : 'COMPLETED';
    actions.push({ kind: 'update-service', service: { ...service, rebalance: undefined, updateStatus: { startedAtMs, state: done, completedAtMs: nowMs, message: rollingBack ? 'rollback completed' : 'update completed' } } });
    return { actions, abandonsSpec: false };
  }

  // The delay runs from when the last slot this update replaced came up.
  if (config.delayMs > 0 && upAt.length > 0 && nowMs < lastUpAtMs + config.delayMs) {
    actions.push({ kind: 'wake-at', atMs: lastUpAtMs + config.delayMs, reason: 'update delay' });
    return { actions, abandonsSpec: false };
  }
  const budget = config.parallelism === 0 ? dirty.length : Math.max(0, config.parallelism - inFlight);
  for (const slot of dirty.slice(0, budget)) {
    if (slot.status.kind !== 'dirty') continue;
    const { task, live } = slot.status;
    if (!live) {
      // The old task already ended (restart policy let it): just replace it.
      actions.push(setDesired(task, 'SHUTDOWN'), create(slot.place, ctx));
    } else if (config.order === 'START_FIRST') {
      actions.push(create(slot.place, ctx)); // the old one goes once this runs
    } else {
      actions.push(setDesired(task, 'SHUTDOWN')); // the new one starts once this stopped
    }
  }
  return { actions, abandonsSpec: false };
}

/**
 * Tasks of the current spec that this update started and that ended on their
 * own (failed, rejected, or exited) before they had run for `monitor`; a task
 * that never ran always counts. Oldest failure first.
 */
function failuresOf(tasks: readonly Task[], service: Service, startedAtMs: number, config: UpdateConfig): Task[] {
  if (config.failureAction === 'CONTINUE') return [];
  const failed = tasks.filter((t) => {
    const state = t.status?.state;
    if (state !== 'FAILED' && state !== 'REJECTED' && state !== 'COMPLETE') return false;
    if ((t.meta?.createdAtMs ?? 0) < startedAtMs || isDirty(t, service)) return false;
    if (t.runningSinceMs === undefined) return true;
    return (t.endedAtMs ?? changedAtMs(t)) - t.runningSinceMs <= config.monitorMs;
  });
  return failed.sort((a, b) => (a.endedAtMs ?? 0) - (b.endedAtMs ?? 0) || byAge(a, b));
}

/** The failure action: pause, or roll back to the previous spec (a rollback that fails pauses; it never rolls back itself). */
function onFailure(service: Service, config: UpdateConfig, rollingBack: boolean, failed: Task, nowMs: number): UpdateOutcome {
  const startedAtMs = service.updateStatus?.startedAtMs ?? nowMs;
  if (rollingBack) return { actions: [withStatus(service, { state: 'ROLLBACK_PAUSED', startedAtMs, completedAtMs: 0, message: failureMessage.rollbackPaused(failed.id) })], abandonsSpec: false };
  const previous = service.previousSpec;
  if (config.failureAction !== 'ROLLBACK' || previous === undefined) {
    const why = config.failureAction === 'ROLLBACK' ? '; there is no previous spec to roll back to' : '';
    return { actions: [withStatus(service, { state: 'PAUSED', startedAtMs, completedAtMs: 0, message: failureMessage.paused(failed.id) + why })], abandonsSpec: false };
  }
  // As swarmkit: the previous spec becomes the spec, and there is no previous one after it.
  const rolledBack: Service = {
    ...service,
    spec: previous,
    previousSpec: undefined,
    rebalance: undefined,
    endpoint: { ...service.endpoint, spec: previous.endpoint, ports: previous.endpoint?.ports ?? [], virtualIps: service.endpoint?.virtualIps ?? [] },
    updateStatus: { state: 'ROLLBACK_STARTED', startedAtMs: nowMs, completedAtMs: 0, message: failureMessage.rolledBack(failed.id) },
  };
  return { actions: [{ kind: 'update-service', service: rolledBack }], abandonsSpec: true };
}

/** When a task first ran (the store's stamp; its last change for tasks stored before the stamp existed). */
function ranSince(task: Task): number {
  return task.runningSinceMs ?? changedAtMs(task);
}

function withStatus(service: Service, status: UpdateStatus): Action {
  return { kind: 'update-service', service: { ...service, updateStatus: status } };
}
