// Shared pieces of the worker integration tests: tasks on the busybox test
// image, an agent over a temporary data dir, bounded waits on task status,
// and cleanup of every container a test file created. Labels and temp dirs
// are named `shoal-t-<pid>-...` so test/support sweeps what a killed run left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { inject } from 'vitest';
import { objectIdFromBytes } from '../../src/common/ids.js';
import { codec, type Task, type TaskStatus } from '../../src/gen/index.js';
import { Agent, connectEngine, DockerExecutor, type Engine } from '../../src/worker/index.js';
import { removeLabelledContainers } from '../support/containers.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from '../support/test-images.js';
import { waitUntil } from '../support/wait.js';

/** A quiet logger; set SHOAL_TEST_LOG=debug to see the agent's decisions. */
export const logger = pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' });

/** The test engine the global setup started. */
export function testEngine(): Engine {
  return connectEngine(inject('dockerHost'));
}

/** A fresh Docker-style ID. */
export function newId(): string {
  return objectIdFromBytes(randomBytes(32));
}

/** Builds a task for `nodeId` running busybox with `container` fields, labelled for cleanup with `runLabel`. */
export function busyboxTask(runLabel: string, nodeId: string, container: Parameters<typeof codec.ContainerSpec.fromPartial>[0], extra: Parameters<typeof codec.Task.fromPartial>[0] = {}): Task {
  return codec.Task.fromPartial({
    id: newId(),
    serviceId: newId(),
    nodeId,
    slot: 1,
    serviceAnnotations: { name: 'worker-test' },
    desiredState: 'RUNNING',
    status: { state: 'ASSIGNED' },
    ...extra,
    spec: {
      restart: { condition: 'NONE' },
      ...extra.spec,
      // A short grace period by default: sh as PID 1 ignores SIGTERM, and cleanup shouldn't take 10 s a task.
      container: { image: BUSYBOX_IMAGE, stopGracePeriodMs: 1_000, ...container, labels: { [TEST_LABEL]: runLabel, ...container.labels } },
    },
  });
}

/** A temporary data dir, removed by the returned cleanup. */
export function tempDataDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `shoal-t-${process.pid}-worker-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A started agent. */
export async function startAgent(engine: Engine, nodeId: string, dataDir: string, managersReachable = true): Promise<Agent> {
  const agent = new Agent({ nodeId, executor: new DockerExecutor({ engine, logger }), dataDir, logger, managersReachable, resyncPeriodMs: 1_000, statusBatchDelayMs: 10 });
  await agent.start();
  return agent;
}

/** Waits (bounded) until the agent's status of `taskId` satisfies `ok`. */
export function waitForStatus(agent: Agent, taskId: string, ok: (s: TaskStatus) => boolean, timeoutMs: number, what: string): Promise<TaskStatus> {
  return waitUntil(() => Promise.resolve(agent.status(taskId) ?? codec.TaskStatus.fromPartial({})), ok, timeoutMs, `task ${taskId}: ${what}`);
}

/** Removes every container labelled with this run's label. */
export async function cleanupContainers(engine: Engine, runLabel: string): Promise<void> {
  await removeLabelledContainers(engine, runLabel);
}

/** Containers on the engine labelled with `nodeId`. */
export async function containersOfNode(engine: Engine, nodeId: string): Promise<{ id: string; taskId: string; state: string; name: string }[]> {
  const list = await engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${nodeId}`] } });
  return list.map((c) => ({ id: c.Id, taskId: c.Labels['com.docker.swarm.task.id'] ?? '', state: c.State, name: (c.Names[0] ?? '').slice(1) }));
}
