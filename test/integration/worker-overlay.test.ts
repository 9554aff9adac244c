// The worker side of overlays (src/worker/overlay-attacher.ts) on three namespace hosts, each running a real
// Agent + OverlayAttacher + embedded DNS (worker-overlay-child.ts) with task
// containers on the real test engine. The managers are played by hand-built
// Network/Service/Task/OverlayPeer objects in the allocator's shape
// (src/manager/allocator/README.md on branch overlay-ctl). Checks what a user
// would see from inside containers: cross-host IP and name reachability,
// tasks.NAME, VIP balancing, the routing mesh on a node with no task, a
// stopped task leaving the answers, a daemon restart that keeps traffic, and
// a leave that leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codec, type Network, type NetworkAttachment, type OverlayPeer, type Service, type Task, type TaskStatusUpdate } from '../../src/gen/index.js';
import { macFromIp, vxlanIdOption } from '../../src/overlay/index.js';
import { overlayNodeTag } from '../../src/daemon/node-overlay.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from '../support/test-images.js';
import { removeLabelledContainers } from '../support/containers.js';
import { OverlayLab, httpGet, inNs, runner, sh, waitFor } from './overlay-harness.js';
import { connectEngine, SANDBOX_LABEL, type Engine } from '../../src/worker/index.js';
import { inject } from 'vitest';

const RUN_LABEL = `shoal-t-${process.pid}-overlay-attacher`;
const lab = new OverlayLab();
const dataDir = mkdtempSync(join(tmpdir(), `shoal-t-${process.pid}-ovagent-`));
// Node IDs start with "ovt" so the harness sweeps their namespaces (shoal-ovt…) after a crash.
const nodeIds = ['ovt1nodeaaaaaaaaaaaaaaaaa', 'ovt2nodebbbbbbbbbbbbbbbbb', 'ovt3nodeccccccccccccccccc'];
const nodeIngress = ['10.79.0.251/24', '10.79.0.252/24', '10.79.0.253/24'];

const network = (id: string, name: string, vni: number, prefix: string, ingress: boolean): Network => codec.Network.fromPartial({
  id, spec: { annotations: { name }, driver: { name: 'overlay' }, ingress },
  driverState: { name: 'overlay', options: { [vxlanIdOption]: String(vni) } },
  ipam: [{ subnet: `${prefix}.0/24`, gateway: `${prefix}.1` }],
});
const ingress = network('ingressnet', 'ingress', 4096, '10.79.0', true);
const appnet = network('appnetid', 'appnet', 4101, '10.79.1', false);

const webService: Service = codec.Service.fromPartial({
  id: 'websvc', spec: { annotations: { name: 'shop_web', labels: { 'com.docker.stack.namespace': 'shop' } } },
  endpoint: {
    spec: { mode: 'VIP' },
    ports: [{ protocol: 'TCP', targetPort: 80, publishedPort: 18080, publishMode: 'INGRESS' }],
    virtualIps: [{ networkId: 'ingressnet', addr: '10.79.0.2/24' }, { networkId: 'appnetid', addr: '10.79.1.2/24' }],
  },
});
const clientService: Service = codec.Service.fromPartial({ id: 'clientsvc', spec: { annotations: { name: 'client' } }, endpoint: { spec: { mode: 'DNSRR' } } });

interface Placed { id: string; serviceId: string; node: number; name: string; appnet: string; ingress?: string; script?: string }
const web1: Placed = { id: 'webtask1aaaaaaaaaaaaaaaaa', serviceId: 'websvc', node: 0, name: 'w1', appnet: '10.79.1.11', ingress: '10.79.0.11' };
const web2: Placed = { id: 'webtask2bbbbbbbbbbbbbbbbb', serviceId: 'websvc', node: 1, name: 'w2', appnet: '10.79.1.12', ingress: '10.79.0.12' };
const client: Placed = { id: 'clienttaskcccccccccccccccc', serviceId: 'clientsvc', node: 1, name: 'cl', appnet: '10.79.1.30' };
// Its very first instructions need its overlay: its address on eth1, the embedded DNS, a task on another host.
// Run once (restart condition none): it completes only if its process started with all of them in place.
const probe: Placed = {
  id: 'probetaskdddddddddddddddd', serviceId: 'probesvc', node: 2, name: 'pr', appnet: '10.79.1.40',
  script: 'ip -o addr show eth1 | grep -q " 10.79.1.40/24" || exit 3; nslookup shop_web 127.0.0.11 | grep -q 10.79.1.2 || exit 4; timeout 3 wget -q -O - http://10.79.1.11/ | grep -qx w1 || exit 5; echo first-try-ok',
};

