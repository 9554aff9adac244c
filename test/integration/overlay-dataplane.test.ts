// Three namespace hosts, one overlay: cross-node ping and TCP by IP, a
// daemon restart (a fresh NetworkDataPlane) that keeps an established TCP
// connection, and removal that leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkDataPlane, macFromIp, type DataPlaneDesiredState, type DesiredEndpoint, type DesiredNetwork } from '../../src/overlay/index.js';
import { OverlayLab, httpGet, inNs, runner, sh, waitFor, type TestNode } from './overlay-harness.js';

const lab = new OverlayLab();
const network: DesiredNetwork = { id: 'appnet', vni: 4101, subnet: '10.77.1.0/24', gateway: '10.77.1.1' };
// Endpoint a on node 1, b on node 2, c on node 3.
const placement = [
  { taskId: 'task-a', container: 'c-a', ip: '10.77.1.10', node: 0 },
  { taskId: 'task-b', container: 'c-b', ip: '10.77.1.20', node: 1 },
  { taskId: 'task-c', container: 'c-c', ip: '10.77.1.30', node: 2 },
];

function nodeAt(index: number): TestNode {
  const node = lab.nodes[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  return node;
}

// Container c-c is addressed by the pid of a process inside it, as the worker
// will do with Docker's State.Pid; the others by namespace path.
let pidOfC: number | undefined;

function desiredFor(nodeIndex: number, live = placement): DataPlaneDesiredState {
  const endpoints: DesiredEndpoint[] = live.filter((p) => p.node === nodeIndex)
    .map((p) => (p.container === 'c-c'
      ? { networkId: network.id, taskId: p.taskId, pid: pidOfC, ip: p.ip }
      : { networkId: network.id, taskId: p.taskId, containerNetnsPath: `/run/netns/shoalov-${p.container}`, ip: p.ip }));
  const peers = live.filter((p) => p.node !== nodeIndex).map((p) => ({ networkId: network.id, ip: p.ip, mac: macFromIp(p.ip), vtep: nodeAt(p.node).ip }));
  // A non-default --data-path-port, to prove it reaches the VXLAN devices.
  return { vtep: nodeAt(nodeIndex).ip, dataPathPort: 7789, networks: [network], localEndpoints: endpoints, peers };
}

function planeFor(nodeIndex: number): NetworkDataPlane {
  const node = nodeAt(nodeIndex);
  return new NetworkDataPlane({ runner, nodeTag: node.tag, nodeNetnsPath: node.netnsPath });
}

describe('overlay data plane in namespace hosts', () => {
  beforeAll(async () => {
    await OverlayLab.cleanLeftovers();
    await lab.createNodes(3);
    for (const p of placement) await lab.createContainer(p.container);
    pidOfC = lab.start(['ip', 'netns', 'exec', 'shoalov-c-c', 'sleep', '600']).pid;
    await waitFor('sleep inside c-c', async () => (await sh('ip', 'netns', 'identify', String(pidOfC))).trim() === 'shoalov-c-c');
    for (let i = 0; i < 3; i++) await planeFor(i).reconcile(desiredFor(i));
    for (const p of placement) await lab.startHttpd(p.container);
  });
  afterAll(async () => {
    await lab.teardown();
  });

  it('pings and speaks TCP across nodes by IP', async () => {
    const ping = await inNs('shoalov-c-a', 'busybox', 'ping', '-c', '1', '-W', '2', '10.77.1.20');
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    expect(await httpGet('shoalov-c-a', 'http://10.77.1.30/')).toBe('c-c');
    expect(await httpGet('shoalov-c-c', 'http://10.77.1.20/')).toBe('c-b');
  });

  it('uses MTU underlay-50, the data path port, and static peers only', async () => {
    const link = JSON.parse(await sh('ip', '-n', 'shoalov-c-a', '-j', 'link', 'show', 'ov4101')) as { mtu: number; address: string }[];
    expect(link[0]).toMatchObject({ mtu: 1450, address: macFromIp('10.77.1.10') });
    const fdb = await sh('bridge', '-n', 'shoal-ovt1-4101', 'fdb', 'show', 'dev', 'vxlan0');
    expect(fdb).toContain(`${macFromIp('10.77.1.20')} dst 203.0.113.202`);
    expect(fdb).not.toContain('00:00:00:00:00:00');
    expect(await sh('ip', '-n', 'shoal-ovt1-4101', '-d', 'link', 'show', 'vxlan0')).toMatch(/vxlan id 4101 local 203\.0\.113\.201 .*dstport 7789/);
    expect(await sh('ip', 'netns', 'exec', nodeAt(0).name, 'ss', '-lun')).toContain(':7789');
  });

  it('is idempotent: a second reconcile runs no commands', async () => {
    for (let i = 0; i < 3; i++) expect(await planeFor(i).reconcile(desiredFor(i))).toEqual({ steps: [], failedEndpoints: [] });
  });

  it('reports an endpoint whose container is gone, undoes it, and still converges the rest', async () => {
    const desired = desiredFor(0);
    const ghost = { networkId: network.id, taskId: 'task-ghost', containerNetnsPath: '/run/netns/shoalov-gone', ip: '10.77.1.99' };
    const report = await planeFor(0).reconcile({ ...desired, localEndpoints: [ghost, ...desired.localEndpoints] });
    expect(report.failedEndpoints.map((f) => f.taskId)).toEqual(['task-ghost']);
    const links = await sh('ip', '-n', 'shoal-ovt1-4101', '-o', 'link', 'show');
    expect(links.match(/ ve[0-9a-f]{10}@/g)).toHaveLength(1);
    expect(await sh('ip', '-n', nodeAt(0).name, '-o', 'link', 'show')).not.toMatch(/ v[et][0-9a-f]{10}/);
    expect(await httpGet('shoalov-c-a', 'http://10.77.1.20/')).toBe('c-b');
  });

  it('keeps an established TCP connection across a restart-and-reconcile', async () => {
    const server = lab.start(['ip', 'netns', 'exec', 'shoalov-c-b', 'busybox', 'nc', '-l', '-p', '9000']);
    let received = '';
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    await waitFor('nc listening', async () => (await inNs('shoalov-c-b', 'busybox', 'netstat', '-ltn')).stdout.includes(':9000 '));
    const client = lab.start(['ip', 'netns', 'exec', 'shoalov-c-a', 'busybox', 'nc', '10.77.1.20', '9000']);
    client.stdin?.write('before\n');
    await waitFor('first line through the overlay', () => Promise.resolve(received.includes('before')));
    // "Restart": new instances with no memory, reconciling from desired state.
    for (let i = 0; i < 3; i++) await planeFor(i).reconcile(desiredFor(i));
    client.stdin?.write('after\n');
    await waitFor('second line on the same connection', () => Promise.resolve(received.includes('after')));
    expect(client.exitCode).toBeNull();
  });

  it('removes a stopped endpoint and its peers, then everything, leaving no trace', async () => {
    const withoutC = placement.filter((p) => p.taskId !== 'task-c');
    for (let i = 0; i < 3; i++) await planeFor(i).reconcile(desiredFor(i, withoutC));
    expect(await sh('bridge', '-n', 'shoal-ovt1-4101', 'fdb', 'show', 'dev', 'vxlan0')).not.toContain(macFromIp('10.77.1.30'));
    expect(await sh('ip', '-n', 'shoal-ovt1-4101', 'neigh', 'show', 'dev', 'vxlan0')).not.toContain('10.77.1.30');
    expect(await sh('ip', '-n', 'shoalov-c-c', 'link', 'show')).not.toContain('ov4101');
    for (let i = 0; i < 3; i++) await planeFor(i).destroy();
    const namespaces = await sh('ip', 'netns', 'list');
    expect(namespaces).not.toContain('shoal-ovt');
    for (const node of lab.nodes) {
      await waitFor(`no shg/shx links left in ${node.name}`, async () => !/sh[gx]\d/.test(await sh('ip', '-n', node.name, 'link', 'show')));
    }
    expect(await sh('ip', '-n', 'shoalov-c-a', 'link', 'show')).not.toContain('ov4101');
  });
});
