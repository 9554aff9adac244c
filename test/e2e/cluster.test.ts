// A swarm of namespace hosts, driven through the CLI as a user would:
// init, join, services spread across hosts, failures replaced, scaling,
// a dead worker's tasks rescheduled, removal leaving nothing behind.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { ok } from '../support/cli.js';

const SERVICE_ID_LABEL = 'com.docker.swarm.service.id';
const NODE_LABEL = 'com.docker.swarm.node.id';

interface TaskRow { Name: string; Node: string; DesiredState: string; CurrentState: string; Error: string }

async function tasks(host: NamespaceHost, service: string): Promise<TaskRow[]> {
  const out = await ok(host, ['service', 'ps', service, '--format', 'json']);
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TaskRow);
}

const running = (rows: TaskRow[]): TaskRow[] => rows.filter((r) => r.DesiredState === 'Running' && r.CurrentState.startsWith('Running'));

describe('a swarm of three namespace hosts', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;
  let docker: Docker;
  let workerToken = '';

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    docker = env.docker;
  });
  afterAll(async () => {
    await env?.teardown();
  });

  // By service ID: other runs may share the engine and have a "web" of their own.
  const serviceIds = new Map<string, string>();
  const containersOf = async (service: string): Promise<Docker.ContainerInfo[]> => docker.listContainers({ filters: { label: [`${SERVICE_ID_LABEL}=${serviceIds.get(service) ?? '?'}`] } });

  it('forms with swarm init and two workers joining by token', async () => {
    const init = await ok(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    expect(init).toMatch(/Swarm initialized: current node \(\w{25}\) is now a manager\./);
    const command = /shoal swarm join --token (SWMTKN-1-\S+) (\S+)/.exec(init);
    expect(command?.[2]).toBe(`${h1.ip}:2377`);
    workerToken = command?.[1] ?? '';
    expect((await ok(h1, ['swarm', 'join-token', '-q', 'worker'])).trim()).toBe(workerToken);
    for (const h of [h2, h3]) expect(await ok(h, ['swarm', 'join', '--token', workerToken, `${h1.ip}:2377`])).toContain('This node joined a swarm as a worker.');
    const nodes = await waitUntil(
      async () => (await ok(h1, ['node', 'ls'])).trim().split('\n'),
      (lines) => lines.length === 4 && lines.slice(1).every((l) => / Ready /.test(l)),
      20_000,
      'three Ready nodes in node ls',
    );
    expect(nodes[0]).toMatch(/^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$/);
    expect(nodes.find((l) => / h1 /.test(l))).toMatch(/^\w{25} \* +h1 +Ready +Active +Leader /);
    expect(nodes.filter((l) => /Leader|Reachable/.test(l))).toHaveLength(1);
  });

  it('refuses a bad token, a wrong address, and cluster commands on a worker, in one line each', async () => {
    const bad = await h2.run(['swarm', 'join', '--token', 'SWMTKN-1-nope', `${h1.ip}:2377`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^(This node is already part of a swarm|invalid join token)/);
    const worker = await h2.run(['service', 'ls']);
    expect(worker.code).toBe(1);
    expect(worker.stderr.trim()).toBe('This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.');
  });

  it('spreads a replicated service over every node and reports it converged', async () => {
    const out = await ok(h1, ['service', 'create', '--name', 'web', '--replicas', '3', 'shoal-test/busybox:latest', 'httpd', '-f', '-p', '80']);
    expect(out).toMatch(/^\w{25}\n/);
    serviceIds.set('web', out.slice(0, 25));
    expect(out).toContain('overall progress: 3 out of 3 tasks');
    expect(out).toContain('converged');
    expect(await ok(h1, ['service', 'ls'])).toMatch(/\bweb\s+replicated\s+3\/3\s+shoal-test\/busybox:latest/);
    const rows = running(await tasks(h1, 'web'));
    expect(rows.map((r) => r.Name).sort()).toEqual(['web.1', 'web.2', 'web.3']);
    expect(new Set(rows.map((r) => r.Node))).toEqual(new Set(['h1', 'h2', 'h3']));
    const containers = await containersOf('web');
    expect(containers).toHaveLength(3);
    for (const c of containers) {
      expect(c.Names[0]).toMatch(/^\/web\.[123]\.\w{25}$/);
      expect(c.Labels[NODE_LABEL]).toMatch(/^\w{25}$/);
    }
  });

  it('streams service logs from the tasks on every node', async () => {
    await ok(h1, ['service', 'create', '-d', '--name', 'talk', '--replicas', '3', 'shoal-test/busybox:latest', 'sh', '-c', 'echo "hello from $(hostname)"; sleep 3600']);
    await waitUntil(() => tasks(h1, 'talk'), (r) => running(r).length === 3, 30_000, 'talk running');
    const out = await waitUntil(async () => (await h1.run(['service', 'logs', 'talk'])).stdout, (o) => o.trim().split('\n').length === 3, 20_000, 'three log lines');
    const lines = out.trim().split('\n').sort();
    for (const line of lines) expect(line).toMatch(/^talk\.[123]\.\w{12}@h[123] +\| hello from \w+$/);
    expect(new Set(lines.map((l) => /@(h\d)/.exec(l)?.[1]))).toEqual(new Set(['h1', 'h2', 'h3']));
    await ok(h1, ['service', 'rm', 'talk']);
  });

  it('replaces a container that dies, in the same slot', async () => {
    const [victim] = await containersOf('web');
    await docker.getContainer(victim!.Id).kill();
    const slot = /^\/web\.(\d+)\./.exec(victim!.Names[0]!)?.[1];
    const rows = await waitUntil(() => tasks(h1, 'web'), (r) => running(r).length === 3 && r.filter((t) => t.Name === `web.${slot}`).length >= 2, 30_000, `slot ${slot} replaced`);
    const history = rows.filter((t) => t.Name.endsWith(`web.${slot}`) && t.DesiredState !== 'Running');
    expect(history.length).toBeGreaterThanOrEqual(1);
    expect(history[0]?.CurrentState).toMatch(/^(Failed|Shutdown|Complete)/);
  });

  it('scales up and down', async () => {
    expect(await ok(h1, ['service', 'scale', 'web=5'])).toContain('web scaled to 5');
    await waitUntil(() => tasks(h1, 'web'), (r) => running(r).length === 5, 30_000, '5 running tasks');
    await ok(h1, ['service', 'scale', 'web=2']);
    await waitUntil(() => containersOf('web'), (c) => c.length === 2, 30_000, 'two containers left');
    expect(running(await tasks(h1, 'web')).map((r) => r.Name).sort()).toEqual(['web.1', 'web.2']);
    // Slots scaled away leave nothing behind: not their tasks, not even stopped containers.
    await waitUntil(
      () => docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.id=${serviceIds.get('web') ?? '?'}`] } }),
      (all) => all.every((c) => /^\/web\.[12]\./.test(c.Names[0] ?? '')),
      60_000,
      'no container of slots 3-5',
    );
    expect((await tasks(h1, 'web')).filter((t) => /web\.[345]$/.test(t.Name))).toEqual([]);
  });

  it('moves a dead worker\'s tasks elsewhere, and the worker cleans up when it is back', async () => {
    await ok(h1, ['service', 'scale', 'web=3']);
    await waitUntil(() => tasks(h1, 'web'), (r) => running(r).length === 3, 30_000, '3 running tasks');
    const onH3 = running(await tasks(h1, 'web')).filter((r) => r.Node === 'h3').map((r) => r.Name);
    await h3.kill('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(async () => (await ok(h1, ['node', 'ls'])).split('\n').find((l) => / h3 /.test(l)) ?? '', (l) => / Down /.test(l), 15_000, 'h3 Down');
    const rows = await waitUntil(() => tasks(h1, 'web'), (r) => running(r).length === 3 && running(r).every((t) => t.Node !== 'h3'), 30_000, 'tasks moved off h3');
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    expect(running(rows).map((r) => r.Name).sort()).toEqual(['web.1', 'web.2', 'web.3']);
    expect(onH3.length).toBeGreaterThanOrEqual(0);
    await h3.start();
    await waitUntil(async () => (await ok(h1, ['node', 'ls'])).split('\n').find((l) => / h3 /.test(l)) ?? '', (l) => / Ready /.test(l), 20_000, 'h3 Ready again');
    await waitUntil(() => containersOf('web'), (c) => c.length === 3, 30_000, 'h3 removed its stale containers');
  });

  it('drains a node: its tasks move elsewhere and it takes no new ones', async () => {
    expect((await ok(h1, ['node', 'update', '--availability', 'drain', 'h2'])).trim()).toBe('h2');
    expect(await ok(h1, ['node', 'ls'])).toMatch(/ h2 +Ready +Drain /);
    await waitUntil(() => tasks(h1, 'web'), (r) => running(r).length === 3 && running(r).every((t) => t.Node !== 'h2'), 30_000, 'no running task on h2');
    await ok(h1, ['node', 'update', '--availability', 'active', 'h2']);
    expect(await ok(h1, ['node', 'ls'])).toMatch(/ h2 +Ready +Active /);
  });

  it('restarts the manager\'s daemon without duplicating or losing containers', async () => {
    // Steady state first: the drained node's old container may still be stopping.
    const before = (await waitUntil(() => containersOf('web'), (c) => c.length === 3, 30_000, 'three running containers')).map((c) => c.Id).sort();
    await h1.restart();
    await waitUntil(async () => (await h1.run(['node', 'ls'])).stdout, (out) => (out.match(/ Ready /g) ?? []).length === 3, 30_000, 'all nodes Ready after the restart');
    await waitUntil(() => tasks(h1, 'web'), (r) => running(r).length === 3, 30_000, '3 running tasks after the restart');
    expect((await containersOf('web')).map((c) => c.Id).sort()).toEqual(before);
  });

  it('removes a service and every container it had', async () => {
    expect((await ok(h1, ['service', 'rm', 'web'])).trim()).toBe('web');
    await waitUntil(() => containersOf('web'), (c) => c.length === 0, 30_000, 'no web containers');
    const missing = await h1.run(['service', 'ps', 'web']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('No such service: web');
  });

  it('lets a worker leave', async () => {
    expect(await ok(h2, ['swarm', 'leave'])).toContain('Node left the swarm.');
    expect(await ok(h2, ['info'])).toMatch(/Swarm:\s+inactive/);
    await waitUntil(async () => (await ok(h1, ['node', 'ls'])).split('\n').find((l) => / h2 /.test(l)) ?? '', (l) => / Down /.test(l), 15_000, 'h2 Down after leaving');
  });
});