function taskOf(p: Placed, desiredState: Task['desiredState'] = 'RUNNING'): Task {
  const serve = p.script ?? `mkdir -p /w && echo ${p.name} > /w/index.html && exec httpd -f -p 80 -h /w`;
  const networks: NetworkAttachment[] = [
    ...(p.ingress === undefined ? [] : [{ networkId: 'ingressnet', addresses: [`${p.ingress}/24`], aliases: [] }]),
    { networkId: 'appnetid', addresses: [`${p.appnet}/24`], aliases: [] },
  ];
  return codec.Task.fromPartial({
    id: p.id, serviceId: p.serviceId, nodeId: nodeIds[p.node], slot: 1, desiredState, status: { state: 'ASSIGNED' },
    serviceAnnotations: { name: p.serviceId === 'websvc' ? 'shop_web' : 'client' },
    spec: { restart: { condition: 'NONE' }, container: { image: BUSYBOX_IMAGE, command: ['sh', '-c', serve], stopGracePeriodMs: 1_000, labels: { [TEST_LABEL]: RUN_LABEL } } },
    networks,
    endpoint: p.serviceId === 'websvc' ? webService.endpoint : undefined,
  });
}

const peer = (networkId: string, ip: string, node: number, taskId: string, serviceId: string): OverlayPeer =>
  ({ networkId, ip, mac: macFromIp(ip), vtep: lab.nodes[node]?.ip ?? '', taskId, serviceId, nodeId: nodeIds[node] ?? '', running: true });

/** What the dispatcher would send node `index` while `live` tasks run. */
function assignmentFor(index: number, live: Placed[], stopping: Placed[] = []): { resources: object; tasks: Task[]; nodeAttachments: NetworkAttachment[] } {
  const peers: OverlayPeer[] = [];
  for (const p of live.filter((t) => t.node !== index)) {
    peers.push(peer('appnetid', p.appnet, p.node, p.id, p.serviceId));
    if (p.ingress !== undefined) peers.push(peer('ingressnet', p.ingress, p.node, p.id, p.serviceId));
  }
  for (const other of [0, 1, 2].filter((i) => i !== index)) peers.push(peer('ingressnet', (nodeIngress[other] ?? '').split('/')[0] ?? '', other, '', ''));
  const tasks = [...live.filter((t) => t.node === index).map((t) => taskOf(t)), ...stopping.filter((t) => t.node === index).map((t) => taskOf(t, 'SHUTDOWN'))];
  return {
    resources: { networks: [ingress, appnet], peers, services: [webService, clientService] },
    tasks,
    nodeAttachments: [{ networkId: 'ingressnet', addresses: [nodeIngress[index] ?? ''], aliases: [] }],
  };
}

class NodeChild {
  private output: string[] = [];
  private partial = '';
  constructor(readonly process: ChildProcess) {
    process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      this.output.push(...lines);
    });
  }
  async send(message: object): Promise<string> {
    this.output = this.output.filter((l) => l === 'ready');
    this.process.stdin?.write(`${JSON.stringify(message)}\n`);
    let answer: string | undefined;
    await waitFor('node answered', () => Promise.resolve((answer = this.output.find((l) => /^(ok|error|statuses)/.test(l))) !== undefined), 60_000);
    expect(answer).not.toMatch(/^error/);
    return answer ?? '';
  }
}

let engine: Engine;
const children: (NodeChild | undefined)[] = [];

