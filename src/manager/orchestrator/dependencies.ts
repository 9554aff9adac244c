// Compose `depends_on`, which Swarm ignores and shoal honours (issue #7): a
// service's tasks are not created until each service it depends on is
// ready: all of its desired tasks running (service_started), also healthy
// when they report health (service_healthy), or all completed
// (service_completed_successfully). Pure: the services and tasks come in.
import type { DependsOn, Service, Task } from '../../gen/index.js';
import type { Action } from './actions.js';
import { isTerminal } from './reconcile-tasks.js';

/** What readiness needs from the store. */
export interface DependencyLookups {
  serviceByName(name: string): Service | undefined;
  tasksOf(serviceId: string): readonly Task[];
}

/** One dependency not ready yet, and why (for logs and `service ps`). */
export interface UnmetDependency {
  readonly service: string;
  readonly reason: string;
}

/**
 * The dependencies of `service` that are not ready. A dependency that does
 * not exist (removed since deploy) holds nothing back: there is nothing left
 * to wait for.
 */
export function unmetDependencies(service: Service, lookups: DependencyLookups): UnmetDependency[] {
  const unmet: UnmetDependency[] = [];
  for (const dep of service.spec?.dependsOn ?? []) {
    const target = lookups.serviceByName(dep.service);
    if (target === undefined) continue;
    const reason = notReadyReason(target, lookups.tasksOf(target.id), dep.condition);
    if (reason !== undefined) unmet.push({ service: dep.service, reason });
  }
  return unmet;
}

/** The actions without task creations while dependencies are unmet; everything else (stopping, cleaning up) goes ahead. */
export function holdBackCreates(actions: readonly Action[], unmet: readonly UnmetDependency[]): Action[] {
  return unmet.length === 0 ? [...actions] : actions.filter((a) => a.kind !== 'create-task');
}

/** IDs of the services that depend on any of `changed` (by ID), to reconcile when those change. */
export function dependentsOf(changed: ReadonlySet<string>, services: readonly Service[]): string[] {
  const names = new Set(services.filter((s) => changed.has(s.id)).map((s) => s.spec?.annotations?.name ?? ''));
  if (names.size === 0) return [];
  return services.filter((s) => (s.spec?.dependsOn ?? []).some((d) => names.has(d.service))).map((s) => s.id);
}

function notReadyReason(target: Service, tasks: readonly Task[], condition: DependsOn['condition']): string | undefined {
  const wanted = tasks.filter((t) => t.desiredState === 'RUNNING' || t.desiredState === 'COMPLETE');
  if (condition === 'SERVICE_COMPLETED_SUCCESSFULLY') {
    const mode = target.spec?.mode;
    const needed = Math.max(1, mode?.kind === 'REPLICATED_JOB' ? mode.totalCompletions || 1 : mode?.kind === 'REPLICATED' ? mode.replicas : 1);
    const completed = tasks.filter((t) => t.status?.state === 'COMPLETE').length;
    const live = wanted.filter((t) => !isTerminal(t)).length;
    return completed >= needed && live === 0 ? undefined : `${completed}/${needed} tasks completed`;
  }
  const mode = target.spec?.mode;
  // A global service wants one task per eligible node: the orchestrator's own count of them.
  const desired = mode?.kind === 'REPLICATED' || mode === undefined ? (mode?.replicas ?? 1) : wanted.length;
  const ready = wanted.filter((t) => t.desiredState === 'RUNNING' && t.status?.state === 'RUNNING' && (condition !== 'SERVICE_HEALTHY' || t.status.health === '' || t.status.health === 'healthy'));
  if (ready.length >= desired) return undefined;
  return `${ready.length}/${desired} tasks ${condition === 'SERVICE_HEALTHY' ? 'running and healthy' : 'running'}`;
}
