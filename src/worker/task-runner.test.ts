// The task runner's own steps around the pure controller, on a scripted
// executor: the task's secret files go with its container.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ok, type Result } from '../common/result.js';
import { codec, type TaskStatus } from '../gen/index.js';
import { ManualClock } from '../common/clock.js';
import type { ContainerObservation } from './controller/observation.js';
import type { Executor, ExecutorError, FileMount } from './executor.js';
import { emptyNodeResources, type NodeResources } from './node-resources.js';
import { TaskFiles } from './task-files.js';
import { recordingMemory } from './task-files.test-support.js';
import { TaskRunner } from './task-runner.js';

const resources = (): NodeResources => ({
  ...emptyNodeResources(),
  secrets: new Map([['s1', codec.Secret.fromPartial({ id: 's1', spec: { annotations: { name: 'db' }, data: new TextEncoder().encode('pw') } })]]),
});
const task = codec.Task.fromPartial({
  id: 't1',
  nodeId: 'n1',
  desiredState: 'RUNNING',
  spec: { restart: { condition: 'NONE' }, container: { image: 'x', secrets: [{ secretId: 's1', secretName: 'db', file: { name: 'db', uid: '0', gid: '0', mode: 0o400 } }] } },
});

/** One container per task, in memory; `exit` plays the engine seeing it die. */
class ScriptedExecutor implements Executor {
  readonly containers = new Map<string, ContainerObservation>();
  readonly mounts: (readonly FileMount[])[] = [];

  prepare(_: unknown, files: readonly FileMount[]): Promise<Result<{ containerId: string }, ExecutorError>> {
    this.mounts.push(files);
    this.containers.set('c1', { kind: 'created', containerId: 'c1' });
    return Promise.resolve(ok({ containerId: 'c1' }));
  }
  start(containerId: string): Promise<Result<void, ExecutorError>> {
    this.containers.set(containerId, { kind: 'running', containerId, pid: 7, health: '' });
    return Promise.resolve(ok(undefined));
  }
  inspect(containerId: string): Promise<Result<ContainerObservation, ExecutorError>> {
    return Promise.resolve(ok(this.containers.get(containerId) ?? { kind: 'missing', containerId }));
  }
  stop(containerId: string): Promise<Result<void, ExecutorError>> {
    this.exit(containerId, 0);
    return Promise.resolve(ok(undefined));
  }
  remove(containerId: string): Promise<Result<void, ExecutorError>> {
    this.containers.delete(containerId);
    return Promise.resolve(ok(undefined));
  }
  listOwned(): never {
    throw new Error('not used by a runner');
  }
  watch(): never {
    throw new Error('not used by a runner');
  }
  logs(): never {
    throw new Error('not used by a runner');
  }
  exit(containerId: string, exitCode: number): void {
    this.containers.set(containerId, { kind: 'exited', containerId, exitCode, error: '', oomKilled: false });
  }
}

describe('TaskRunner and the task\'s files', () => {
  it('writes them before the container is created, releases them once it is seen exited, and removes them with it', async () => {
    const executor = new ScriptedExecutor();
    const { memory, calls } = recordingMemory();
    const forgotten: string[] = [];
    const statuses: TaskStatus[] = [];
    const runner = new TaskRunner(task, undefined, {
      executor,
      files: new TaskFiles(memory, resources),
      clock: new ManualClock(),
      logger: pino({ level: 'silent' }),
      managersReachable: () => true,
      saveStatus: (_, status) => {
        statuses.push(status);
        return Promise.resolve();
      },
      forget: (taskId) => {
        forgotten.push(taskId);
        return Promise.resolve();
      },
    });
    runner.kick();
    await runner.idle();
    expect(runner.status.state).toBe('RUNNING');
    expect(executor.mounts).toEqual([[{ hostPath: '/tmpfs/t1/s1', containerPath: '/run/secrets/db' }]]);
    expect(calls).toEqual(['write n1/t1 /run/secrets/db']);

    executor.exit('c1', 1);
    runner.kick();
    await runner.idle();
    expect(runner.status.state).toBe('FAILED');
    expect(calls).toEqual(['write n1/t1 /run/secrets/db', 'release n1/t1']);

    runner.drop();
    await runner.idle();
    expect(executor.containers.size).toBe(0);
    expect(calls).toEqual(['write n1/t1 /run/secrets/db', 'release n1/t1', 'release n1/t1']);
    expect(forgotten).toEqual(['t1']);
    // PREPARING twice: the second records the container ID.
    expect(statuses.map((s) => s.state)).toEqual(['ACCEPTED', 'PREPARING', 'PREPARING', 'STARTING', 'RUNNING', 'FAILED']);
  });
});
