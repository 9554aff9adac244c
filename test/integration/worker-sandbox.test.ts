// Network sandboxes (src/worker/sandbox.ts) on the real test engine: an Agent
// whose attacher asks for a sandbox per task and, in prepareSandbox, plumbs an
// address into the sandbox's namespace with nsenter (as the overlay
// attacher plumbs eth1..). The task's very first command looks for it, so the
// task completes only if its process started with its network in place.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../src/common/result.js';
import type { Task } from '../../src/gen/index.js';
import { Agent, DockerExecutor, SANDBOX_LABEL, type Engine, type NetworkAttacher } from '../../src/worker/index.js';
import { waitUntil } from '../support/wait.js';
import { busyboxTask, cleanupContainers, containersOfNode, logger, newId, tempDataDir, testEngine, waitForStatus } from './worker-fixtures.js';

const run = promisify(execFile);
const RUN_LABEL = `shoal-t-${process.pid}-worker-sandbox`;
/** The probe: an address on the sandbox's loopback, which only its namespace has. */
const PROBE = '10.250.0.5';
const hasProbe = `ip -o addr show lo | grep -q ' ${PROBE}/32'`;
const networks = [{ networkId: 'net1', addresses: ['10.250.0.5/24'], aliases: [] }];

/** Plumbs a dummy link into each sandbox's namespace; records what the executor asked, in order. */
class ProbeAttacher implements NetworkAttacher {
  readonly calls: string[] = [];
  constructor(private readonly engine: Engine) {}
  needsSandbox(task: Task): boolean {
    return task.networks.length > 0;
  }
  async prepareSandbox(_task: Task, sandboxId: string): Promise<Result<void, string>> {
    this.calls.push(`prepareSandbox ${sandboxId}`);
    return this.plumb(sandboxId);
  }
  async started(containerId: string): Promise<Result<void, string>> {
    this.calls.push(`started ${containerId}`);
    // A sandbox started again has a new namespace: plumb it again.
    const info = await this.engine.getContainer(containerId).inspect();
    const sandboxId = (info.HostConfig.NetworkMode ?? '').replace(/^container:/, '');
    return sandboxId !== info.HostConfig.NetworkMode ? this.plumb(sandboxId) : ok(undefined);
  }
  attach(_task: Task, containerId: string): Promise<Result<void, string>> {
    this.calls.push(`attach ${containerId}`);
    return Promise.resolve(ok(undefined));
  }
  detach(containerId: string): Promise<Result<void, string>> {
    this.calls.push(`detach ${containerId}`);
    return Promise.resolve(ok(undefined));
  }
  private async plumb(sandboxId: string): Promise<Result<void, string>> {
    try {
      const pid = (await this.engine.getContainer(sandboxId).inspect()).State.Pid;
      await run('nsenter', ['-t', String(pid), '-n', 'sh', '-c', `${hasProbe} || ip addr add ${PROBE}/32 dev lo`]);
      return ok(undefined);
    } catch (error) {
      return err(String(error));
    }
  }
}

