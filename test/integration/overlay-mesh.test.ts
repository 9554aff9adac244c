// Services over the overlay in three namespace hosts: VIP balancing,
// embedded DNS, and the routing mesh (TCP and UDP; from outside, from the
// node itself; on a node with no task; source-preserving ports), then a
// restart that keeps an established mesh connection, then full cleanup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NodeOverlay, hostLinkName, macFromIp,
  type ContainerVips, type DataPlaneDesiredState, type DesiredNetwork, type NamedService, type NodeOverlayState, type RoutingMeshSpec,
} from '../../src/overlay/index.js';
import { OverlayLab, httpGet, inNs, runner, sh, waitFor, type TestNode } from './overlay-harness.js';
import { udpAskScript, udpEchoScript } from './overlay-udp-helpers.js';

const lab = new OverlayLab();
const ingress: DesiredNetwork = { id: 'ingress', vni: 4096, subnet: '10.78.0.0/24', gateway: '10.78.0.1' };
const appnet: DesiredNetwork = { id: 'appnet', vni: 4102, subnet: '10.78.1.0/24', gateway: '10.78.1.1' };
const nodeIngressAddresses = ['10.78.0.2', '10.78.0.3', '10.78.0.4'];
const webVip = '10.78.1.2';

interface Attachment { taskId: string; container: string; node: number; appnetIp: string; ingressIp?: string }
// Two web tasks (nodes 1 and 2) on both networks; a client task on node 3 (no web task there).
const attachments: Attachment[] = [
  { taskId: 'w1', container: 'c-w1', node: 0, appnetIp: '10.78.1.11', ingressIp: '10.78.0.11' },
  { taskId: 'w2', container: 'c-w2', node: 1, appnetIp: '10.78.1.12', ingressIp: '10.78.0.12' },
  { taskId: 'cl', container: 'c-cl', node: 2, appnetIp: '10.78.1.30' },
];
const webIngressIps = ['10.78.0.11', '10.78.0.12'];

