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
    const ids = (await c2.docker(['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.ID}}'])).stdout.trim().split('\n');
    expect(ids).toHaveLength(2);
    // Each task's hostname (its network sandbox's, src/worker/sandbox.ts) tells the answers apart.
    const names = (await Promise.all(ids.map(async (id) => (await c2.docker(['exec', id, 'hostname'])).stdout.trim()))).sort();
    expect(new Set(names).size).toBe(2);
    const tasks = await waitUntil(() => inClient('nslookup tasks.web 127.0.0.11'), (out) => (out.match(/Address:\s*10\./g) ?? []).length === 2, 15_000, 'tasks.web answers two addresses');
    expect(tasks).toMatch(/Address:\s*10\./);
    const byName = new Set<string>();
    for (let i = 0; i < 12; i++) byName.add(await inClient('timeout 5 wget -q -O - http://web/'));
    expect([...byName].sort()).toEqual(names);
    // c1 runs no web task; its dockerd's FORWARD DROP must not stop the mesh.
    const mesh = new Set<string>();
    for (let i = 0; i < 12; i++) mesh.add((await c2.exec(`curl -s -m 5 http://${c1.ip}:18080/`)).stdout.trim());
    expect([...mesh].sort()).toEqual(names);
    expect(names).toContain((await c1.exec(`curl -s -m 5 http://127.0.0.1:18080/`)).stdout.trim());
  });

  // mode=host ports are the engine's own port bindings (on the task's network
  // sandbox when it has overlays): only a host running a task answers. Each
  // container host has its own dockerd, so a host port is really per host here.
  it.each([
    ['on an overlay network (bindings on the sandbox)', 'hostweb', 18090, ['--network', 'appnet']],
    ['on no overlay (bindings on the task container)', 'hostplain', 18091, []],
  ])('publishes a mode=host port only on the host running the task: %s', async (_what, name, port, extra) => {
    await shoal(c1, ['service', 'create', '--name', name, '--replicas', '1', '--publish', `mode=host,published=${port},target=80`, ...extra,
      'shoal-test/busybox:latest', 'sh', '-c', `echo ${name} > /index.html && exec httpd -f -p 80 -h /`]);
    const running = async (host: ContainerHost): Promise<boolean> => (await host.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}`])).stdout.trim() !== '';
    const withTask = (await running(c1)) ? c1 : c2;
    const without = withTask === c1 ? c2 : c1;
    expect(await running(without)).toBe(false);
    for (const from of [c1, c2]) {
      const answer = await waitUntil(() => from.exec(`curl -s -m 5 http://${withTask.ip}:${port}/`), (r) => r.code === 0, 15_000, `${port} answers on ${withTask.name} from ${from.name}`);
      expect(answer.stdout.trim()).toBe(name);
      // curl exit 7: connection refused (nothing listens, nothing forwards), within the time limit.
      const refused = await from.exec(`timeout 10 curl -s -m 5 http://${without.ip}:${port}/`);
      expect(refused.code, `${port} on ${without.name} from ${from.name}: ${refused.stdout}`).toBe(7);
    }
    await shoal(c1, ['service', 'rm', name]);
  });
});
