// The overlay's core flow on container hosts: each host has its own dockerd
// in the same network namespace as its shoal daemon, so Docker's iptables
// (FORWARD policy DROP) are in the way as on a real machine. Two web tasks on
// c2, a client on c1: names and tasks.NAME across hosts, and the routing mesh
// answering on c1, which runs no web task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerHosts, type ContainerHost, type ContainerHosts } from '../support/container-hosts.js';
import { waitUntil } from '../support/wait.js';

async function shoal(host: ContainerHost, args: string[]): Promise<string> {
  const r = await host.shoal(args);
  expect(r.code, `shoal ${args.join(' ')} on ${host.name}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('overlay networks on two container hosts, each with its own dockerd', () => {
  let env: ContainerHosts;
  let c1: ContainerHost;
  let c2: ContainerHost;

  /** Runs a shell line in the client task's container on c1. */
  async function inClient(script: string): Promise<string> {
    const id = (await c1.docker(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=client'])).stdout.trim();
    return (await c1.docker(['exec', id, 'sh', '-c', script])).stdout.trim();
  }

  beforeAll(async () => {
    env = await startContainerHosts({ count: 2 });
    [c1, c2] = env.hosts as [ContainerHost, ContainerHost];
    await Promise.all([c1.startDaemon(), c2.startDaemon()]);
    const init = await shoal(c1, ['swarm', 'init', '--advertise-addr', c1.ip]);
    const token = /--token (\S+)/.exec(init)?.[1] ?? '';
    await shoal(c2, ['swarm', 'join', '--token', token, `${c1.ip}:2377`]);
    await waitUntil(async () => shoal(c1, ['node', 'ls']), (out) => (out.match(/ Ready /g) ?? []).length === 2, 30_000, 'both nodes Ready');
  }, 600_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('connects tasks across hosts by name and publishes the port on the host with no task', async () => {
    await shoal(c1, ['network', 'create', '-d', 'overlay', 'appnet']);
    await shoal(c1, ['service', 'create', '--name', 'web', '--replicas', '2', '--network', 'appnet', '-p', '18080:80', '--constraint', 'node.role==worker',
      'shoal-test/busybox:latest', 'sh', '-c', 'mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 80 -h /w']);
    await shoal(c1, ['service', 'create', '--name', 'client', '--network', 'appnet', '--constraint', 'node.role==manager', 'shoal-test/busybox:latest', 'sleep', '100000']);
    const names = (await c2.docker(['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.ID}}'])).stdout.trim().split('\n').map((id) => id.slice(0, 12)).sort();
    expect(names).toHaveLength(2);
    const tasks = await waitUntil(() => inClient('nslookup tasks.web 127.0.0.11'), (out) => (out.match(/Address:\s*10\./g) ?? []).length === 2, 15_000, 'tasks.web answers two addresses');
    expect(tasks).toMatch(/Address:\s*10\./);
    const byName = new Set<string>();
    for (let i = 0; i < 12; i++) byName.add(await inClient('timeout 5 wget -q -O - http://web/'));
    expect([...byName].sort()).toEqual(names);
    // c1 runs no web task; its dockerd's FORWARD DROP must not stop the mesh.
    const mesh = new Set<string>();
    for (let i = 0; i < 12; i++) mesh.add((await c2.exec(`curl -s -m 5 http://${c1.ip}:18080/`)).stdout.trim());
    expect([...mesh].sort()).toEqual(names);
    expect((await c1.exec(`curl -s -m 5 http://127.0.0.1:18080/`)).stdout.trim()).toMatch(/^[0-9a-f]{12}$/);
  });
});
