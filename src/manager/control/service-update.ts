// What `UpdateService` writes, as swarmkit's control API does: an update
// keeps the old spec as the previous one and resets the update status (which
// also resumes a paused update); a rollback swaps spec and previous spec and
// starts a rollback; `--rebalance` lists the tasks the planner would move.
// Pure: the handler reads, validates and proposes around it.
import type { ServiceId } from '../../common/ids.js';
import type { MemoryStore } from '../store/index.js';
import type { Service, ServiceSpec } from '../../gen/index.js';
import { RpcError } from '../../rpc/index.js';
import { SchedulerState, planRebalance } from '../../scheduler/index.js';

/** The request, once its spec is known. */
export interface ServiceChange {
  /** The new spec, or undefined for a rollback. */
  spec: ServiceSpec | undefined;
  rollback: boolean;
  force: boolean;
  /** Task IDs `--rebalance` moves (empty: none asked, or nothing to move). */
  rebalanceTaskIds: readonly string[];
  nowMs: number;
}

/** The service to write for `change`; throws a failed-precondition RpcError when there is nothing to roll back to. */
export function updatedService(current: Service, change: ServiceChange): Service {
  const name = current.spec?.annotations?.name ?? current.id;
  if (change.rollback) {
    if (!current.previousSpec) throw new RpcError('failed-precondition', `service ${name} does not have a previous spec to roll back to`);
    // Rolling back twice returns to the update, as in Docker.
    return withSpec(current, current.previousSpec, current.spec, {
      state: 'ROLLBACK_STARTED',
      startedAtMs: change.nowMs,
      completedAtMs: 0,
      message: 'manually requested rollback',
    });
  }
  if (change.spec === undefined) throw new RpcError('invalid-argument', 'a service spec is required');
  const spec = structuredClone(change.spec);
  if (spec.task && change.force) spec.task = { ...spec.task, forceUpdate: (current.spec?.task?.forceUpdate ?? 0) + 1 };
  const next = withSpec(current, spec, current.spec, undefined);
  return {
    ...next,
    forceUpdate: current.forceUpdate + (change.force ? 1 : 0),
    rebalance: change.rebalanceTaskIds.length > 0 ? { taskIds: [...change.rebalanceTaskIds] } : undefined,
  };
}

function withSpec(current: Service, spec: ServiceSpec, previousSpec: ServiceSpec | undefined, updateStatus: Service['updateStatus']): Service {
  return {
    ...current,
    spec,
    previousSpec,
    updateStatus,
    rebalance: undefined,
    endpoint: { spec: spec.endpoint, ports: spec.endpoint?.ports ?? [], virtualIps: current.endpoint?.virtualIps ?? [] },
  };
}

/**
 * The tasks `service update --rebalance` moves: the scheduler's planner over
 * the store as it is now (one read of the cluster per request, never per event).
 */
export function planServiceRebalance(store: MemoryStore, service: Service, nowMs: number): { taskIds: string[]; imbalanceBefore: number; imbalanceAfter: number } {
  const state = SchedulerState.fromSnapshot({ nodes: store.list('node'), tasks: store.listTasks(), services: store.list('service') });
  const plan = planRebalance(state, service.id as ServiceId, { now: nowMs });
  return { taskIds: plan.moves.map((m) => m.taskId), imbalanceBefore: plan.imbalanceBefore, imbalanceAfter: plan.imbalanceAfter };
}
