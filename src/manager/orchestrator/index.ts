// The orchestrators: pure reconcilers from a service and its tasks to actions (DESIGN.md step 4).
export { reconcileService } from './reconcile-service.js';
export type { Action, ActionKind } from './actions.js';
export type { DesiredService, ObservedService, ReconcileDeps } from './reconcile-inputs.js';
export { DEFAULT_TASK_HISTORY_LIMIT } from './reconcile-history.js';
export { DEFAULT_RESTART_DELAY_MS } from './reconcile-restart.js';
export { DEFAULT_UPDATE_CONFIG } from './reconcile-update.js';
export { toStoreActions } from './to-store-actions.js';
export { taskName, containerName } from './task-names.js';
export { affectedServices, type AffectedLookups } from './affected-services.js';
export { unmetDependencies, holdBackCreates, dependentsOf, type DependencyLookups, type UnmetDependency } from './dependencies.js';
