// Drives the pure controller through whole task lifecycles, playing the
// engine's part with observations (data, not a Docker double).
import { describe, expect, it } from 'vitest';
import type { TaskStatus, TaskStatus_State } from '../../gen/index.js';
import { decide, type DecideInput, type Decision } from './decide.js';
import type { ContainerObservation } from './observation.js';
import { initialStatus } from './status.js';

const base = (status: TaskStatus, container?: ContainerObservation, extra: Partial<DecideInput> = {}): DecideInput => ({
  status,
  desired: 'RUNNING',
  container,
  nowMs: 100,
  managersReachable: true,
  restartPolicy: { condition: 'ANY', delayMs: 1_000, maxAttempts: 0, windowMs: 0 },
  restartsAtMs: [],
  restartDueAtMs: undefined,
  ...extra,
});

/** Applies transitions until the controller asks for I/O or waits. */
function settle(input: DecideInput): { status: TaskStatus; decision: Decision; states: TaskStatus_State[] } {
  let status = input.status;
  const states: TaskStatus_State[] = [];
  for (let i = 0; i < 20; i++) {
    const decision = decide({ ...input, status });
    if (decision.kind !== 'transition') return { status, decision, states };
    status = decision.status;
    states.push(status.state);
  }
  throw new Error('controller did not settle');
}

const running = (health: '' | 'starting' | 'healthy' | 'unhealthy' = ''): ContainerObservation => ({ kind: 'running', containerId: 'c1', pid: 42, health });
const exited = (exitCode: number): ContainerObservation => ({ kind: 'exited', containerId: 'c1', exitCode, error: '', oomKilled: false });

describe('decide', () => {
  it('accepts an assigned task and asks to prepare it', () => {
    const r = settle(base(initialStatus('ASSIGNED', 0)));
    expect(r.states).toEqual(['ACCEPTED', 'PREPARING']);
    expect(r.status.message).toBe('preparing');
    expect(r.decision).toEqual({ kind: 'prepare' });
  });

  it('starts a created container and reports it running with its pid', () => {
    const created = settle(base(initialStatus('PREPARING', 0), { kind: 'created', containerId: 'c1' }));
    expect(created.states).toEqual(['STARTING']);
    expect(created.status.containerId).toBe('c1');
    expect(created.decision).toEqual({ kind: 'start' });
    const started = settle(base(created.status, running()));
    expect(started.status).toMatchObject({ state: 'RUNNING', message: 'started', pid: 42 });
    expect(started.decision).toEqual({ kind: 'wait' });
  });

  it('holds a task with a healthcheck in STARTING until healthy', () => {
    const starting = settle(base(initialStatus('STARTING', 0), running('starting')));
    expect(starting.status).toMatchObject({ state: 'STARTING', health: 'starting' });
    const healthy = settle(base(starting.status, running('healthy')));
    expect(healthy.status).toMatchObject({ state: 'RUNNING', health: 'healthy' });
  });

  it('fails an unhealthy task and then stops its container', () => {
    const r = settle(base(initialStatus('RUNNING', 0), running('unhealthy')));
    expect(r.status).toMatchObject({ state: 'FAILED', err: 'unhealthy container', health: 'unhealthy' });
    expect(r.decision).toEqual({ kind: 'stop' });
  });

  it('completes on exit 0 and fails with the exit code otherwise', () => {
    expect(settle(base(initialStatus('RUNNING', 0), exited(0))).status).toMatchObject({ state: 'COMPLETE', message: 'finished' });
    expect(settle(base(initialStatus('RUNNING', 0), exited(3))).status).toMatchObject({ state: 'FAILED', exitCode: 3, err: 'task: non-zero exit (3)' });
  });

  it('stops a running task whose desired state is SHUTDOWN, then reports SHUTDOWN', () => {
    expect(decide(base(initialStatus('RUNNING', 0), running(), { desired: 'SHUTDOWN' }))).toEqual({ kind: 'stop' });
    const r = settle(base(initialStatus('RUNNING', 0), exited(143), { desired: 'SHUTDOWN' }));
    expect(r.status).toMatchObject({ state: 'SHUTDOWN', message: 'shutdown', exitCode: 143 });
  });

  it('shuts down a task that never started without preparing it', () => {
    const r = settle(base(initialStatus('ASSIGNED', 0), undefined, { desired: 'SHUTDOWN' }));
    expect(r.states).toEqual(['SHUTDOWN']);
  });

  it('never revives a terminal task', () => {
    const failed = { ...initialStatus('FAILED', 0), err: 'x' };
    expect(decide(base(failed, exited(1)))).toEqual({ kind: 'wait' });
    expect(decide(base(failed, running()))).toEqual({ kind: 'stop' });
  });

  it('restarts locally while the managers are unreachable, after the delay', () => {
    const away = { managersReachable: false };
    const r = decide(base(initialStatus('RUNNING', 0), exited(1), away));
    expect(r).toEqual({ kind: 'schedule-restart', atMs: 1_100 });
    expect(decide(base(initialStatus('RUNNING', 0), exited(1), { ...away, restartDueAtMs: 1_100 }))).toEqual({ kind: 'wait' });
    expect(decide(base(initialStatus('RUNNING', 0), exited(1), { ...away, restartDueAtMs: 1_100, nowMs: 1_100 }))).toEqual({ kind: 'restart' });
  });

  it('stops an unhealthy container while the managers are unreachable, so the restart policy applies', () => {
    expect(decide(base(initialStatus('RUNNING', 0), running('unhealthy'), { managersReachable: false }))).toEqual({ kind: 'stop' });
    expect(decide(base(initialStatus('RUNNING', 0), exited(137), { managersReachable: false }))).toEqual({ kind: 'schedule-restart', atMs: 1_100 });
  });

  it('fails for good when local restarts are used up', () => {
    const r = settle(base(initialStatus('RUNNING', 0), exited(1), {
      managersReachable: false,
      restartPolicy: { condition: 'ON_FAILURE', delayMs: 0, maxAttempts: 1, windowMs: 0 },
      restartsAtMs: [50],
    }));
    expect(r.status).toMatchObject({ state: 'FAILED', exitCode: 1 });
  });

  it('leaves restarts to the orchestrator when the managers are reachable', () => {
    const r = settle(base(initialStatus('RUNNING', 0), exited(1), { restartDueAtMs: 50 }));
    expect(r.status.state).toBe('FAILED');
  });

  it('recreates a container that disappeared before it started, fails one that disappeared later', () => {
    expect(decide(base(initialStatus('PREPARING', 0), { kind: 'missing', containerId: 'c1' }))).toEqual({ kind: 'prepare' });
    expect(settle(base(initialStatus('RUNNING', 0), { kind: 'missing', containerId: 'c1' })).status.state).toBe('FAILED');
  });
});
