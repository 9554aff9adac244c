// The scheduler's public surface: the manager feeds a SchedulerState from
// store events and asks it for plans; the Control API validates placements.
export { schedule, schedulePending, type PassOptions, type Snapshot } from './schedule.js';
export { SchedulerState, FAILURE_THRESHOLD, FAILURE_WINDOW_MS } from './state.js';
export type { Assignment, Plan, Unplaceable } from './plan.js';
export {
  parseConstraint, parsePreference, validatePlacement, CONSTRAINT_FORMS, PREFERENCE_FORMS,
  type Constraint, type SpreadPreference, type ParsedPlacement, type PlacementError,
} from './constraint.js';
export { reconcileGlobal, type GlobalPlan } from './global.js';
export { planRebalance, type Move, type RebalancePlan } from './rebalance.js';
export { nodeSatisfiesPlacement } from './eligibility.js';
