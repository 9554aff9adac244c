// Overlay networks as a user drives them through the CLI on three
// namespace hosts: the control side (issue #6): address pools at swarm init,
// network create/ls/inspect/rm, bad input refused in one line with nothing
// created, tasks getting distinct addresses before they run, published
// ports unique across services, removal refused while in use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { formSwarm, ok } from '../support/cli.js';

/** A refused command: non-zero exit, exactly one line on stderr, nothing on stdout. */
async function refused(host: NamespaceHost, args: string[]): Promise<{ code: number; line: string }> {
  const r = await host.run(args);
  expect(r.code, `shoal ${args.join(' ')} should fail:\n${r.stdout}\n${r.stderr}`).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines, `one line on stderr for shoal ${args.join(' ')}`).toHaveLength(1);
  expect(r.stdout.trim()).toBe('');
  return { code: r.code, line: lines[0] ?? '' };
}

interface NetworkJson { Name: string; Id: string; Scope: string; Driver: string; Ingress: boolean; Internal: boolean; IPAM: { Config: { Subnet: string; Gateway: string }[] }; Options: Record<string, string> | null; Labels: Record<string, string> | null }
interface TaskJson { ID: string; NodeID?: string; Status: { State: string }; NetworksAttachments?: { Network: { ID: string }; Addresses: string[] }[] }
interface ServiceJson { ID: string; Spec: { TaskTemplate: { Networks?: { Target: string }[] } }; Endpoint: { Ports?: { PublishedPort: number; TargetPort: number }[]; VirtualIPs?: { NetworkID: string; Addr: string }[] } }

const VXLAN = 'com.docker.network.driver.overlay.vxlanid_list';

