// Full fidelity: two container hosts, each with its own dockerd and
// filesystem, formed into a swarm; a service's tasks run on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerHosts, type ContainerHost, type ContainerHosts } from '../support/container-hosts.js';
import { waitUntil } from '../support/wait.js';

async function shoal(host: ContainerHost, args: string[]): Promise<string> {
  const r = await host.shoal(args);
  expect(r.code, `shoal ${args.join(' ')} on ${host.name}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('a swarm of two container hosts, each with its own dockerd', () => {
  let env: ContainerHosts;
  let c1: ContainerHost;
  let c2: ContainerHost;

  beforeAll(async () => {
    env = await startContainerHosts({ count: 2 });
    [c1, c2] = env.hosts as [ContainerHost, ContainerHost];
    await Promise.all([c1.startDaemon(), c2.startDaemon()]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('forms a swarm across the hosts and runs a service on both engines', async () => {
    const init = await shoal(c1, ['swarm', 'init', '--advertise-addr', c1.ip]);
    const token = /--token (\S+)/.exec(init)?.[1] ?? '';
    expect(await shoal(c2, ['swarm', 'join', '--token', token, `${c1.ip}:2377`])).toContain('joined a swarm as a worker');
    await waitUntil(async () => shoal(c1, ['node', 'ls']), (out) => (out.match(/ Ready /g) ?? []).length === 2, 30_000, 'both nodes Ready');
    const created = await shoal(c1, ['service', 'create', '--name', 'web', '--replicas', '2', 'shoal-test/busybox:latest', 'httpd', '-f', '-p', '80']);
    expect(created).toContain('converged');
    expect(await shoal(c1, ['service', 'ls'])).toMatch(/\bweb\s+replicated\s+2\/2\b/);
    // Each host's own engine runs one of the two tasks.
    for (const h of [c1, c2]) {
      const ps = await h.docker(['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.Names}}']);
      expect(ps.stdout.trim().split('\n').filter(Boolean), `containers on ${h.name}`).toHaveLength(1);
      expect(ps.stdout.trim()).toMatch(/^web\.[12]\.\w{25}$/);
    }
    await shoal(c1, ['service', 'rm', 'web']);
    await waitUntil(async () => (await c2.docker(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=web'])).stdout.trim(), (out) => out === '', 30_000, 'the worker removed its container');
  });
});