async function startChild(index: number): Promise<NodeChild> {
  const node = lab.nodes[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  const dir = join(dataDir, `n${index}`);
  const child = new NodeChild(await lab.startNodeIn(node.netnsPath, ['--import', 'tsx', 'test/integration/worker-overlay-child.ts', nodeIds[index] ?? '', node.ip, dir, inject('dockerHost')]));
  children[index] = child;
  return child;
}

async function applyAll(live: Placed[], stopping: Placed[] = []): Promise<void> {
  for (const [i, child] of children.entries()) await child?.send({ apply: assignmentFor(i, live, stopping) });
}

async function statusOf(index: number, taskId: string): Promise<TaskStatusUpdate['status']> {
  const line = await children[index]?.send({ statuses: true });
  const list = JSON.parse((line ?? '').replace(/^statuses /, '')) as TaskStatusUpdate[];
  return list.find((s) => s.taskId === taskId)?.status;
}

async function containerOf(p: Placed): Promise<string> {
  const status = await statusOf(p.node, p.id);
  return status?.containerId ?? '';
}

/** Run a shell line inside a task's container (its resolv.conf, its namespaces). */
async function inContainer(p: Placed, script: string): Promise<{ code: number; stdout: string }> {
  const id = await containerOf(p);
  const result = await runner.run(['timeout', '10', 'docker', '-H', inject('dockerHost'), 'exec', id, 'sh', '-c', script]);
  return { code: result.code, stdout: result.stdout.trim() };
}

async function sample(count: number, ask: () => Promise<string | undefined>): Promise<Set<string | undefined>> {
  const seen = new Set<string | undefined>();
  for (let i = 0; i < count; i++) seen.add(await ask());
  return seen;
}

describe('overlay attacher on namespace hosts with real containers', () => {
  beforeAll(async () => {
    engine = connectEngine(inject('dockerHost'));
    await OverlayLab.cleanLeftovers();
    await lab.createNodes(3);
    await lab.attachToUnderlay('shoalov-outside', '203.0.113.210', 'none');
    // Node 1 plays a host where dockerd shares the node's namespace: FORWARD
    // policy DROP with a DOCKER-USER chain (the mesh must still answer there).
    for (const args of [['-N', 'DOCKER-USER'], ['-A', 'FORWARD', '-j', 'DOCKER-USER'], ['-P', 'FORWARD', 'DROP']]) await sh('ip', 'netns', 'exec', 'shoalov-n1', 'iptables', '-w', ...args);
    for (const i of [0, 1, 2]) await startChild(i);
    await applyAll([web1, web2, client]);
    for (const p of [web1, web2, client]) {
      await waitFor(`${p.name} running`, async () => (await statusOf(p.node, p.id))?.state === 'RUNNING', 60_000);
    }
  });

  afterAll(async () => {
    await lab.teardown();
    await removeLabelledContainers(engine, RUN_LABEL);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives each container its addresses on eth1.. with derived MACs, and the embedded DNS as nameserver', async () => {
    const links = await inContainer(web1, 'ip -o addr show; ip -o link show eth2');
    expect(links.stdout).toContain('eth1    inet 10.79.0.11/24');
    expect(links.stdout).toContain('eth2    inet 10.79.1.11/24');
    expect(links.stdout).toContain(macFromIp('10.79.1.11'));
    // Underlay (the node's eth0) 1500 minus VXLAN's 50 bytes.
    expect(links.stdout).toMatch(/eth2.* mtu 1450 /);
    expect((await inContainer(web1, 'cat /etc/resolv.conf')).stdout).toMatch(/^nameserver 127\.0\.0\.11$/m);
  });

  it('starts a task process with its overlay in place: address, embedded DNS and a remote task answer its first instructions', async () => {
    await applyAll([web1, web2, client, probe]);
    const done = await waitFor('probe finished', async () => ['COMPLETE', 'FAILED', 'REJECTED'].includes((await statusOf(2, probe.id))?.state ?? ''), 60_000).then(() => statusOf(2, probe.id));
    expect(done).toMatchObject({ state: 'COMPLETE', exitCode: 0 });
    // Its namespace was its sandbox's, the one the overlay plumbed.
    const sandboxes = await engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.task.id=${probe.id}`, SANDBOX_LABEL] } });
    expect(sandboxes).toHaveLength(1);
    expect((await engine.getContainer(done?.containerId ?? '').inspect()).HostConfig.NetworkMode).toBe(`container:${sandboxes[0]?.Id ?? ''}`);
    // Finished, its sandbox (still there until the task is removed) no longer holds the overlay.
    const sandboxPid = (await engine.getContainer(sandboxes[0]?.Id ?? '').inspect()).State.Pid;
    await waitFor('probe sandbox off the overlay', async () => !(await sh('nsenter', '-t', String(sandboxPid), '-n', 'ip', '-o', 'link')).includes('eth1'), 10_000);
  });

  it('reaches a task on another host by IP: ping and TCP', async () => {
    expect((await inContainer(client, 'ping -c 1 -W 3 10.79.1.11')).code).toBe(0);
    expect((await inContainer(client, 'timeout 3 wget -q -O - http://10.79.1.11/')).stdout).toBe('w1');
  });

  it('resolves SERVICE to the VIP, tasks.SERVICE to every task, stack short names, and balances the VIP', async () => {
    expect((await inContainer(client, 'nslookup shop_web 127.0.0.11')).stdout).toContain('10.79.1.2');
    // A local task joins the answers once its RUNNING status is out (the reconcile that follows it).
    await waitFor('tasks.web lists both tasks', async () => (await inContainer(client, 'nslookup tasks.web 127.0.0.11')).stdout.includes('10.79.1.12'), 5_000);
    const tasks = (await inContainer(client, 'nslookup tasks.web 127.0.0.11')).stdout;
    expect(tasks).toContain('10.79.1.11');
    expect(tasks).toContain('10.79.1.12');
    // dnsrr service: its name is its task addresses.
    expect((await inContainer(web1, 'nslookup client 127.0.0.11')).stdout).toContain('10.79.1.30');
    const seen = await sample(20, async () => (await inContainer(client, 'timeout 3 wget -q -O - http://web/')).stdout);
    expect(seen).toEqual(new Set(['w1', 'w2']));
  });

  it('publishes the port on every node, including one with no task, balanced across tasks', async () => {
    const n3 = lab.nodes[2]?.ip ?? '';
    expect(await sample(20, () => httpGet('shoalov-outside', `http://${n3}:18080/`))).toEqual(new Set(['w1', 'w2']));
    // Node 1 has dockerd's FORWARD DROP policy: our DOCKER-USER rules let the mesh through.
    expect(await sample(10, () => httpGet('shoalov-outside', `http://${lab.nodes[0]?.ip ?? ''}:18080/`))).toEqual(new Set(['w1', 'w2']));
    expect((await inNs('shoalov-n1', 'iptables', '-w', '-S', 'DOCKER-USER')).stdout).toContain('-o shg+ -j ACCEPT');
  });

  it('drops a stopped task from names, VIP and mesh at once, everywhere', async () => {
    await applyAll([web1, client], [web2]);
    const tasks = (await inContainer(client, 'nslookup tasks.web 127.0.0.11')).stdout;
    expect(tasks).toContain('10.79.1.11');
    expect(tasks).not.toContain('10.79.1.12');
    expect(await sample(10, async () => (await inContainer(client, 'timeout 3 wget -q -O - http://web/')).stdout)).toEqual(new Set(['w1']));
    expect(await sample(10, () => httpGet('shoalov-outside', `http://${lab.nodes[2]?.ip ?? ''}:18080/`))).toEqual(new Set(['w1']));
    await waitFor('w2 stopped', async () => (await statusOf(1, web2.id))?.state === 'SHUTDOWN', 30_000);
  });

  it('keeps traffic across a daemon restart: nothing is torn down before the managers speak, the same container is re-adopted', async () => {
    const before = await containerOf(web1);
    children[0]?.process.kill('SIGKILL');
    await startChild(0);
    // Restarted, no resources yet: the data plane is left as it was.
    expect((await inContainer(client, 'timeout 3 wget -q -O - http://10.79.1.11/')).stdout).toBe('w1');
    await children[0]?.send({ apply: assignmentFor(0, [web1, client]) });
    expect(await containerOf(web1)).toBe(before);
    // One task container and its one sandbox: adopted, neither made again.
    const ofNode = await engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${nodeIds[0] ?? ''}`] } });
    expect(ofNode.map((c) => (c.Labels[SANDBOX_LABEL] === undefined ? 'task' : 'sandbox')).sort()).toEqual(['sandbox', 'task']);
    expect((await inContainer(client, 'timeout 3 wget -q -O - http://10.79.1.11/')).stdout).toBe('w1');
    expect(await httpGet('shoalov-outside', `http://${lab.nodes[0]?.ip ?? ''}:18080/`)).toBe('w1');
  });

  it('leaves nothing behind on leave: no namespace, overlay link, nftables table or container', async () => {
    await children[0]?.send({ leave: true });
    const node = lab.nodes[0];
    if (node === undefined) throw new Error('no node');
    expect(await sh('ip', 'netns', 'list')).not.toContain(`shoal-${overlayNodeTag(nodeIds[0] ?? '')}-`);
    await waitFor('no overlay links left', async () => !/sh[gxb]\d|ve[0-9a-f]{10}/.test(await sh('ip', '-n', node.name, 'link', 'show')));
    expect((await inNs(node.name, 'nft', 'list', 'tables')).stdout).not.toMatch(/shoal/);
    expect((await inNs(node.name, 'iptables', '-w', '-S', 'DOCKER-USER')).stdout).not.toContain('shg');
    const left = await engine.listContainers({ all: true, filters: { label: [`com.docker.swarm.node.id=${nodeIds[0] ?? ''}`] } });
    expect(left).toEqual([]);
  });
});
