// The agent and its Docker executor against the real test engine: one task at
// a time, from ASSIGNED to RUNNING and out again, checked with docker inspect.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Engine } from '../../src/worker/index.js';
import { waitUntil } from '../support/wait.js';
import { busyboxTask, cleanupContainers, newId, startAgent, tempDataDir, testEngine, waitForStatus } from './worker-fixtures.js';

const RUN_LABEL = `shoal-t-${process.pid}-worker-executor`;

describe('worker executor on a real engine', () => {
  let engine: Engine;
  let agent: Agent;
  let cleanupDir: () => void;
  const nodeId = newId();

  beforeAll(async () => {
    engine = testEngine();
    const data = tempDataDir();
    cleanupDir = data.cleanup;
    agent = await startAgent(engine, nodeId, data.dir);
  });

  afterEach(async () => {
    await agent.setAssignments([]);
    await agent.idle();
  });

  afterAll(async () => {
    await agent.close();
    await cleanupContainers(engine, RUN_LABEL);
    cleanupDir();
  });

  it('runs a task to RUNNING with Docker swarm names, labels, env, command and limits', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c'],
      args: ['echo started; sleep 1000 & wait'],
      env: ['GREETING=hello'],
      dir: '/tmp',
      hostname: 'web-host',
      stopGracePeriodMs: 3_000,
      init: true,
    }, {
      slot: 3,
      serviceAnnotations: { name: 'web', labels: { 'com.docker.stack.namespace': 'shop' } },
      spec: { resources: { limits: { nanoCpus: 500_000_000, memoryBytes: 64 * 1024 * 1024 }, reservations: { memoryBytes: 32 * 1024 * 1024 } } },
    });
    const statuses: string[] = [];
    const unsubscribe = agent.onStatus((updates) => {
      for (const u of updates) if (u.taskId === task.id && u.status) statuses.push(u.status.state);
    });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    await waitUntil(() => Promise.resolve(statuses), (seen) => seen.includes('RUNNING'), 5_000, 'RUNNING reported');
    unsubscribe();
    expect(running).toMatchObject({ message: 'started', err: '', health: '' });
    expect(running.containerId).toMatch(/^[0-9a-f]{64}$/);
    expect(running.pid).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe('RUNNING');

    const info = await engine.getContainer(running.containerId).inspect();
    expect(info.Name).toBe(`/web.3.${task.id}`);
    expect(info.Config.Labels).toMatchObject({
      'com.docker.swarm.service.name': 'web',
      'com.docker.swarm.service.id': task.serviceId,
      'com.docker.swarm.task.id': task.id,
      'com.docker.swarm.task.name': `web.3.${task.id}`,
      'com.docker.swarm.node.id': nodeId,
      'com.docker.stack.namespace': 'shop',
    });
    expect(info.Config.Env).toContain('GREETING=hello');
    expect(info.Config.Entrypoint).toEqual(['sh', '-c']);
    expect(info.Config.Cmd).toEqual(['echo started; sleep 1000 & wait']);
    expect(info.Config.WorkingDir).toBe('/tmp');
    expect(info.Config.Hostname).toBe('web-host');
    expect((info.Config as { StopTimeout?: number }).StopTimeout).toBe(3);
    expect(info.HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 64 * 1024 * 1024, MemoryReservation: 32 * 1024 * 1024, Init: true, NetworkMode: 'bridge' });
    expect(info.State).toMatchObject({ Running: true });

    const lines = [];
    for await (const line of agent.logs(task.id, { follow: false })) lines.push(line);
    expect(lines.map((l) => [l.stream, l.line])).toEqual([['stdout', 'started']]);
    expect(Math.abs((lines[0]?.timestampMs ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('rejects a task whose image is missing with Docker\'s error', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { image: 'shoal-test/no-such-image:latest' });
    await agent.setAssignments([task]);
    const rejected = await waitForStatus(agent, task.id, (s) => s.state === 'REJECTED', 60_000, 'REJECTED');
    expect(rejected.err).toBe('No such image: shoal-test/no-such-image:latest');
    expect(rejected.containerId).toBe('');
  });

  it('fails a task whose container exits non-zero, with its exit code', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'exit 3'] });
    await agent.setAssignments([task]);
    const failed = await waitForStatus(agent, task.id, (s) => s.state === 'FAILED', 30_000, 'FAILED');
    expect(failed).toMatchObject({ exitCode: 3, err: 'task: non-zero exit (3)' });
  });

  it('completes a task that exits 0', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['true'] });
    await agent.setAssignments([task]);
    const done = await waitForStatus(agent, task.id, (s) => s.state === 'COMPLETE', 30_000, 'COMPLETE');
    expect(done).toMatchObject({ exitCode: 0, message: 'finished' });
  });

  it('shuts a task down with its stop signal, well within the grace period', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c', "trap 'echo got USR1; exit 0' USR1; echo ready; sleep 1000 & wait"],
      stopSignal: 'SIGUSR1',
      stopGracePeriodMs: 20_000,
    });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const startedAt = Date.now();
    await agent.setAssignments([{ ...task, desiredState: 'SHUTDOWN' }]);
    const shutdown = await waitForStatus(agent, task.id, (s) => s.state === 'SHUTDOWN', 30_000, 'SHUTDOWN');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(shutdown).toMatchObject({ exitCode: 0, message: 'shutdown' });
    const info = await engine.getContainer(running.containerId).inspect();
    expect((info.Config as { StopSignal?: string }).StopSignal).toBe('SIGUSR1');
    const lines = [];
    for await (const line of agent.logs(task.id, { follow: false })) lines.push(line.line);
    expect(lines).toEqual(['ready', 'got USR1']);
  });

  it('kills a task that ignores its stop signal once the grace period is over', async () => {
    // sh as PID 1 ignores SIGTERM without a handler.
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'], stopGracePeriodMs: 2_000 });
    await agent.setAssignments([task]);
    await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const startedAt = Date.now();
    await agent.setAssignments([{ ...task, desiredState: 'SHUTDOWN' }]);
    const shutdown = await waitForStatus(agent, task.id, (s) => s.state === 'SHUTDOWN', 30_000, 'SHUTDOWN');
    const tookMs = Date.now() - startedAt;
    expect(tookMs).toBeGreaterThanOrEqual(1_900);
    expect(tookMs).toBeLessThan(10_000);
    expect(shutdown.exitCode).toBe(137);
  });

  it('reports health and holds the task in STARTING until it is healthy', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c', 'sleep 2; touch /tmp/healthy; sleep 1000 & wait'],
      // Failures inside the start period don't count, as in Docker.
      healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/healthy'], intervalMs: 500, timeoutMs: 2_000, startPeriodMs: 20_000, retries: 3 },
    });
    const seen: string[] = [];
    const unsubscribe = agent.onStatus((updates) => {
      for (const u of updates) if (u.taskId === task.id && u.status) seen.push(`${u.status.state}/${u.status.health}`);
    });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING and healthy');
    await waitUntil(() => Promise.resolve(seen), (reported) => reported.includes('RUNNING/healthy'), 5_000, 'RUNNING/healthy reported');
    unsubscribe();
    expect(running.health).toBe('healthy');
    expect(seen).toContain('STARTING/starting');
    expect(seen.at(-1)).toBe('RUNNING/healthy');
    const info = await engine.getContainer(running.containerId).inspect();
    expect(info.Config.Healthcheck).toMatchObject({ Test: ['CMD-SHELL', 'test -f /tmp/healthy'], Interval: 500_000_000, Timeout: 2_000_000_000, StartPeriod: 20_000_000_000, Retries: 3 });
  });

  it('fails a task that turns unhealthy and stops its container', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c', 'sleep 1000 & wait'],
      healthcheck: { test: ['CMD', 'false'], intervalMs: 300, timeoutMs: 1_000, retries: 1 },
      stopGracePeriodMs: 1_000,
    });
    await agent.setAssignments([task]);
    const failed = await waitForStatus(agent, task.id, (s) => s.state === 'FAILED', 30_000, 'FAILED unhealthy');
    expect(failed).toMatchObject({ err: 'unhealthy container', health: 'unhealthy' });
    await agent.idle();
    const info = await engine.getContainer(failed.containerId).inspect();
    expect(info.State.Running).toBe(false);
  });

  it('follows logs from the tail, stdout and stderr apart', async () => {
    // The engine reads stdout and stderr separately, so only lines a second apart have a reliable order.
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'echo err >&2; sleep 1; echo one; echo two; echo three; sleep 3; echo four; sleep 1000 & wait'] });
    await agent.setAssignments([task]);
    await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    await waitUntil(async () => {
      const seen: string[] = [];
      for await (const line of agent.logs(task.id, { follow: false })) seen.push(line.line);
      return seen;
    }, (seen) => seen.includes('three'), 10_000, 'the first lines are logged');
    const lines: string[] = [];
    const follow = (async () => {
      for await (const line of agent.logs(task.id, { follow: true, tail: 2 })) {
        lines.push(`${line.stream}:${line.line}`);
        if (line.line === 'four') return;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no "four" within 20s; got ${JSON.stringify(lines)}`)), 20_000);
    });
    await Promise.race([follow, timeout]).finally(() => clearTimeout(timer));
    expect(lines).toEqual(['stdout:two', 'stdout:three', 'stdout:four']);
    const timed: { line: string; timestampMs: number }[] = [];
    for await (const line of agent.logs(task.id, { follow: false })) timed.push(line);
    const fourAtMs = timed.find((l) => l.line === 'four')?.timestampMs ?? 0;
    const since: string[] = [];
    for await (const line of agent.logs(task.id, { follow: false, sinceMs: fourAtMs })) since.push(line.line);
    expect(since).toEqual(['four']);
    const all: string[] = [];
    for await (const line of agent.logs(task.id, { follow: false, stdout: false })) all.push(`${line.stream}:${line.line}`);
    expect(all).toEqual(['stderr:err']);
  });

  it('applies security options, DNS, hosts and mounts as Docker does', async () => {
    const data = tempDataDir();
    const volume = `${RUN_LABEL}-vol`;
    try {
      const task = busyboxTask(RUN_LABEL, nodeId, {
        command: ['sh', '-c', 'sleep 1000 & wait'],
        user: '65534',
        readOnly: true,
        capAdd: ['NET_ADMIN'],
        capDrop: ['MKNOD'],
        sysctls: { 'net.ipv4.ip_forward': '1' },
        ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
        dnsNameservers: ['10.0.0.2'],
        hosts: ['10.0.0.5 db'],
        tty: true,
        mounts: [
          { type: 'BIND', source: data.dir, target: '/data', readOnly: true },
          { type: 'VOLUME', source: volume, target: '/vol' },
          { type: 'TMPFS', target: '/scratch', tmpfsSizeBytes: 1_048_576 },
        ],
      });
      await agent.setAssignments([task]);
      const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
      const info = await engine.getContainer(running.containerId).inspect();
      expect(info.Config).toMatchObject({ User: '65534', Tty: true });
      expect(info.HostConfig).toMatchObject({
        ReadonlyRootfs: true,
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['MKNOD'],
        Sysctls: { 'net.ipv4.ip_forward': '1' },
        Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
        Dns: ['10.0.0.2'],
        ExtraHosts: ['db:10.0.0.5'],
        RestartPolicy: { Name: 'no' },
      });
      const mounts = new Map(info.Mounts.map((m) => [m.Destination, m]));
      expect(mounts.get('/data')).toMatchObject({ Type: 'bind', Source: data.dir, RW: false });
      expect(mounts.get('/vol')).toMatchObject({ Type: 'volume', Name: volume, RW: true });
      expect((info.HostConfig as { Mounts?: { Type: string; Target: string }[] }).Mounts).toContainEqual(expect.objectContaining({ Type: 'tmpfs', Target: '/scratch' }));
      await agent.setAssignments([]);
      await agent.idle();
    } finally {
      await engine.getVolume(volume).remove().catch(() => undefined);
      data.cleanup();
    }
  });

  it('stops and removes the container of a task whose desired state is REMOVE', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'] });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    await agent.setAssignments([{ ...task, desiredState: 'REMOVE' }]);
    await agent.idle();
    expect(agent.status(task.id)).toMatchObject({ state: 'SHUTDOWN' });
    await expect(engine.getContainer(running.containerId).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('stops and removes the containers of tasks that leave the assignments', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'], stopGracePeriodMs: 1_000 });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    await agent.setAssignments([]);
    await agent.idle();
    expect(agent.status(task.id)).toBeUndefined();
    await expect(engine.getContainer(running.containerId).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
