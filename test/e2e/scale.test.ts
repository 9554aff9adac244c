// Scale at CI size (issue #20): three real manager daemons (namespace hosts,
// drained so that no task runs on the real engine) and 200 simulated worker
// nodes (the real agent and session, only the engine in memory) take 5,000
// tasks in 20 services. Everything converges, no node is marked Down, and a
// tenth of the workers killed at once has all their tasks running elsewhere.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlService } from '../../src/gen/index.js';
import { createClient, type RpcClient } from '../../src/rpc/index.js';
import { formSwarm, ok } from '../support/cli.js';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { SimulatedNodes } from '../support/simulated-nodes.js';
import { waitUntil } from '../support/wait.js';

const NODES = 200;
const SERVICES = 20;
const REPLICAS = 250;
const downMarks = (hosts: readonly NamespaceHost[]): number => hosts.reduce((n, h) => n + (readFileSync(h.logPath, 'utf8').match(/marking it down/g) ?? []).length, 0);

describe('scale: 200 simulated nodes, 5,000 tasks', () => {
  let env: NamespaceHosts;
  let managers: NamespaceHost[];
  let sim: SimulatedNodes | undefined;
  let control: RpcClient<typeof ControlService>;
  let dataDir: string;

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    managers = env.hosts;
    const [h1] = managers as [NamespaceHost];
    await formSwarm(managers, { managers: true });
    for (const h of managers) await ok(h1, ['node', 'update', '--availability', 'drain', h.name]);
    const token = (await ok(h1, ['swarm', 'join-token', '-q', 'worker'])).trim();
    dataDir = mkdtempSync(join(tmpdir(), 'shoal-sim-'));
    sim = await SimulatedNodes.start({ managers: managers.map((h) => `${h.ip}:2377`), joinToken: token, count: NODES, namePrefix: 'sim', address: `${env.subnet}.1`, dataDir, log: pino({ level: 'warn' }), executor: { startLatencyMs: 20 } });
    control = createClient(ControlService, `unix://${h1.socketPath}`);
  }, 600_000);
  afterAll(async () => {
    control?.close();
    await sim?.stop();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sees every simulated node Ready', async () => {
    const nodes = await waitUntil(async () => (await control.listNodes({})).nodes, (all) => all.filter((n) => n.status?.state === 'READY').length === NODES + 3, 120_000, `${NODES + 3} Ready nodes`);
    expect(nodes.filter((n) => n.description?.hostname.startsWith('sim-'))).toHaveLength(NODES);
  });

  it('converges 5,000 tasks with no node marked Down, spread over the simulated nodes only', async () => {
    const marks = downMarks(managers);
    for (let s = 0; s < SERVICES; s++) await ok(managers[0] as NamespaceHost, ['service', 'create', '--detach', '--name', `load${s}`, '--replicas', String(REPLICAS), 'shoal-test/busybox:latest', 'sleep', '3600']);
    await waitUntil(async () => sim?.runningContainers() ?? 0, (n) => n === SERVICES * REPLICAS, 300_000, `${SERVICES * REPLICAS} simulated containers running`);
    const services = await waitUntil(async () => control.listServices({}), (r) => r.services.length === SERVICES && Object.values(r.statuses).every((s) => s.runningTasks === REPLICAS), 120_000, 'service ls at full size');
    expect(Object.values(services.statuses).map((s) => s.runningTasks)).toEqual(Array(SERVICES).fill(REPLICAS));
    const tasks = (await control.listTasks({})).tasks.filter((t) => t.desiredState === 'RUNNING');
    expect(tasks).toHaveLength(SERVICES * REPLICAS); // none replaced
    const managerIds = new Set((await control.listNodes({})).nodes.filter((n) => !n.description?.hostname.startsWith('sim-')).map((n) => n.id));
    expect(tasks.filter((t) => managerIds.has(t.nodeId))).toEqual([]);
    expect(downMarks(managers)).toBe(marks);
  });

  it('runs the tasks of a tenth of the workers, killed at once, elsewhere', async () => {
    if (!sim) throw new Error('no simulated nodes');
    const victims = sim.nodes.slice(0, NODES / 10);
    const lost = new Set(victims.map((n) => n.nodeId));
    await sim.kill(victims);
    await waitUntil(async () => (await control.listNodes({})).nodes.filter((n) => lost.has(n.id) && n.status?.state === 'DOWN').length, (n) => n === victims.length, 60_000, 'killed nodes Down');
    await waitUntil(async () => sim?.runningContainers() ?? 0, (n) => n === SERVICES * REPLICAS, 120_000, 'all tasks running on the survivors');
    const runningTasks = async (): Promise<Awaited<ReturnType<typeof control.listTasks>>['tasks']> => (await control.listTasks({})).tasks.filter((t) => t.desiredState === 'RUNNING' && t.status?.state === 'RUNNING');
    const running = await waitUntil(runningTasks, (r) => r.length === SERVICES * REPLICAS, 60_000, 'service ps: every task RUNNING');
    expect(running.filter((t) => lost.has(t.nodeId))).toEqual([]);
    expect(downMarks(managers)).toBe(victims.length); // the killed ones, and only them
  });
});
