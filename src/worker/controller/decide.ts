// The task controller's pure core: from a task's status, its desired state and
// what the engine shows, the one next step. The shell (task-runner.ts) does the
// step and calls again, until the answer is 'wait'. Mirrors swarmkit's
// exec.Do, without its clock and I/O inside.
import type { RestartPolicy, TaskStatus, TaskStatus_State } from '../../gen/index.js';
import type { ContainerObservation } from './observation.js';
import { decideRestart } from './restart-policy.js';
import { isAfter, isTerminal, wantsStop } from '../../common/task-state.js';
import { advance } from './status.js';

/** Everything one decision depends on. */
export interface DecideInput {
  status: TaskStatus;
  desired: TaskStatus_State;
  /** Undefined until the task has a container. */
  container: ContainerObservation | undefined;
  nowMs: number;
  managersReachable: boolean;
  restartPolicy: RestartPolicy;
  /** When the agent restarted this task's container locally before. */
  restartsAtMs: readonly number[];
  /** Set while a local restart waits for its delay. */
  restartDueAtMs: number | undefined;
}

/** The next step for one task. */
export type Decision =
  /** Record this status (no I/O besides persisting and reporting it), then decide again. */
  | { kind: 'transition'; status: TaskStatus }
  /** Make sure the image is there and create the container. */
  | { kind: 'prepare' }
  /** Start the created container. */
  | { kind: 'start' }
  /** Stop the running container with the task's grace period. */
  | { kind: 'stop' }
  /** The container exited while the managers are away: restart it at `atMs`. */
  | { kind: 'schedule-restart'; atMs: number }
  /** The restart delay has passed: start the exited container again. */
  | { kind: 'restart' }
  /** Nothing to do until the engine, the clock or the managers say something new. */
  | { kind: 'wait' };

/** Swarmkit's wording for a non-zero exit, which `service ps` shows in ERROR. */
export function exitError(exitCode: number): string {
  return `task: non-zero exit (${exitCode})`;
}

/** The next step for a task (see Decision). */
export function decide(input: DecideInput): Decision {
  const { status, desired, container, nowMs } = input;
  const transition = (state: TaskStatus_State, patch: Parameters<typeof advance>[3]): Decision => {
    const next = advance(status, state, nowMs, patch);
    return next === status ? { kind: 'wait' } : { kind: 'transition', status: next };
  };

  if (isTerminal(status.state)) return container?.kind === 'running' ? { kind: 'stop' } : { kind: 'wait' };

  if (wantsStop(desired)) {
    if (container?.kind === 'running') return { kind: 'stop' };
    const exitCode = container?.kind === 'exited' ? container.exitCode : status.exitCode;
    return transition('SHUTDOWN', { message: 'shutdown', exitCode, pid: 0 });
  }

  if (isAfter('ACCEPTED', status.state)) return transition('ACCEPTED', { message: 'accepted' });
  if (status.state === 'ACCEPTED') return transition('PREPARING', { message: 'preparing' });
  if (status.state === 'PREPARING') {
    if (container === undefined || container.kind === 'missing') return { kind: 'prepare' };
    return transition('STARTING', { message: 'starting', containerId: container.containerId });
  }

  // STARTING or RUNNING from here on.
  if (container === undefined || container.kind === 'missing') {
    return transition('FAILED', { err: 'container was removed from the engine', pid: 0 });
  }
  switch (container.kind) {
    case 'created':
      return { kind: 'start' };
    case 'running':
      switch (container.health) {
        case 'starting':
          // A task with a healthcheck runs for the orchestrator only once healthy.
          return transition(status.state, { health: 'starting', pid: container.pid });
        case 'unhealthy':
          // With no orchestrator to replace it, an unhealthy container is stopped and then
          // restarted like any exited one (restart policy permitting).
          if (!input.managersReachable) return { kind: 'stop' };
          // Docker's executor words it so (ErrContainerUnhealthy).
          return transition('FAILED', { err: 'unhealthy container', health: 'unhealthy', pid: container.pid });
        case '':
        case 'healthy':
          return transition('RUNNING', { message: 'started', health: container.health, pid: container.pid });
      }
      break;
    case 'exited':
      return decideExited(input, container, transition);
  }
  return { kind: 'wait' };
}

function decideExited(
  input: DecideInput,
  container: Extract<ContainerObservation, { kind: 'exited' }>,
  transition: (state: TaskStatus_State, patch: Parameters<typeof advance>[3]) => Decision,
): Decision {
  const { nowMs } = input;
  if (!input.managersReachable) {
    if (input.restartDueAtMs !== undefined) return nowMs >= input.restartDueAtMs ? { kind: 'restart' } : { kind: 'wait' };
    const restart = decideRestart(input.restartPolicy, container.exitCode, input.restartsAtMs, nowMs);
    if (restart.restart) return { kind: 'schedule-restart', atMs: restart.atMs };
  }
  if (container.exitCode === 0 && container.error === '') return transition('COMPLETE', { message: 'finished', exitCode: 0, pid: 0 });
  const err = container.error !== '' ? container.error : exitError(container.exitCode);
  return transition('FAILED', { err, exitCode: container.exitCode, pid: 0 });
}