function nodeAt(index: number): TestNode {
  const node = lab.nodes[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  return node;
}

function desiredFor(index: number): DataPlaneDesiredState {
  const networks = [{ ...ingress, nodeAddress: nodeIngressAddresses[index] }, appnet];
  const localEndpoints = attachments.filter((a) => a.node === index).flatMap((a) => [
    { networkId: 'appnet', taskId: a.taskId, containerNetnsPath: `/run/netns/shoalov-${a.container}`, ip: a.appnetIp, ifName: 'eth1' },
    ...(a.ingressIp === undefined ? [] : [{ networkId: 'ingress', taskId: a.taskId, containerNetnsPath: `/run/netns/shoalov-${a.container}`, ip: a.ingressIp, ifName: 'eth0' }]),
  ]);
  const remote = attachments.filter((a) => a.node !== index);
  const peers = [
    ...remote.map((a) => ({ networkId: 'appnet', ip: a.appnetIp, mac: macFromIp(a.appnetIp), vtep: nodeAt(a.node).ip })),
    ...remote.flatMap((a) => (a.ingressIp === undefined ? [] : [{ networkId: 'ingress', ip: a.ingressIp, mac: macFromIp(a.ingressIp), vtep: nodeAt(a.node).ip }])),
    // Every node's own ingress address is a peer too: mesh replies come back to it.
    ...[0, 1, 2].filter((i) => i !== index).map((i) => ({ networkId: 'ingress', ip: nodeIngressAddresses[i] ?? '', mac: macFromIp(nodeIngressAddresses[i] ?? ''), vtep: nodeAt(i).ip })),
  ];
  return { vtep: nodeAt(index).ip, dataPathPort: 4789, networks, localEndpoints, peers };
}

function meshFor(index: number, extraBackendsFor9000: string[] = []): RoutingMeshSpec {
  const localWeb = attachments.filter((a) => a.node === index && a.ingressIp !== undefined).map((a) => a.ingressIp ?? '');
  return {
    ingressLink: hostLinkName(ingress.vni),
    nodeIngressAddress: nodeIngressAddresses[index] ?? '',
    published: [
      { protocol: 'tcp', publishedPort: 8080, targetPort: 80, backends: webIngressIps, localBackends: localWeb, preserveSourceIp: false },
      { protocol: 'tcp', publishedPort: 8081, targetPort: 80, backends: webIngressIps, localBackends: localWeb, preserveSourceIp: true },
      { protocol: 'udp', publishedPort: 5300, targetPort: 5300, backends: webIngressIps, localBackends: localWeb, preserveSourceIp: false },
      { protocol: 'tcp', publishedPort: 9000, targetPort: 9000, backends: ['10.78.0.11', ...extraBackendsFor9000], localBackends: [], preserveSourceIp: false },
    ],
    // mode=host: published only where a task runs (node 1), straight to it.
    hostPorts: index === 0 ? [{ protocol: 'tcp', publishedPort: 7080, targetIp: '10.78.0.11', targetPort: 80 }] : [],
  };
}

const clientVips = (withDns: boolean): ContainerVips => ({
  netnsPath: '/run/netns/shoalov-c-cl',
  spec: withDns ? { services: [{ vip: webVip, backends: ['10.78.1.11', '10.78.1.12'] }], dns: { dnsAddress: appnet.gateway, sourceAddress: '10.78.1.30' } } : { services: [] },
  dnsLink: 'eth1',
});

const webService = (tasks: string[]): NamedService[] => [
  { name: 'shop_web', stackNamespace: 'shop', endpointMode: 'vip', vips: [{ networkId: 'appnet', ip: webVip }], tasks: tasks.map((ip) => ({ networkId: 'appnet', ip })) },
];

// Node 3 (no web task, the client's node) is driven like the real daemon:
// a process inside its namespace running NodeOverlay with the embedded DNS.
// Nodes 1 and 2 are driven from here through nsenter, a fresh NodeOverlay
// each time (as after a restart).
let node3: ChildProcess | undefined;
let node3Output = '';

async function startNode3(): Promise<void> {
  node3 = await lab.startNodeIn(nodeAt(2).netnsPath, ['--import', 'tsx', 'test/integration/overlay-node-child.ts', nodeAt(2).tag]);
  node3.stdout?.setEncoding('utf8').on('data', (chunk: string) => (node3Output += chunk));
}

async function applyNode3(state: Omit<NodeOverlayState, 'names'>, services: NamedService[]): Promise<void> {
  node3Output = '';
  node3?.stdin?.write(`${JSON.stringify({ state, services })}\n`);
  await waitFor('node 3 applied its state', () => Promise.resolve(/^(ok|error) .*\n/m.test(node3Output)), 20_000);
  expect(node3Output).toMatch(/^ok \{"failedEndpoints":\[\],"failedContainers":\[\]\}/);
}

async function applyAll(extraBackendsFor9000: string[] = [], services = webService(['10.78.1.11', '10.78.1.12'])): Promise<void> {
  for (const i of [0, 1]) {
    const overlay = new NodeOverlay({ runner, nodeTag: nodeAt(i).tag, nodeNetnsPath: nodeAt(i).netnsPath });
    const report = await overlay.apply({ dataPlane: desiredFor(i), containers: [], mesh: meshFor(i, extraBackendsFor9000), names: new Map() });
    expect(report).toEqual({ failedEndpoints: [], failedContainers: [] });
  }
  await applyNode3({ dataPlane: desiredFor(2), containers: [clientVips(true)], mesh: meshFor(2, extraBackendsFor9000) }, services);
}

/** The client address busybox httpd reports to CGI ("[::ffff:a.b.c.d]" → "a.b.c.d"). */
async function remoteAddressSeen(url: string): Promise<string | undefined> {
  return (await httpGet('shoalov-outside', url))?.replace(/^\[::ffff:(.*)\]$/, '$1');
}

/** Collect the distinct answers of `count` requests. */
async function sample(count: number, ask: () => Promise<string | undefined>): Promise<Set<string | undefined>> {
  const seen = new Set<string | undefined>();
  for (let i = 0; i < count; i++) seen.add(await ask());
  return seen;
}

describe('service mesh in namespace hosts', () => {
  beforeAll(async () => {
    await OverlayLab.cleanLeftovers();
    await lab.createNodes(3);
    await lab.attachToUnderlay('shoalov-outside', '203.0.113.210', 'none');
    for (const a of attachments) await lab.createContainer(a.container, '127.0.0.11');
    await startNode3();
    await applyAll();
    for (const a of attachments.slice(0, 2)) {
      await lab.startHttpd(a.container);
      await lab.startNodeIn(`/run/netns/shoalov-${a.container}`, ['-e', udpEchoScript(5300, a.container)]);
    }
  });
  afterAll(async () => {
    await lab.teardown();
  });

  it('balances a VIP across tasks on two other nodes', async () => {
    const seen = await sample(30, () => httpGet('shoalov-c-cl', `http://${webVip}/`));
    expect(seen).toEqual(new Set(['c-w1', 'c-w2']));
  });

  it('resolves SERVICE to the VIP, tasks.SERVICE to task IPs, and the stack short name, via the gateway and 127.0.0.11', async () => {
    const viaGateway = await inNs('shoalov-c-cl', 'timeout', '3', 'busybox', 'nslookup', 'shop_web', appnet.gateway);
    expect(viaGateway.stdout).toContain(webVip);
    const tasks = await inNs('shoalov-c-cl', 'timeout', '3', 'busybox', 'nslookup', 'tasks.web', '127.0.0.11');
    expect(tasks.stdout).toContain('10.78.1.11');
    expect(tasks.stdout).toContain('10.78.1.12');
    expect(await httpGet('shoalov-c-cl', 'http://web/')).toMatch(/^c-w[12]$/);
  });

  it('forwards other names to the host resolver', async () => {
    const outside = await inNs('shoalov-c-cl', 'timeout', '3', 'busybox', 'nslookup', 'outside.example', '127.0.0.11');
    expect(outside.stdout).toContain('198.51.100.7');
  });

  it('drops a stopped task from DNS answers at once', async () => {
    await applyNode3({ dataPlane: desiredFor(2), containers: [clientVips(true)], mesh: meshFor(2) }, webService(['10.78.1.11']));
    const tasks = await inNs('shoalov-c-cl', 'timeout', '3', 'busybox', 'nslookup', 'tasks.web', '127.0.0.11');
    expect(tasks.stdout).toContain('10.78.1.11');
    expect(tasks.stdout).not.toContain('10.78.1.12');
  });

  it('publishes a port on a node with no task, balanced across tasks, from outside and from the node itself', async () => {
    const n3 = nodeAt(2);
    expect(await sample(30, () => httpGet('shoalov-outside', `http://${n3.ip}:8080/`))).toEqual(new Set(['c-w1', 'c-w2']));
    expect(await sample(30, () => httpGet(n3.name, 'http://127.0.0.1:8080/'))).toEqual(new Set(['c-w1', 'c-w2']));
    expect(await sample(30, () => httpGet(n3.name, `http://${n3.ip}:8080/`))).toEqual(new Set(['c-w1', 'c-w2']));
    // Without preserve, the task sees the ingress node's mesh address.
    expect(await remoteAddressSeen(`http://${n3.ip}:8080/cgi-bin/ip`)).toBe(nodeIngressAddresses[2]);
  });

  it('balances UDP through the mesh', async () => {
    const result = await runner.run(['nsenter', '--net=/run/netns/shoalov-outside', process.execPath, '-e', udpAskScript(nodeAt(2).ip, 5300, 30)]);
    expect(new Set(JSON.parse(result.stdout) as (string | null)[])).toEqual(new Set(['c-w1', 'c-w2']));
  });

  it('keeps the client address on source-preserving ports served by a local task', async () => {
    const n1 = nodeAt(0);
    expect(await sample(5, () => httpGet('shoalov-outside', `http://${n1.ip}:8081/`))).toEqual(new Set(['c-w1']));
    expect(await remoteAddressSeen(`http://${n1.ip}:8081/cgi-bin/ip`)).toBe('203.0.113.210');
    // A node without a local task still answers, through SNAT.
    expect(await remoteAddressSeen(`http://${nodeAt(2).ip}:8081/cgi-bin/ip`)).toBe(nodeIngressAddresses[2]);
  });

  it('publishes host-mode ports only on the node running the task, keeping the client address', async () => {
    expect(await httpGet('shoalov-outside', `http://${nodeAt(0).ip}:7080/`)).toBe('c-w1');
    expect(await remoteAddressSeen(`http://${nodeAt(0).ip}:7080/cgi-bin/ip`)).toBe('203.0.113.210');
    expect(await httpGet('shoalov-outside', `http://${nodeAt(1).ip}:7080/`)).toBeUndefined();
  });

  it('keeps an established mesh connection across a restart, a reconcile and a rule swap', async () => {
    const server = lab.start(['ip', 'netns', 'exec', 'shoalov-c-w1', 'busybox', 'nc', '-l', '-p', '9000']);
    let received = '';
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    await waitFor('nc listening', async () => (await inNs('shoalov-c-w1', 'busybox', 'netstat', '-ltn')).stdout.includes(':9000 '));
    const client = lab.start(['ip', 'netns', 'exec', 'shoalov-outside', 'busybox', 'nc', nodeAt(2).ip, '9000']);
    client.stdin?.write('before\n');
    await waitFor('first line through the mesh', () => Promise.resolve(received.includes('before')));
    // Restart node 3's "daemon" (the process doing the mesh NAT for this
    // connection) and re-apply everywhere, with another backend for 9000.
    node3?.kill('SIGKILL');
    await startNode3();
    await applyAll(['10.78.0.12']);
    client.stdin?.write('after\n');
    await waitFor('second line on the same connection', () => Promise.resolve(received.includes('after')));
    expect(client.exitCode).toBeNull();
  });

  it('lets tasks reach the node only for DNS: other node services on the gateway are dropped', async () => {
    const n3 = nodeAt(2);
    const root = mkdtempSync(join(tmpdir(), 'shoalov-node-'));
    writeFileSync(join(root, 'index.html'), 'node\n');
    lab.start(['ip', 'netns', 'exec', n3.name, 'busybox', 'httpd', '-f', '-p', `${appnet.gateway}:7777`, '-h', root]);
    await waitFor('node-local httpd', async () => (await inNs(n3.name, 'busybox', 'netstat', '-ltn')).stdout.includes(':7777 '));
    expect(await httpGet(n3.name, `http://${appnet.gateway}:7777/`)).toBe('node');
    rmSync(root, { recursive: true, force: true });
    expect((await inNs('shoalov-c-cl', 'timeout', '2', 'busybox', 'wget', '-q', '-O', '-', `http://${appnet.gateway}:7777/`)).code).not.toBe(0);
    expect((await inNs('shoalov-c-cl', 'timeout', '3', 'busybox', 'nslookup', 'web', appnet.gateway)).stdout).toContain(webVip);
  });

  it('removes everything: no namespace, link, nft table or FDB entry left', async () => {
    for (const i of [0, 1]) await new NodeOverlay({ runner, nodeTag: nodeAt(i).tag, nodeNetnsPath: nodeAt(i).netnsPath }).shutdown();
    await applyNode3({ dataPlane: { vtep: nodeAt(2).ip, dataPathPort: 4789, networks: [], localEndpoints: [], peers: [] }, containers: [clientVips(false)] }, []);
    expect(await sh('ip', 'netns', 'list')).not.toContain('shoal-ovt');
    for (const node of lab.nodes) {
      expect((await inNs(node.name, 'nft', 'list', 'tables')).stdout.trim()).toBe('');
      await waitFor(`no overlay links left in ${node.name}`, async () => !/sh[gx]\d/.test(await sh('ip', '-n', node.name, 'link', 'show')));
    }
    expect((await inNs('shoalov-c-cl', 'nft', 'list', 'tables')).stdout.trim()).toBe('');
    for (const a of attachments) {
      await waitFor(`no overlay links left in ${a.container}`, async () => !/eth[01]@/.test(await sh('ip', '-n', `shoalov-${a.container}`, 'link', 'show')));
    }
  });
});