describe('network sandboxes on a real engine', () => {
  let engine: Engine;
  const data = tempDataDir();
  const nodeId = newId();
  let attacher: ProbeAttacher;
  let agent: Agent;

  const startAgent = async (managersReachable = true): Promise<Agent> => {
    const started = new Agent({ nodeId, executor: new DockerExecutor({ engine, logger, attacher }), dataDir: data.dir, logger, managersReachable, resyncPeriodMs: 1_000, statusBatchDelayMs: 10 });
    await started.start();
    return started;
  };
  const sandboxesOfNode = async (): Promise<{ id: string; taskId: string; state: string; name: string }[]> => {
    const list = await engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${nodeId}`, SANDBOX_LABEL] } });
    return list.map((c) => ({ id: c.Id, taskId: c.Labels['com.docker.swarm.task.id'] ?? '', state: c.State, name: (c.Names[0] ?? '').slice(1) }));
  };

  beforeAll(async () => {
    engine = testEngine();
    attacher = new ProbeAttacher(engine);
    agent = await startAgent();
  });

  afterAll(async () => {
    await agent.close();
    for (const c of await containersOfNode(engine, nodeId)) await engine.getContainer(c.id).remove({ force: true }).catch(() => undefined);
    await cleanupContainers(engine, RUN_LABEL);
    data.cleanup();
  });

  it('starts the task process with its network, hostname, DNS, hosts, net sysctls and host port already in its namespace', async () => {
    const hostPort = 20_000 + (process.pid % 10_000);
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c', `${hasProbe} || exit 3; hostname | grep -qx web-host || exit 4; grep -q 'nameserver 10.9.9.9' /etc/resolv.conf || exit 5; grep -q 'db' /etc/hosts || exit 6; [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = 80 ] || exit 7; echo first-try-ok`],
      // A net.* sysctl is the namespace's: set on the sandbox, seen by the task.
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '80' },
      hostname: 'web-host',
      dnsNameservers: ['10.9.9.9'],
      hosts: ['10.1.2.3 db'],
    }, { networks, endpoint: { ports: [{ protocol: 'TCP', targetPort: 80, publishedPort: hostPort, publishMode: 'HOST' }] } });
    await agent.setAssignments([task]);
    const done = await waitForStatus(agent, task.id, (s) => ['COMPLETE', 'FAILED', 'REJECTED'].includes(s.state), 30_000, 'finished');
    expect(done).toMatchObject({ state: 'COMPLETE', exitCode: 0, err: '' });
    const lines: string[] = [];
    for await (const line of agent.logs(task.id, { follow: false })) lines.push(line.line);
    expect(lines).toEqual(['first-try-ok']);

    const [sandbox] = await sandboxesOfNode();
    expect(sandbox).toMatchObject({ taskId: task.id, name: `worker-test.1.${task.id}.sandbox`, state: 'running' });
    const info = await engine.getContainer(done.containerId).inspect();
    expect(info.HostConfig.NetworkMode).toBe(`container:${sandbox?.id ?? ''}`);
    const sandboxInfo = await engine.getContainer(sandbox?.id ?? '').inspect();
    expect(sandboxInfo.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: String(hostPort) }] });
    // The sandbox was plumbed before the task container existed.
    expect(attacher.calls.slice(0, 2)).toEqual([`prepareSandbox ${sandbox?.id ?? ''}`, `attach ${done.containerId}`]);

    await agent.setAssignments([]);
    await agent.idle();
    expect(await containersOfNode(engine, nodeId)).toEqual([]);
  });

  it('keeps the same sandbox (and its network) when the task container is restarted locally', async () => {
    await agent.close();
    agent = await startAgent(false);
    const task = busyboxTask(RUN_LABEL, nodeId, {
      command: ['sh', '-c', `${hasProbe} || exit 3; echo up; sleep 1; exit 1`],
    }, { networks, spec: { restart: { condition: 'ANY', delayMs: 100, maxAttempts: 2 } } });
    await agent.setAssignments([task]);
    const [first] = await waitUntil(sandboxesOfNode, (list) => list.length === 1, 30_000, 'sandbox made');
    // Two local restarts, then the policy gives up: every run saw the network (exit 1, not 3).
    const done = await waitForStatus(agent, task.id, (s) => ['COMPLETE', 'FAILED'].includes(s.state), 60_000, 'gave up restarting');
    expect(done.exitCode).toBe(1);
    const lines: string[] = [];
    for await (const line of agent.logs(task.id, { follow: false })) lines.push(line.line);
    expect(lines).toEqual(['up', 'up', 'up']);
    expect((await sandboxesOfNode()).map((s) => s.id)).toEqual([first?.id]);
    await agent.setAssignments([]);
    await agent.idle();
    expect(await containersOfNode(engine, nodeId)).toEqual([]);
    await agent.close();
    agent = await startAgent();
  });

  it('re-adopts a task container and its sandbox after a restart, never making a second of either', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'] }, { networks });
    await agent.setAssignments([task]);
    await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const before = (await containersOfNode(engine, nodeId)).map((c) => c.id).sort();
    expect(before).toHaveLength(2);
    await agent.close();
    agent = await startAgent();
    await agent.setAssignments([task]);
    await agent.idle();
    expect(agent.status(task.id)?.state).toBe('RUNNING');
    expect((await containersOfNode(engine, nodeId)).map((c) => c.id).sort()).toEqual(before);

    // Restarted again, the task no longer assigned: both go.
    await agent.close();
    agent = await startAgent();
    await agent.setAssignments([]);
    await agent.idle();
    await waitUntil(() => containersOfNode(engine, nodeId), (list) => list.length === 0, 15_000, 'task container and sandbox removed');
  });

  it('removes the sandbox of a task container that went while the daemon was down', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'] }, { networks });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    await agent.close();
    await engine.getContainer(running.containerId).remove({ force: true });
    agent = await startAgent();
    expect(await sandboxesOfNode()).toEqual([]);
    await agent.setAssignments([]);
    await agent.idle();
    expect(await containersOfNode(engine, nodeId)).toEqual([]);
  });

    it('treats a task container whose sandbox is gone as dead: killed, failed, removed with nothing left', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'] }, { networks });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    const [sandbox] = await sandboxesOfNode();
    await engine.getContainer(sandbox?.id ?? '').remove({ force: true });
    const failed = await waitForStatus(agent, task.id, (s) => s.state === 'FAILED', 30_000, 'FAILED');
    expect(failed.err).toMatch(/sandbox|exit \(137\)/);
    expect((await engine.getContainer(running.containerId).inspect()).State.Running).toBe(false);
    await agent.setAssignments([]);
    await agent.idle();
    expect(await containersOfNode(engine, nodeId)).toEqual([]);
  });

  it('keeps tasks without networks on the engine bridge, with no sandbox', async () => {
    const task = busyboxTask(RUN_LABEL, nodeId, { command: ['sh', '-c', 'sleep 1000 & wait'] });
    await agent.setAssignments([task]);
    const running = await waitForStatus(agent, task.id, (s) => s.state === 'RUNNING', 30_000, 'RUNNING');
    expect((await engine.getContainer(running.containerId).inspect()).HostConfig.NetworkMode).toBe('bridge');
    expect(await sandboxesOfNode()).toEqual([]);
    await agent.setAssignments([]);
    await agent.idle();
  });
});
