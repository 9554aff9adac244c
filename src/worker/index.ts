// The worker agent: runs this node's tasks on its Docker Engine.
export { connectEngine, describeEngine, type Engine, type EngineSummary } from './engine.js';
export { Agent, type AgentOptions } from './agent.js';
export { systemClock, ManualClock, type Clock, type CancelTimer } from '../common/clock.js';
export { DockerExecutor, type DockerExecutorOptions } from './docker-executor.js';
export type { Executor, ExecutorError, OwnedContainer, ContainerEvent, Subscription, LogOptions, LogLine } from './executor.js';
export { bridgeOnlyAttacher, type NetworkAttacher } from './network-attacher.js';
export { emptyNodeResources, peerKey, type NodeResources } from './node-resources.js';
export { OverlayAttacher, type OverlayAttacherOptions } from './overlay-attacher.js';
export { planNodeOverlay, namedServices, containerIfName, type OverlayPlan, type OverlayPlanInput, type RunningTask } from './overlay-plan.js';
export type { StatusListener } from './status-batcher.js';
export { LABELS, containerName, taskName, containerLabels } from './names.js';
export { containerCreateOptions } from './container-config.js';
export { decide, exitError, type Decision, type DecideInput } from './controller/decide.js';
export type { ContainerObservation, ContainerHealth } from './controller/observation.js';
export { decideRestart, DEFAULT_RESTART_POLICY, type RestartDecision } from './controller/restart-policy.js';
export { advance, isTerminal, wantsStop, stateRank } from './controller/status.js';
export { SANDBOX_LABEL, sandboxName, joinedContainer, isSandbox } from './sandbox.js';
export { ensureSandboxImage, sandboxImageName } from './sandbox-image.js';
