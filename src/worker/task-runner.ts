// The imperative shell around the pure controller for one task: observe the
// container, ask decide() for the next step, do it, repeat until it says wait.
// Runs are serialized per task; engine events, timers and new assignments
// only "kick" the runner, so no two steps of one task ever interleave. The
// task's secret and config files are its steps too: written before the
// container is created (and before a local restart), released as soon as the
// container is seen stopped or gone (task-files.ts).
import type { Logger } from '../common/log.js';
import { err, type Result } from '../common/result.js';
import type { RestartPolicy, Task, TaskStatus } from '../gen/index.js';
import type { CancelTimer, Clock } from '../common/clock.js';
import { decide, type Decision } from './controller/decide.js';
import type { ContainerObservation } from './controller/observation.js';
import { DEFAULT_RESTART_POLICY } from './controller/restart-policy.js';
import { isAfter, isTerminal } from '../common/task-state.js';
import { advance, initialStatus } from './controller/status.js';
import type { Executor, ExecutorError } from './executor.js';
import type { TaskFiles } from './task-files.js';

/** Steps one run may take before it yields; a task needs about ten to reach RUNNING. */
const MAX_STEPS_PER_RUN = 64;
/** Local restarts remembered per task (max attempts beyond this are not meaningful). */
const MAX_RESTARTS_REMEMBERED = 1_000;
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/** What a runner needs from its agent. */
export interface TaskRunnerDeps {
  executor: Executor;
  /** The node's secret and config files, prepared and released by the runner. */
  files: TaskFiles;
  clock: Clock;
  logger: Logger;
  managersReachable(): boolean;
  /** Persists and reports a status the task reached. */
  saveStatus(task: Task, status: TaskStatus): Promise<void>;
  /** The task left the assignments and its container is gone: drop it from the agent and its database. */
  forget(taskId: string): Promise<void>;
}

type Removal = 'none' | 'remove-container' | 'forget';

/** Drives one task through its states on the engine. */
export class TaskRunner {
  private currentTask: Task;
  private currentStatus: TaskStatus;
  private removal: Removal = 'none';
  private containerRemoved = false;
  private readonly restartsAtMs: number[] = [];
  private restartDueAtMs: number | undefined;
  private retryAttempt = 0;
  private cancelTimer: CancelTimer | undefined;
  private run: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** What the last step observed, reusable by the next one when that step only recorded a status. */
  private lastObserved: ContainerObservation | undefined;
  private lastObservedValid = false;

  constructor(task: Task, status: TaskStatus | undefined, private readonly deps: TaskRunnerDeps) {
    this.currentTask = task;
    this.currentStatus = status ?? task.status ?? initialStatus('ASSIGNED', deps.clock.nowMs());
  }

  /** The task as last assigned. */
  get task(): Task {
    return this.currentTask;
  }

  /** The status this node has reached for the task. */
  get status(): TaskStatus {
    return this.currentStatus;
  }

  /** Takes a newer assignment of the same task (desired state, spec). */
  update(task: Task): void {
    this.currentTask = task;
    // A manager never moves a task forward on our behalf except to terminate it; honour that.
    if (task.status !== undefined && isAfter(task.status.state, this.currentStatus.state)) {
      this.currentStatus = { ...task.status, containerId: task.status.containerId || this.currentStatus.containerId };
    }
    // Assigned again before it was forgotten: keep the task (and whatever state it reached).
    if (this.removal === 'forget') this.removal = 'none';
    if (task.desiredState === 'REMOVE' && this.removal === 'none') this.removal = 'remove-container';
    this.kick();
  }

  /** Adopts a container found on the engine for this task (after a crash before it was recorded). */
  adoptContainer(containerId: string): void {
    if (this.currentStatus.containerId === '') this.currentStatus = { ...this.currentStatus, containerId };
  }

  /** The task is no longer assigned here: stop it, remove its container, forget it. */
  drop(): void {
    this.removal = 'forget';
    this.kick();
  }

  /** Something may have changed: run the controller (again) soon. */
  kick(): void {
    if (this.closed) return;
    if (this.run !== undefined) {
      this.again = true;
      return;
    }
    this.run = this.loop().finally(() => {
      this.run = undefined;
    });
  }

  /** Resolves when no run is in flight. */
  async idle(): Promise<void> {
    while (this.run !== undefined) await this.run;
  }

