// `network create --internal` end to end on three namespace hosts, through
// the CLI: a task only on an internal overlay reaches a task on another host
// by name and by IP (embedded DNS at 127.0.0.11 included), but has no default
// route and reaches nothing outside the overlay (another host's underlay
// address, the engine's bridge gateway); a task on a normal overlay, on the
// same host, reaches both.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { runCommand } from '../support/run-command.js';
import { waitUntil } from '../support/wait.js';
import { formSwarm, ok } from '../support/cli.js';

const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';
const NODE_ID_LABEL = 'com.docker.swarm.node.id';
const WEB_SCRIPT = 'mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 80 -h /w';

describe('internal overlay networks across three namespace hosts', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;
  let docker: Docker;
  const nodeIds: string[] = [];

  const containersOf = async (service: string): Promise<Docker.ContainerInfo[]> =>
    (await docker.listContainers({ filters: { label: [`${SERVICE_NAME_LABEL}=${service}`] } })).filter((c) => nodeIds.includes(c.Labels[NODE_ID_LABEL] ?? ''));

  /** Runs a shell line in the one task container of `service`. */
  async function inTask(service: string, script: string, timeoutMs = 15_000): Promise<{ code: number; stdout: string }> {
    const [container] = await containersOf(service);
    const r = await runCommand('docker', ['-H', env.dockerHost, 'exec', container?.Id ?? '?', 'sh', '-c', script], { allowFailure: true, timeoutMs });
    return { code: r.code, stdout: r.stdout.trim() };
  }

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    docker = env.docker;
    await formSwarm([h1, h2, h3]);
    nodeIds.push(...(await ok(h1, ['node', 'ls', '-q'])).trim().split('\n'));
  }, 300_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a server on an internal network on one host, and an internal and a normal client on another', async () => {
    await ok(h1, ['network', 'create', '-d', 'overlay', '--internal', '--subnet', '10.124.0.0/24', 'backnet']);
    await ok(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.125.0.0/24', 'opennet']);
    await ok(h1, ['service', 'create', '--name', 'db', '--network', 'backnet', '--constraint', 'node.hostname==h1', 'shoal-test/busybox:latest', 'sh', '-c', WEB_SCRIPT]);
    await ok(h1, ['service', 'create', '--name', 'inner', '--network', 'backnet', '--constraint', 'node.hostname==h2', 'shoal-test/busybox:latest', 'sleep', '100000']);
    await ok(h1, ['service', 'create', '--name', 'outer', '--network', 'opennet', '--constraint', 'node.hostname==h2', 'shoal-test/busybox:latest', 'sleep', '100000']);
    for (const name of ['db', 'inner', 'outer']) expect(await containersOf(name), name).toHaveLength(1);
  });

  it('creates the internal tasks without the engine bridge: lo and the overlay (eth1: no eth0) only, no default route', async () => {
    const [inner] = await containersOf('inner');
    // The task joins its network sandbox (src/worker/sandbox.ts), which has no engine network.
    const joined = (await docker.getContainer(inner?.Id ?? '?').inspect()).HostConfig.NetworkMode ?? '';
    expect(joined).toMatch(/^container:[0-9a-f]{64}$/);
    expect((await docker.getContainer(joined.replace(/^container:/, '')).inspect()).HostConfig.NetworkMode).toBe('none');
    const links = (await inTask('inner', 'ip -o link')).stdout.split('\n').map((l) => /^\d+:\s*([^:@]+)/.exec(l)?.[1]).sort();
    expect(links).toEqual(['eth1', 'lo']);
    expect((await inTask('inner', 'ip -o addr show eth1')).stdout).toMatch(/inet 10\.124\.0\.\d+\/24/);
    const routes = (await inTask('inner', 'ip route')).stdout;
    expect(routes).toMatch(/^10\.124\.0\.0\/24 dev eth1/m);
    expect(routes).not.toMatch(/default/);
    expect((await inTask('outer', 'ip route')).stdout).toMatch(/^default via /m);
  });

  it('reaches the server on another host by name (embedded DNS) and by IP from the internal network', async () => {
    const lookup = await waitUntil(
      async () => (await inTask('inner', 'nslookup tasks.db 127.0.0.11')).stdout,
      (out) => /Address:\s*10\.124\.0\.\d+/.test(out),
      15_000,
      'tasks.db resolves from the internal client',
    );
    const ip = /Address:\s*(10\.124\.0\.\d+)/.exec(lookup)?.[1] ?? '';
    expect((await inTask('inner', `ping -c 1 -W 3 ${ip}`)).code).toBe(0);
    const [db] = await containersOf('db');
    const hostname = (await inTask('db', 'hostname')).stdout;
    expect(hostname).not.toBe('');
    expect(db).toBeDefined();
    expect((await inTask('inner', 'timeout 5 wget -q -O - http://db/')).stdout).toBe(hostname);
    expect((await inTask('inner', `timeout 5 wget -q -O - http://${ip}/`)).stdout).toBe(hostname);
  });

  it('reaches nothing outside the overlay from the internal network, while the normal overlay task does', async () => {
    // The engine bridge's gateway, as the normal task sees it.
    const gateway = /^default via (\S+)/m.exec((await inTask('outer', 'ip route')).stdout)?.[1] ?? '';
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    for (const target of [h3.ip, h1.ip, gateway]) {
      expect((await inTask('outer', `timeout 3 ping -c 1 -W 2 ${target}`)).code, `normal task pings ${target}`).toBe(0);
      expect((await inTask('inner', `timeout 3 ping -c 1 -W 2 ${target}`)).code, `internal task pings ${target}`).not.toBe(0);
    }
    // TCP too: the manager's swarm port on h1's underlay address accepts the normal task, not the internal one.
    const tcp = (service: string): Promise<{ code: number; stdout: string }> => inTask(service, `timeout 3 nc -w 2 ${h1.ip} 2377 </dev/null 2>&1; echo rc=$?`);
    const [outerTcp, innerTcp] = [await tcp('outer'), await tcp('inner')];
    expect(outerTcp.stdout).toBe('rc=0');
    expect(innerTcp.stdout).toMatch(/can't connect to remote host .*Network is unreachable\nrc=1$/);
  });

  it('removes the services and networks', async () => {
    await ok(h1, ['service', 'rm', 'db', 'inner', 'outer']);
    await waitUntil(async () => (await Promise.all(['db', 'inner', 'outer'].map(containersOf))).flat().length, (n) => n === 0, 30_000, 'task containers removed');
    // Their network sandboxes too (they carry the node label, not the service's).
    const ofSwarm = async (): Promise<number> => (await docker.listContainers({ all: true, filters: { label: [NODE_ID_LABEL] } })).filter((c) => nodeIds.includes(c.Labels[NODE_ID_LABEL] ?? '')).length;
    await waitUntil(ofSwarm, (n) => n === 0, 30_000, 'no container of this swarm left, sandboxes included');
    await waitUntil(async () => (await h1.run(['network', 'rm', 'backnet', 'opennet'])).code, (code) => code === 0, 30_000, 'network rm succeeds');
  });
});
