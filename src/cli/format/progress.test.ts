import { describe, expect, it } from 'vitest';
import { codec, type Service, type Task } from '../../gen/index.js';
import { initialProgressState, progressBar, progressInterruptedLines, progressStep, upToDateTasks, type ProgressInput, type ProgressState } from './progress.js';

const FULL = '[==================================================>] ';

function service(mode: object, extra: Partial<Parameters<typeof codec.Service.fromPartial>[0]> = {}): Service {
  return codec.Service.fromPartial({ id: 'svc', spec: { annotations: { name: 'web' }, mode, update: { monitorMs: 5000 } }, ...extra });
}

function t(slot: number, state: Task['desiredState'], nodeId = 'n1', err = '', desired: Task['desiredState'] = 'RUNNING'): Task {
  return codec.Task.fromPartial({ id: `t${slot}${state}`, slot, nodeId, desiredState: desired, status: { state, err } });
}

const active = new Set(['n1', 'n2', 'n3']);

function run(steps: { svc: Service; tasks: Task[]; nowMs: number }[], width?: number): ReturnType<typeof progressStep>[] {
  let state: ProgressState = initialProgressState();
  return steps.map(({ svc, tasks, nowMs }) => {
    const input: ProgressInput = { service: svc, tasks, activeNodeIds: active, nowMs, serviceLabel: 'web', ...(width === undefined ? {} : { terminalWidth: width }) };
    const step = progressStep(state, input);
    state = step.state;
    return step;
  });
}

describe('progress bar', () => {
  it('draws Docker\'s 50-cell bar on wide terminals only', () => {
    expect(progressBar(9, 9)).toBe(FULL);
    expect(progressBar(8, 9)).toBe(`[${'='.repeat(44)}>${' '.repeat(6)}] `);
    expect(progressBar(1, 9)).toBe(`[${'='.repeat(5)}>${' '.repeat(45)}] `);
    expect(progressBar(0, 0)).toBe('');
    expect(progressBar(9, 9, 80)).toBe('');
  });
});

describe('replicated convergence', () => {
  const svc = service({ kind: 'REPLICATED', replicas: 3 });
  it('shows each slot, then the verify countdown, then converged', () => {
    const steps = run([
      { svc, tasks: [], nowMs: 0 },
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'STARTING'), t(3, 'PREPARING', 'n2')], nowMs: 200 },
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'RUNNING'), t(3, 'RUNNING', 'n2')], nowMs: 400 },
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'RUNNING'), t(3, 'RUNNING', 'n2')], nowMs: 2400 },
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'RUNNING'), t(3, 'RUNNING', 'n2')], nowMs: 5400 },
    ]);
    expect(steps[0]?.screen).toEqual(['overall progress: 0 out of 3 tasks ', '1/3:   ', '2/3:   ', '3/3:   ']);
    expect(steps[0]?.outcome).toBe('wait');
    expect(steps[1]?.screen).toEqual([
      'overall progress: 1 out of 3 tasks ',
      `1/3: running   ${FULL}`,
      `2/3: starting  [${'='.repeat(44)}>${' '.repeat(6)}] `,
      `3/3: preparing [${'='.repeat(33)}>${' '.repeat(17)}] `,
    ]);
    expect(steps[2]?.screen).toEqual(['overall progress: 3 out of 3 tasks ', `1/3: running   ${FULL}`, `2/3: running   ${FULL}`, `3/3: running   ${FULL}`, 'verify: Waiting 6 seconds to verify that tasks are stable... ']);
    expect(steps[3]?.screen.at(-1)).toBe('verify: Waiting 4 seconds to verify that tasks are stable... ');
    expect(steps[3]?.plainLines).toEqual(['verify: Waiting 4 seconds to verify that tasks are stable...']);
    expect(steps[0]?.plainLines).toEqual(['overall progress: 0 out of 3 tasks', '1/3:  ', '2/3:  ', '3/3:  ', 'overall progress: 0 out of 3 tasks']);
    expect(steps[1]?.plainLines).toEqual(['overall progress: 1 out of 3 tasks']);
    expect(steps[4]?.screen.at(-1)).toBe('verify: Service web converged ');
    expect(steps[4]?.outcome).toBe('done');
  });

  it('restarts the countdown when a task fails, and shows its error', () => {
    const steps = run([
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'RUNNING'), t(3, 'RUNNING')], nowMs: 0 },
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'RUNNING'), t(3, 'FAILED', 'n1', 'task: non-zero exit (1)', 'SHUTDOWN')], nowMs: 1000 },
    ]);
    expect(steps[1]?.screen).toEqual(['overall progress: 2 out of 3 tasks ', `1/3: running   ${FULL}`, `2/3: running   ${FULL}`, '3/3: task: non-zero exit (1) ', 'verify: Detected task failure ']);
  });

  it('ignores tasks on down nodes and omits bars on narrow terminals', () => {
    const [step] = run([{ svc: service({ kind: 'REPLICATED', replicas: 1 }), tasks: [t(1, 'RUNNING', 'gone')], nowMs: 0 }], 80);
    expect(step?.screen).toEqual(['overall progress: 0 out of 1 tasks ', '1/1:   ']);
    const [narrow] = run([{ svc: service({ kind: 'REPLICATED', replicas: 1 }), tasks: [t(1, 'STARTING')], nowMs: 0 }], 80);
    expect(narrow?.screen).toEqual(['overall progress: 0 out of 1 tasks ', '1/1: starting  ']);
  });

  it('draws no per-task lines above 20 replicas', () => {
    const [step] = run([{ svc: service({ kind: 'REPLICATED', replicas: 21 }), tasks: [t(1, 'RUNNING')], nowMs: 0 }]);
    expect(step?.screen).toEqual(['overall progress: 1 out of 21 tasks ']);
  });

  it('stops on paused updates and reports rollbacks', () => {
    const paused = service({ kind: 'REPLICATED', replicas: 1 }, { updateStatus: { state: 'PAUSED', message: 'update paused due to failure or early termination of task x' } });
    expect(run([{ svc: paused, tasks: [], nowMs: 0 }])[0]).toMatchObject({ outcome: 'failed', error: 'service update paused: update paused due to failure or early termination of task x' });
    const rollbackPaused = service({ kind: 'REPLICATED', replicas: 1 }, { updateStatus: { state: 'ROLLBACK_PAUSED', message: 'm' } });
    expect(run([{ svc: rollbackPaused, tasks: [], nowMs: 0 }])[0]).toMatchObject({ outcome: 'failed', error: 'service rollback paused: m' });
    const rolling = service({ kind: 'REPLICATED', replicas: 1 }, { updateStatus: { state: 'ROLLBACK_STARTED', message: 'update rolled back due to failure' } });
    const [first] = run([{ svc: rolling, tasks: [t(1, 'STARTING')], nowMs: 0 }]);
    expect(first?.screen.slice(0, 2)).toEqual(['rollback: update rolled back due to failure ', 'overall progress: rolling back update: 0 out of 1 tasks ']);
    const done = service({ kind: 'REPLICATED', replicas: 1 }, { updateStatus: { state: 'ROLLBACK_COMPLETED', message: 'rollback completed' } });
    const steps = run([
      { svc: done, tasks: [t(1, 'RUNNING')], nowMs: 0 },
      { svc: done, tasks: [t(1, 'RUNNING')], nowMs: 6000 },
    ]);
    expect(steps[1]?.plainLines).toEqual(['verify: Service web converged', 'rollback: rollback completed']);
  });

  it('finishes at once when the update already completed', () => {
    const completed = service({ kind: 'REPLICATED', replicas: 1 }, { updateStatus: { state: 'COMPLETED' } });
    expect(run([{ svc: completed, tasks: [], nowMs: 0 }])[0]?.outcome).toBe('done');
  });
});

