// The rolling updater (Docker's --update-*): replaces dirty slots,
// `parallelism` at a time, `delay` apart, stop-first or start-first, and
// records progress in Service.updateStatus. Issue 7 adds monitor, failure
// action and rollback; they fit here as more UpdateStatus states.
import type { Service, UpdateConfig, UpdateStatus } from '../../gen/index.js';
import type { Action } from './actions.js';
import { type SlotContext, type SlotPlace, type SlotStatus, create } from './reconcile-slot.js';
import { changedAtMs, setDesired } from './reconcile-tasks.js';

/** A slot as the updater sees it. */
export interface UpdatableSlot {
  place: SlotPlace;
  status: SlotStatus;
}

/** Docker's defaults when the service gives no update config. */
export const DEFAULT_UPDATE_CONFIG: UpdateConfig = { parallelism: 1, delayMs: 0, failureAction: 'PAUSE', monitorMs: 5_000, maxFailureRatio: 0, order: 'STOP_FIRST' };

/** The update (or rollback) step of one pass, given the slots after their own reconciliation. */
export function reconcileUpdate(slots: readonly UpdatableSlot[], ctx: SlotContext): Action[] {
  const { service, nowMs } = ctx;
  const status = service.updateStatus;
  const rollingBack = status?.state === 'ROLLBACK_STARTED';
  const config = (rollingBack ? service.spec?.rollback : service.spec?.update) ?? DEFAULT_UPDATE_CONFIG;
  const dirty = slots.filter((s) => s.status.kind === 'dirty');
  const inFlight = slots.filter((s) => s.status.kind === 'starting' || s.status.kind === 'stopping').length;
  const actions: Action[] = [];

  const paused = status?.state === 'PAUSED' || status?.state === 'ROLLBACK_PAUSED';
  if (paused) return actions;
  const running = status?.state === 'UPDATING' || rollingBack;
  if (dirty.length === 0) {
    if (running && inFlight === 0) {
      const done = rollingBack ? 'ROLLBACK_COMPLETED' : 'COMPLETED';
      actions.push(updateStatus(service, { ...startedOf(status), state: done, completedAtMs: nowMs, message: rollingBack ? 'rollback completed' : 'update completed' }));
    }
    return actions;
  }
  const startedAtMs = running ? (status?.startedAtMs ?? nowMs) : nowMs;
  if (!running) actions.push(updateStatus(service, { state: 'UPDATING', startedAtMs, completedAtMs: 0, message: 'update in progress' }));

  // The delay runs from when the last slot this update replaced came up.
  const replaced = slots.flatMap((s) => (s.status.kind === 'settled' && (s.status.task.meta?.createdAtMs ?? 0) >= startedAtMs ? [s.status.task] : []));
  const lastUpAtMs = replaced.reduce((latest, task) => Math.max(latest, changedAtMs(task)), -Infinity); // no spread: 100k slots
  if (config.delayMs > 0 && replaced.length > 0 && nowMs < lastUpAtMs + config.delayMs) {
    actions.push({ kind: 'wake-at', atMs: lastUpAtMs + config.delayMs, reason: 'update delay' });
    return actions;
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
  return actions;
}

function startedOf(status: UpdateStatus | undefined): Pick<UpdateStatus, 'startedAtMs'> {
  return { startedAtMs: status?.startedAtMs ?? 0 };
}

function updateStatus(service: Service, status: UpdateStatus): Action {
  return { kind: 'update-service', service: { ...service, updateStatus: status } };
}
