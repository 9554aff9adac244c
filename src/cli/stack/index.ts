// Public surface of the stack commands' logic: plan a deploy from the
// loaded Compose files and the cluster's objects (pure), apply it through
// the Control API, and remove a stack (README.md in this folder).
export { listFilter, readCluster, type StackControl } from './control.js';
export { planDeploy, withObjectIds, MAX_DATA_BYTES, type ClusterView, type DataObjectCheck, type DeployPlan, type DeployPlanResult, type DeployStep } from './deploy-plan.js';
export { checkDataObjects, prepareDeploy } from './deploy-check.js';
export { applyDeploy, type DeployedService } from './deploy-apply.js';
export { planRemove, applyRemove, type Removal } from './remove.js';
export { waitForStackGone, waitForServicesRunning, type WaitOptions } from './wait.js';
export { composeFiles, readHostFile, readStdinText } from './compose-input.js';
export { goBooleanFlags } from './go-bool.js';
