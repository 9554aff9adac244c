// What the engine tells us about a task's container, reduced to what the
// controller decides on. The executor produces it; the controller stays pure.

/** Health as Docker reports it; '' when the container has no healthcheck. */
export type ContainerHealth = '' | 'starting' | 'healthy' | 'unhealthy';

/** A task's container as last observed on the engine. */
export type ContainerObservation =
  | { kind: 'missing'; containerId: string }
  | { kind: 'created'; containerId: string }
  | { kind: 'running'; containerId: string; pid: number; health: ContainerHealth }
  | { kind: 'exited'; containerId: string; exitCode: number; error: string; oomKilled: boolean };