describe('global convergence', () => {
  const svc = service({ kind: 'GLOBAL' });
  it('waits for tasks, then shows one line per node', () => {
    const steps = run([
      { svc, tasks: [], nowMs: 0 },
      { svc, tasks: [t(0, 'RUNNING', 'n1aaaaaaaaaaaaaaaaaaaaaaa'), t(0, 'ASSIGNED', 'n2')], nowMs: 200 },
    ]);
    expect(steps[0]?.screen).toEqual(['overall progress: waiting for new tasks ']);
    // n1aaaa... is not an active node, so it counts neither as running nor gets a line.
    expect(steps[1]?.screen).toEqual(['overall progress: 0 out of 2 tasks ', `n2: assigned  [${'='.repeat(22)}>${' '.repeat(28)}] `]);
  });
});

describe('job convergence', () => {
  it('counts completions of a replicated job', () => {
    const svc = service({ kind: 'REPLICATED_JOB', totalCompletions: 2, maxConcurrent: 2 });
    const steps = run([
      { svc, tasks: [t(1, 'RUNNING'), t(2, 'COMPLETE')], nowMs: 0 },
      { svc, tasks: [t(1, 'COMPLETE'), t(2, 'COMPLETE')], nowMs: 200 },
    ]);
    expect(steps[0]?.screen).toEqual([
      `job progress: 1 out of 2 complete [${'='.repeat(25)}>${' '.repeat(25)}] `,
      'active tasks: 1 out of 1 tasks ',
      `1/2: running   [${'='.repeat(45)}>${' '.repeat(5)}] `,
      `2/2: complete  ${FULL}`,
    ]);
    expect(steps[1]?.outcome).toBe('done');
    expect(steps[1]?.plainLines.at(-1)).toBe('job complete');
    expect(steps[1]?.screen.at(-1)).toBe('job complete');
  });
  it('counts completions of a global job', () => {
    const svc = service({ kind: 'GLOBAL_JOB' });
    const steps = run([
      { svc, tasks: [], nowMs: 0 },
      { svc, tasks: [t(0, 'COMPLETE', 'n1'), t(0, 'RUNNING', 'n2')], nowMs: 200 },
      { svc, tasks: [t(0, 'COMPLETE', 'n1'), t(0, 'COMPLETE', 'n2')], nowMs: 400 },
    ]);
    expect(steps[0]?.screen).toEqual(['job progress: waiting for tasks ']);
    expect(steps[1]?.screen).toEqual([`job progress: 1 out of 2 complete [${'='.repeat(25)}>${' '.repeat(25)}] `, `n1: complete  ${FULL}`, `n2: running   [${'='.repeat(45)}>${' '.repeat(5)}] `]);
    expect(steps[2]?.outcome).toBe('done');
  });
});

describe('interrupt', () => {
  it('says the operation continues', () => {
    expect(progressInterruptedLines('web')).toEqual(['Operation continuing in background.', 'Use `shoal service ps web` to check progress.']);
  });
});

describe('up-to-date tasks', () => {
  it('are those of the current task spec, minus the ones a rebalance is moving', () => {
    const svc = codec.Service.fromPartial({ id: 'svc', spec: { task: { container: { image: 'app:2' } } }, rebalance: { taskIds: ['moving'] } });
    const task = (id: string, image: string) => codec.Task.fromPartial({ id, spec: { container: { image } } });
    expect(upToDateTasks(svc, [task('old', 'app:1'), task('new', 'app:2'), task('moving', 'app:2')]).map((x) => x.id)).toEqual(['new']);
  });
});
