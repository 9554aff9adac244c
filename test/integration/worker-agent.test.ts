// The agent's promises across restarts, neighbours and manager outages, on
// the real test engine: re-adoption without duplicates or orphans, strict
// ownership by node ID, and local restarts while the managers are away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskStatusUpdate } from '../../src/gen/index.js';
import { Agent, connectEngine, DockerExecutor, type Engine } from '../../src/worker/index.js';
import { waitUntil } from '../support/wait.js';
import { busyboxTask, cleanupContainers, containersOfNode, logger, newId, startAgent, tempDataDir, testEngine, waitForStatus } from './worker-fixtures.js';

const RUN_LABEL = `shoal-t-${process.pid}-worker-agent`;
const LONG_RUNNING = { command: ['sh', '-c', 'sleep 1000 & wait'] };

describe('worker agent on a real engine', () => {
  let engine: Engine;
  const cleanups: (() => void)[] = [];
  const agents: Agent[] = [];

  beforeAll(() => {
    engine = testEngine();
  });

  afterAll(async () => {
    for (const agent of agents) await agent.close();
    await cleanupContainers(engine, RUN_LABEL);
    for (const cleanup of cleanups) cleanup();
  });

  async function agentOn(nodeId: string, dataDir?: string, managersReachable = true): Promise<{ agent: Agent; dataDir: string }> {
    let dir = dataDir;
    if (dir === undefined) {
      const data = tempDataDir();
      cleanups.push(data.cleanup);
      dir = data.dir;
    }
    const agent = await startAgent(engine, nodeId, dir, managersReachable);
    agents.push(agent);
    return { agent, dataDir: dir };
  }

  async function startedAt(containerId: string): Promise<string> {
    return (await engine.getContainer(containerId).inspect()).State.StartedAt;
  }

  it('keeps containers running over an agent restart and re-adopts them: no duplicates, no orphans', async () => {
    const nodeId = newId();
    const first = await agentOn(nodeId);
    const t1 = busyboxTask(RUN_LABEL, nodeId, LONG_RUNNING, { slot: 1 });
    const t2 = busyboxTask(RUN_LABEL, nodeId, LONG_RUNNING, { slot: 2 });
    await first.agent.setAssignments([t1, t2]);
    const s1 = await waitForStatus(first.agent, t1.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const s2 = await waitForStatus(first.agent, t2.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const started1 = await startedAt(s1.containerId);
    await first.agent.close();
    expect((await containersOfNode(engine, nodeId)).map((c) => c.state)).toEqual(['running', 'running']);

    // A new daemon over the same data dir knows its tasks before the managers say anything.
    const second = await agentOn(nodeId, first.dataDir);
    await second.agent.idle();
    expect(second.agent.status(t1.id)).toMatchObject({ state: 'RUNNING', containerId: s1.containerId });
    expect(second.agent.status(t2.id)).toMatchObject({ state: 'RUNNING', containerId: s2.containerId });

    // The managers re-send the same tasks, as they know them: nothing is recreated or restarted.
    await second.agent.setAssignments([{ ...t1, status: s1 }, { ...t2, status: s2 }]);
    await second.agent.idle();
    const after = await containersOfNode(engine, nodeId);
    expect(after.map((c) => c.id).sort()).toEqual([s1.containerId, s2.containerId].sort());
    expect(await startedAt(s1.containerId)).toBe(started1);

    // t2 leaves the assignments: its container goes, t1's stays.
    await second.agent.setAssignments([{ ...t1, status: s1 }]);
    await second.agent.idle();
    expect((await containersOfNode(engine, nodeId)).map((c) => c.id)).toEqual([s1.containerId]);
    await second.agent.close();

    // Even with its database lost, the agent adopts the container it finds for an assigned task instead of making another.
    const third = await agentOn(nodeId);
    await third.agent.setAssignments([{ ...t1, status: s1 }]);
    const readopted = await waitForStatus(third.agent, t1.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    expect(readopted.containerId).toBe(s1.containerId);
    expect((await containersOfNode(engine, nodeId)).map((c) => c.id)).toEqual([s1.containerId]);
    expect(await startedAt(s1.containerId)).toBe(started1);
    await third.agent.setAssignments([]);
    await third.agent.idle();
    expect(await containersOfNode(engine, nodeId)).toEqual([]);
  });

  it('removes containers of its node that no assigned task claims, after a restart', async () => {
    const nodeId = newId();
    const first = await agentOn(nodeId);
    const gone = busyboxTask(RUN_LABEL, nodeId, LONG_RUNNING);
    await first.agent.setAssignments([gone]);
    await waitForStatus(first.agent, gone.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    await first.agent.close();
    // The managers forgot `gone` while the daemon was down; a fresh database knows nothing of it either.
    const second = await agentOn(nodeId);
    await second.agent.setAssignments([]);
    await second.agent.idle();
    expect(await containersOfNode(engine, nodeId)).toEqual([]);
  });

  it('never touches the containers of another node sharing the engine', async () => {
    const nodeA = newId();
    const nodeB = newId();
    const { agent: a } = await agentOn(nodeA);
    const { agent: b } = await agentOn(nodeB);
    const ta = busyboxTask(RUN_LABEL, nodeA, LONG_RUNNING);
    const tb = busyboxTask(RUN_LABEL, nodeB, LONG_RUNNING);
    await a.setAssignments([ta]);
    await b.setAssignments([tb]);
    await waitForStatus(a, ta.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const sb = await waitForStatus(b, tb.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');

    // A task for B sent to A by mistake is ignored, and A's empty set leaves B's container alone.
    await a.setAssignments([tb]);
    await a.idle();
    expect(a.status(tb.id)).toBeUndefined();
    expect(await containersOfNode(engine, nodeA)).toEqual([]);
    expect((await containersOfNode(engine, nodeB)).map((c) => [c.id, c.state])).toEqual([[sb.containerId, 'running']]);
    expect(b.statuses().map((u) => u.taskId)).toEqual([tb.id]);
    await b.setAssignments([]);
    await b.idle();
  });

  it('restarts exited containers locally while the managers are unreachable, and reports when they return', async () => {
    const nodeId = newId();
    const { agent } = await agentOn(nodeId);
    const reports: TaskStatusUpdate[][] = [];
    agent.onStatus((batch) => reports.push(batch));
    const flaky = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'echo run; sleep 1; exit 2'] }, {
      spec: { restart: { condition: 'ON_FAILURE', delayMs: 300, maxAttempts: 2, windowMs: 0 } },
    });
    const steady = busyboxTask(RUN_LABEL, nodeId, LONG_RUNNING);
    await agent.setAssignments([flaky, steady]);
    await waitForStatus(agent, flaky.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const steadyStatus = await waitForStatus(agent, steady.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const steadyStartedAt = await startedAt(steadyStatus.containerId);

    agent.setManagersReachable(false);
    reports.length = 0;
    // One run plus two local restarts of the same container, then it fails for good.
    const failed = await waitForStatus(agent, flaky.id, (s) => s.state === 'FAILED', 60_000, 'FAILED after its restarts');
    expect(failed).toMatchObject({ exitCode: 2, err: 'task: non-zero exit (2)' });
    const runs: string[] = [];
    for await (const line of agent.logs(flaky.id, { follow: false })) runs.push(line.line);
    expect(runs).toEqual(['run', 'run', 'run']);
    expect(reports).toEqual([]);

    agent.setManagersReachable(true);
    await waitUntil(() => Promise.resolve(reports.flat()), (r) => r.length >= 2, 5_000, 'statuses re-reported');
    const reported = new Map(reports.flat().map((u) => [u.taskId, u.status]));
    expect(reported.get(flaky.id)).toMatchObject({ state: 'FAILED', exitCode: 2 });
    expect(reported.get(steady.id)).toMatchObject({ state: 'RUNNING', containerId: steadyStatus.containerId });
    await agent.idle();
    expect(await startedAt(steadyStatus.containerId)).toBe(steadyStartedAt);
    expect(agent.status(steady.id)?.state).toBe('RUNNING');
    await agent.setAssignments([]);
    await agent.idle();
  });

  it('restarts an unhealthy container locally while the managers are unreachable', async () => {
    const nodeId = newId();
    const { agent } = await agentOn(nodeId, undefined, false);
    const sick = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c', 'echo run; sleep 1000 & wait'],
      healthcheck: { test: ['CMD', 'false'], intervalMs: 300, timeoutMs: 1_000, retries: 1 },
      stopGracePeriodMs: 500,
    }, { spec: { restart: { condition: 'ON_FAILURE', delayMs: 0, maxAttempts: 1, windowMs: 0 } } });
    await agent.setAssignments([sick]);
    const failed = await waitForStatus(agent, sick.id, (s) => s.state === 'FAILED', 60_000, 'FAILED after one local restart');
    expect(failed).toMatchObject({ exitCode: 137, err: 'task: non-zero exit (137)' });
    const runs: string[] = [];
    for await (const line of agent.logs(sick.id, { follow: false })) runs.push(line.line);
    expect(runs).toEqual(['run', 'run']);
    await agent.setAssignments([]);
    await agent.idle();
  });

  it('waits out an unreachable engine instead of rejecting its tasks', async () => {
    const nodeId = newId();
    const data = tempDataDir();
    cleanups.push(data.cleanup);
    const executor = new DockerExecutor({ engine: connectEngine('unix:///nonexistent/shoal-test-docker.sock'), logger });
    const agent = new Agent({ nodeId, executor, dataDir: data.dir, logger, statusBatchDelayMs: 10 });
    agents.push(agent);
    const task = busyboxTask(RUN_LABEL, nodeId, LONG_RUNNING);
    await agent.setAssignments([task]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(agent.status(task.id)).toMatchObject({ state: 'PREPARING', err: '' });
  });
});