describe('overlay networks, control side, on three namespace hosts', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;

  const inspectNetwork = async (ref: string): Promise<NetworkJson> => (JSON.parse(await ok(h1, ['network', 'inspect', ref])) as NetworkJson[])[0]!;
  const inspectService = async (ref: string): Promise<ServiceJson> => (JSON.parse(await ok(h1, ['service', 'inspect', ref])) as ServiceJson[])[0]!;
  const networkNames = async (): Promise<string[]> => (await ok(h1, ['network', 'ls', '--format', '{{.Name}}'])).trim().split('\n').sort();
  const taskIds = async (service: string): Promise<string[]> => (await ok(h1, ['service', 'ps', '-q', '--no-trunc', '--filter', 'desired-state=running', service])).trim().split('\n').filter(Boolean);
  const inspectTasks = async (ids: string[]): Promise<TaskJson[]> => JSON.parse(await ok(h1, ['inspect', '--type', 'task', ...ids])) as TaskJson[];

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('refuses a bad --default-addr-pool at swarm init, then forms a swarm from the given pool with ingress', async () => {
    const bad = await refused(h1, ['swarm', 'init', '--advertise-addr', h1.ip, '--default-addr-pool', '10.200.0.0/16', '--default-addr-pool', '10.200.5.0/24']);
    expect(bad.line).toContain('--default-addr-pool 10.200.5.0/24 overlaps 10.200.0.0/16');
    const init = await ok(h1, ['swarm', 'init', '--advertise-addr', h1.ip, '--default-addr-pool', '10.200.0.0/16', '--default-addr-pool-mask-length', '24']);
    const token = /--token (SWMTKN-1-\S+)/.exec(init)?.[1] ?? '';
    for (const h of [h2, h3]) await ok(h, ['swarm', 'join', '--token', token, `${h1.ip}:2377`]);
    await waitUntil(async () => (await ok(h1, ['node', 'ls'])).trim().split('\n'), (l) => l.length === 4 && l.slice(1).every((x) => / Ready /.test(x)), 30_000, 'three Ready nodes');
    const ls = (await ok(h1, ['network', 'ls'])).trim().split('\n');
    expect(ls[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    expect(ls.slice(1)).toEqual([expect.stringMatching(/^\w{12}\s+ingress\s+overlay\s+swarm$/)]);
    const ingress = await inspectNetwork('ingress');
    expect(ingress).toMatchObject({ Name: 'ingress', Scope: 'swarm', Driver: 'overlay', Ingress: true, IPAM: { Config: [{ Subnet: '10.200.0.0/24', Gateway: '10.200.0.1' }] } });
    expect(ingress.Options?.[VXLAN]).toBe('4096');
  });

  it('creates networks with subnets from the pool or as given, and lists, filters and inspects them', async () => {
    const id = (await ok(h1, ['network', 'create', '-d', 'overlay', 'appnet'])).trim();
    expect(id).toMatch(/^\w{25}$/);
    const appnet = await inspectNetwork('appnet');
    expect(appnet).toMatchObject({ Name: 'appnet', Id: id, Scope: 'swarm', Driver: 'overlay', Ingress: false, IPAM: { Config: [{ Subnet: '10.200.1.0/24', Gateway: '10.200.1.1' }] } });
    expect(appnet.Options?.[VXLAN]).toBe('4097');
    await ok(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.50.0.0/24', '--gateway', '10.50.0.254', '--internal', '--attachable', '--label', 'team=db', 'dbnet']);
    const dbnet = await inspectNetwork('dbnet');
    expect(dbnet).toMatchObject({ Internal: true, Labels: { team: 'db' }, IPAM: { Config: [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.254' }] } });
    expect(dbnet.Options?.[VXLAN]).toBe('4098');
    expect(await networkNames()).toEqual(['appnet', 'dbnet', 'ingress']);
    expect((await ok(h1, ['network', 'ls', '-q', '--no-trunc', '--filter', 'name=app'])).trim()).toBe(id);
    expect((await ok(h1, ['network', 'ls', '--filter', 'label=team=db', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'])).trim()).toBe('dbnet overlay swarm');
    const missing = await h1.run(['network', 'inspect', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('no such network: nope');
  });

  it('refuses bad networks in one line each, creating nothing', async () => {
    const before = await networkNames();
    expect((await refused(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.200.1.0/16', 'x'])).line).toContain('10.200.1.0/16');
    expect((await refused(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.200.0.0/16', 'x'])).line).toBe('subnet 10.200.0.0/16 overlaps subnet 10.200.0.0/24 of network ingress');
    expect((await refused(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.50.0.128/25', 'x'])).line).toBe('subnet 10.50.0.128/25 overlaps subnet 10.50.0.0/24 of network dbnet');
    expect((await refused(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.60.0.0/24', '--gateway', '10.61.0.1', 'x'])).line).toContain('10.61.0.1');
    expect((await refused(h1, ['network', 'create', '-d', 'overlay', '--subnet', 'banana', 'x'])).code).toBe(125);
    const duplicate = await refused(h1, ['network', 'create', '-d', 'overlay', 'appnet']);
    expect(duplicate).toEqual({ code: 1, line: 'network with name appnet already exists' });
    expect((await refused(h1, ['network', 'create', '-d', 'bridge', 'x'])).line).toContain('overlay');
    expect((await refused(h1, ['network', 'create', '-d', 'overlay', '-o', 'com.docker.network.driver.mtu=big', 'x'])).line).toContain('com.docker.network.driver.mtu');
    expect(await networkNames()).toEqual(before);
  });

  it('gives every task of a service on a network its own address before it runs, and the service a VIP', async () => {
    const out = await ok(h1, ['service', 'create', '-d', '--name', 'web', '--replicas', '3', '--network', 'name=appnet,alias=www', 'shoal-test/busybox:latest', 'sleep', '3600']);
    const serviceId = out.trim();
    const appnetId = (await inspectNetwork('appnet')).Id;
    const ids = await waitUntil(() => taskIds('web'), (t) => t.length === 3, 30_000, 'three web tasks');
    const tasks = await waitUntil(() => inspectTasks(ids), (t) => t.every((x) => x.Status.State === 'running'), 60_000, 'web tasks running');
    const addresses = tasks.map((t) => t.NetworksAttachments?.find((a) => a.Network.ID === appnetId)?.Addresses[0]);
    for (const a of addresses) expect(a).toMatch(/^10\.200\.1\.\d+\/24$/);
    expect(new Set(addresses).size).toBe(3);
    expect(new Set(tasks.map((t) => t.NodeID)).size).toBe(3);
    const service = await inspectService(serviceId);
    expect(service.Spec.TaskTemplate.Networks).toEqual([{ Target: appnetId, Aliases: ['www'] }]);
    const vip = service.Endpoint.VirtualIPs?.find((v) => v.NetworkID === appnetId)?.Addr;
    expect(vip).toMatch(/^10\.200\.1\.\d+\/24$/);
    expect(addresses).not.toContain(vip);
  });

  it('refuses unknown networks and published ports another service holds, creating nothing', async () => {
    expect((await refused(h1, ['service', 'create', '-d', '--name', 'lost', '--network', 'nope', 'shoal-test/busybox:latest', 'sleep', '3600'])).line).toBe('network nope not found');
    await ok(h1, ['service', 'create', '-d', '--name', 'front', '-p', '8080:80', '-p', '80', 'shoal-test/busybox:latest', 'httpd', '-f', '-p', '80']);
    const front = await inspectService('front');
    expect(front.Endpoint.Ports?.map((p) => p.PublishedPort)).toEqual([8080, 30000]);
    const ingressId = (await inspectNetwork('ingress')).Id;
    expect(front.Endpoint.VirtualIPs).toEqual([{ NetworkID: ingressId, Addr: expect.stringMatching(/^10\.200\.0\.\d+\/24$/) }]);
    expect((await refused(h1, ['service', 'create', '-d', '--name', 'clash', '-p', '8080:81', 'shoal-test/busybox:latest', 'sleep', '3600'])).line).toBe('port 8080 is already published by service front');
    expect((await refused(h1, ['service', 'update', '-d', '--publish-add', '8080:81', 'web'])).line).toBe('port 8080 is already published by service front');
    const names = (await ok(h1, ['service', 'ls', '--format', '{{.Name}}'])).trim().split('\n').sort();
    expect(names).toEqual(['front', 'web']);
    // A task publishing through the routing mesh is attached to ingress.
    const [frontTask] = await inspectTasks(await waitUntil(() => taskIds('front'), (t) => t.length === 1, 30_000, 'front task'));
    expect(frontTask?.NetworksAttachments?.map((a) => a.Network.ID)).toEqual([ingressId]);
  });

  it('moves a service between networks with --network-add / --network-rm', async () => {
    await ok(h1, ['service', 'update', '-d', '--network-add', 'dbnet', '--network-rm', 'appnet', 'web']);
    const dbnetId = (await inspectNetwork('dbnet')).Id;
    const service = await inspectService('web');
    expect(service.Spec.TaskTemplate.Networks?.map((n) => n.Target)).toEqual([dbnetId]);
    expect(service.Endpoint.VirtualIPs?.map((v) => v.NetworkID)).toEqual([dbnetId]);
    const tasks = await waitUntil(
      async () => inspectTasks(await taskIds('web')),
      (t) => t.length === 3 && t.every((x) => x.NetworksAttachments?.[0]?.Network.ID === dbnetId),
      90_000,
      'web tasks replaced onto dbnet',
    );
    const addresses = tasks.map((t) => t.NetworksAttachments?.[0]?.Addresses[0]);
    for (const a of addresses) expect(a).toMatch(/^10\.50\.0\.\d+\/24$/);
    expect(new Set(addresses).size).toBe(3);
  });

  it('refuses to remove networks in use, naming the services, and removes them once free', async () => {
    expect((await refused(h1, ['network', 'rm', 'dbnet'])).line).toBe('network dbnet is in use by service(s) web: remove or update them first');
    expect((await refused(h1, ['network', 'rm', 'ingress'])).line).toContain('network ingress is in use by service(s) front');
    // The rolling update may still be moving tasks off appnet.
    const rmAppnet = await waitUntil(() => h1.run(['network', 'rm', 'appnet']), (r) => r.code === 0 || !r.stderr.includes('being updated'), 60_000, 'appnet removable');
    expect(rmAppnet.stdout).toBe('appnet\n');
    await ok(h1, ['service', 'rm', 'web']);
    await waitUntil(async () => (await h1.run(['network', 'rm', 'dbnet'])).code, (code) => code === 0, 60_000, 'dbnet removable once web tasks stopped');
    expect(await networkNames()).toEqual(['ingress']);
    expect((await ok(h1, ['network', 'rm', '-f', 'nope'])).trim()).toBe('');
    // A network name freed by removal can be used again.
    expect((await ok(h1, ['network', 'create', '-d', 'overlay', 'appnet'])).trim()).toMatch(/^\w{25}$/);
  });

  it('shows a full network as the error of the task that got no address, in service ps', async () => {
    // A /29 has 6 addresses: the gateway, the VIP and 4 tasks; the fifth task waits.
    await ok(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.201.0.0/29', 'tiny']);
    await ok(h1, ['service', 'create', '-d', '--name', 'crowd', '--replicas', '5', '--network', 'tiny', 'shoal-test/busybox:latest', 'sleep', '3600']);
    interface Row { Name: string; Node: string; DesiredState: string; CurrentState: string; Error: string }
    const rows = await waitUntil(
      async () => (await ok(h1, ['service', 'ps', '--no-trunc', '--format', 'json', 'crowd'])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row),
      (r) => r.filter((x) => x.CurrentState.startsWith('Running')).length === 4 && r.some((x) => x.Error !== ''),
      60_000,
      'four crowd tasks running and one waiting for an address',
    );
    const waiting = rows.filter((r) => r.Error !== '');
    expect(waiting).toEqual([expect.objectContaining({ Node: '', DesiredState: 'Running', CurrentState: expect.stringMatching(/^Pending /), Error: '"network tiny has no free addresses (6 in use)"' })]);
    // Fewer replicas: the waiting task is either scaled away or gets the address freed by the one that is.
    await ok(h1, ['service', 'scale', '-d', 'crowd=4']);
    await waitUntil(
      async () => (await ok(h1, ['service', 'ps', '--format', 'json', '--filter', 'desired-state=running', 'crowd'])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row),
      (r) => r.length === 4 && r.every((x) => x.CurrentState.startsWith('Running') && x.Error === ''),
      60_000,
      'crowd at 4 running tasks, none waiting',
    );
  });
});

describe('overlay addresses across a change of leader', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;
  const FINAL = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** Every address still held on the network: VIPs and the attachments of tasks not yet finished (even on a dead node). */
  const heldAddresses = async (host: NamespaceHost, services: string[], networkId: string): Promise<string[]> => {
    const held: string[] = [];
    for (const name of services) {
      const [service] = JSON.parse(await ok(host, ['service', 'inspect', name])) as ServiceJson[];
      held.push(...(service?.Endpoint.VirtualIPs ?? []).filter((v) => v.NetworkID === networkId).map((v) => v.Addr));
      const ids = (await ok(host, ['service', 'ps', '-q', '--no-trunc', name])).trim().split('\n').filter(Boolean);
      const tasks = JSON.parse(await ok(host, ['inspect', '--type', 'task', ...ids])) as TaskJson[];
      for (const t of tasks) if (!FINAL.has(t.Status.State)) held.push(...(t.NetworksAttachments ?? []).filter((a) => a.Network.ID === networkId).flatMap((a) => a.Addresses));
    }
    return held;
  };

  it('keeps every held address unique after the leader is killed', async () => {
    await formSwarm([h1, h2, h3], { managers: true });
    await ok(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.77.0.0/24', 'appnet']);
    const [appnet] = JSON.parse(await ok(h1, ['network', 'inspect', 'appnet'])) as NetworkJson[];
    await ok(h1, ['service', 'create', '--name', 'web', '--replicas', '3', '--network', 'appnet', 'shoal-test/busybox:latest', 'sleep', '3600']);
    const before = await heldAddresses(h1, ['web'], appnet!.Id);
    expect(before).toHaveLength(4);
    expect(new Set(before).size).toBe(4);

    await h1.kill('SIGKILL');
    await waitUntil(async () => (await h2.run(['node', 'ls'])).stdout, (out) => /h[23] .*Leader/.test(out), 30_000, 'a new leader among h2 and h3');
    // The new leader rebuilt its address book from the store: new VIPs and tasks avoid every held address.
    await ok(h2, ['service', 'create', '-d', '--name', 'api', '--replicas', '4', '--network', 'appnet', 'shoal-test/busybox:latest', 'sleep', '3600']);
    await ok(h3, ['service', 'scale', '-d', 'web=5']);
    const after = await waitUntil(
      () => heldAddresses(h2, ['web', 'api'], appnet!.Id),
      (held) => held.length >= 11,
      90_000,
      'web and api tasks allocated under the new leader',
    );
    for (const a of after) expect(a).toMatch(/^10\.77\.0\.\d+\/24$/);
    expect(new Set(after).size).toBe(after.length);
    for (const a of before) expect(after).toContain(a);
  });
});