  /** Stops all timers and runs; the container is left as it is (live-restore). */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.idle();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      // A new run was asked for (an engine event, a timer, an assignment): look again.
      this.lastObservedValid = false;
      for (let steps = 0; ; steps++) {
        if (this.closed) return;
        if (steps >= MAX_STEPS_PER_RUN) {
          this.deps.logger.error({ taskId: this.currentTask.id, status: this.currentStatus }, 'task controller did not settle; retrying later');
          this.armTimer(RETRY_MAX_MS);
          return;
        }
        if ((await this.step()) === 'idle') break;
      }
    } while (this.again);
  }

  private async step(): Promise<'again' | 'idle'> {
    const { executor, clock } = this.deps;
    const observed = this.lastObservedValid ? { ok: true as const, value: this.lastObserved } : await this.observe();
    this.lastObservedValid = false;
    if (!observed.ok) return this.retryLater('inspect', observed.error);
    const nowMs = clock.nowMs();
    const decision: Decision = decide({
      status: this.currentStatus,
      desired: this.removal === 'none' ? this.currentTask.desiredState : 'REMOVE',
      container: observed.value,
      nowMs,
      managersReachable: this.deps.managersReachable(),
      restartPolicy: this.restartPolicy(),
      restartsAtMs: this.restartsAtMs,
      restartDueAtMs: this.restartDueAtMs,
    });
    const containerId = this.currentStatus.containerId;
    switch (decision.kind) {
      case 'transition':
        await this.setStatus(decision.status);
        // Recording a status does not touch the engine, so the next step
        // decides on the same observation instead of inspecting again (an
        // engine event meanwhile sets `again`, and the next run looks anew).
        this.lastObserved = observed.value;
        this.lastObservedValid = true;
        return 'again';
      case 'prepare': {
        const prepared = await this.prepare();
        if (!prepared.ok) {
          if (prepared.error.transient) return this.retryLater('prepare', prepared.error);
          await this.setStatus(advance(this.currentStatus, 'REJECTED', clock.nowMs(), { err: prepared.error.message }));
          return 'again';
        }
        this.containerRemoved = false;
        await this.setStatus(advance(this.currentStatus, 'PREPARING', clock.nowMs(), { containerId: prepared.value.containerId }));
        return 'again';
      }
      case 'start':
      case 'restart': {
        if (decision.kind === 'restart') this.noteRestart(nowMs);
        const started = await this.start(containerId);
        if (!started.ok) {
          if (started.error.transient) return this.retryLater('start', started.error);
          await this.setStatus(advance(this.currentStatus, 'FAILED', clock.nowMs(), { err: started.error.message }));
        }
        return 'again';
      }
      case 'stop': {
        const stopped = await executor.stop(containerId, this.currentTask.spec?.container?.stopGracePeriodMs ?? 0);
        // A container that won't stop is retried whatever the engine said.
        if (!stopped.ok) return this.retryLater('stop', stopped.error);
        return 'again';
      }
      case 'schedule-restart':
        this.restartDueAtMs = decision.atMs;
        this.deps.logger.info({ taskId: this.currentTask.id, inMs: decision.atMs - nowMs }, 'container exited while the managers are unreachable; restarting it locally');
        this.armTimer(decision.atMs - nowMs);
        return 'idle';
      case 'wait':
        return this.settle(nowMs);
    }
  }

  // Nothing more to do for the controller: arm a pending restart's timer, or
  // finish a removal.
  private async settle(nowMs: number): Promise<'again' | 'idle'> {
    this.retryAttempt = 0;
    if (this.restartDueAtMs !== undefined && !isTerminal(this.currentStatus.state)) {
      if (this.cancelTimer === undefined) this.armTimer(Math.max(0, this.restartDueAtMs - nowMs));
      return 'idle';
    }
    if (this.removal === 'none') return 'idle';
    if (this.currentStatus.containerId !== '' && !this.containerRemoved) {
      const removed = await this.deps.executor.remove(this.currentStatus.containerId);
      if (!removed.ok) return this.retryLater('remove', removed.error);
      this.containerRemoved = true;
      this.deps.files.release(this.currentTask.nodeId, this.currentTask.id);
    }
    if (this.removal === 'forget') {
      this.closed = true;
      await this.deps.forget(this.currentTask.id);
    }
    return 'idle';
  }

  private async observe(): Promise<{ ok: true; value: ContainerObservation | undefined } | { ok: false; error: ExecutorError }> {
    const containerId = this.currentStatus.containerId;
    if (containerId === '') return { ok: true, value: undefined };
    if (this.containerRemoved) return { ok: true, value: { kind: 'missing', containerId } };
    const observed = await this.deps.executor.inspect(containerId);
    // Secrets leave the node's memory as soon as the container that used them has stopped or gone.
    if (observed.ok && observed.value.kind === 'exited') this.deps.files.releaseOnStop(this.currentTask);
    if (observed.ok && observed.value.kind === 'missing') this.deps.files.release(this.currentTask.nodeId, this.currentTask.id);
    return observed;
  }

  /** The task's files, then its container; a task refused a container keeps no file. */
  private async prepare(): Promise<Result<{ containerId: string }, ExecutorError>> {
    const task = this.currentTask;
    const files = await this.deps.files.prepare(task);
    if (!files.ok) return err({ message: files.error, transient: false });
    const prepared = await this.deps.executor.prepare(task, files.value);
    if (!prepared.ok) this.deps.files.release(task.nodeId, task.id);
    return prepared;
  }

  /** Files released when the container stopped come back before it starts again (a local restart). */
  private async start(containerId: string): Promise<Result<void, ExecutorError>> {
    const restored = await this.deps.files.restore(this.currentTask);
    if (!restored.ok) return err({ message: restored.error, transient: false });
    return this.deps.executor.start(containerId);
  }

  private async setStatus(status: TaskStatus): Promise<void> {
    if (status === this.currentStatus) return;
    if (isTerminal(status.state)) this.restartDueAtMs = undefined;
    this.currentStatus = status;
    await this.deps.saveStatus(this.currentTask, status);
  }

  private restartPolicy(): RestartPolicy {
    return this.currentTask.spec?.restart ?? DEFAULT_RESTART_POLICY;
  }

  private noteRestart(nowMs: number): void {
    this.restartDueAtMs = undefined;
    this.restartsAtMs.push(nowMs);
    if (this.restartsAtMs.length > MAX_RESTARTS_REMEMBERED) this.restartsAtMs.shift();
  }

  // Engine unreachable (or a stop/remove refused): try again with bounded,
  // jittered exponential backoff, the only retry in the agent.
  private retryLater(what: string, error: ExecutorError): 'idle' {
    const delayMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(this.retryAttempt, 10));
    this.retryAttempt++;
    this.deps.logger.warn({ taskId: this.currentTask.id, error: error.message, retryInMs: delayMs }, `${what} failed; retrying`);
    this.armTimer(delayMs * (0.5 + Math.random() / 2));
    return 'idle';
  }

  private armTimer(delayMs: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.deps.clock.setTimer(delayMs, () => {
      this.cancelTimer = undefined;
      this.kick();
    });
  }
}
