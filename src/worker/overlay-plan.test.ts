import { describe, expect, it } from 'vitest';
import { codec, type Network, type OverlayPeer, type Service, type Task } from '../gen/index.js';
import { macFromIp, vxlanIdOption } from '../overlay/index.js';
import { emptyNodeResources, peerKey, type NodeResources } from './node-resources.js';
import { planNodeOverlay, type OverlayPlanInput } from './overlay-plan.js';

// Objects in the shape the allocator writes (src/manager/allocator/README.md on branch overlay-ctl).
const network = (id: string, name: string, vni: number, subnet: string, ingress = false): Network =>
  codec.Network.fromPartial({
    id,
    spec: { annotations: { name }, driver: { name: 'overlay' }, ingress },
    driverState: { name: 'overlay', options: { [vxlanIdOption]: String(vni) } },
    ipam: [{ subnet: `${subnet}.0/24`, gateway: `${subnet}.1` }],
  });
const ingress = network('ing', 'ingress', 4096, '10.0.0', true);
const appnet = network('app', 'appnet', 4097, '10.0.1');

const service = (id: string, name: string, extra: Parameters<typeof codec.Service.fromPartial>[0] = {}): Service =>
  codec.Service.fromPartial({ id, spec: { annotations: { name, labels: { 'com.docker.stack.namespace': 'shop' } } }, ...extra });
const web = service('svc-web', 'shop_web', {
  endpoint: {
    spec: { mode: 'VIP' },
    ports: [{ protocol: 'TCP', targetPort: 80, publishedPort: 8080, publishMode: 'INGRESS' }],
    virtualIps: [{ networkId: 'app', addr: '10.0.1.2/24' }, { networkId: 'ing', addr: '10.0.0.2/24' }],
  },
});

const task = (id: string, serviceId: string, networks: [string, string][], desiredState: Task['desiredState'] = 'RUNNING'): Task =>
  codec.Task.fromPartial({ id, serviceId, nodeId: 'n1', desiredState, networks: networks.map(([networkId, address]) => ({ networkId, addresses: [address] })) });

const peer = (networkId: string, ip: string, vtep: string, serviceId = '', taskId = ''): OverlayPeer =>
  ({ networkId, ip, mac: macFromIp(ip), vtep, taskId, serviceId, nodeId: 'n2', running: true });

function resources(networks: Network[], services: Service[], peers: OverlayPeer[]): NodeResources {
  return {
    ...emptyNodeResources(),
    networks: new Map(networks.map((n) => [n.id, n])),
    services: new Map(services.map((s) => [s.id, s])),
    peers: new Map(peers.map((p) => [peerKey(p), p])),
  };
}

const base: OverlayPlanInput = {
  vtep: '198.51.100.11',
  dataPathPort: 4789,
  nodeIngressAddress: '10.0.0.3/24',
  resources: resources([ingress, appnet], [web], [
    peer('app', '10.0.1.6', '198.51.100.12', 'svc-web', 't2'),
    peer('ing', '10.0.0.6', '198.51.100.12', 'svc-web', 't2'),
    peer('ing', '10.0.0.4', '198.51.100.12'),
  ]),
  running: [{ task: task('t1', 'svc-web', [['ing', '10.0.0.5/24'], ['app', '10.0.1.5/24']]), pid: 4242, ready: true }],
};

describe('planNodeOverlay', () => {
  it('joins the networks of running tasks and ingress, with eth1.. endpoints, peers and the node ingress address', () => {
    const { state, unusable } = planNodeOverlay(base);
    expect(unusable.size).toBe(0);
    expect(state.dataPlane.networks).toEqual([
      { id: 'app', vni: 4097, subnet: '10.0.1.0/24', gateway: '10.0.1.1', mtu: undefined, nodeAddress: undefined },
      { id: 'ing', vni: 4096, subnet: '10.0.0.0/24', gateway: '10.0.0.1', mtu: undefined, nodeAddress: '10.0.0.3' },
    ]);
    expect(state.dataPlane.localEndpoints).toEqual([
      { networkId: 'ing', taskId: 't1', pid: 4242, ip: '10.0.0.5', ifName: 'eth1' },
      { networkId: 'app', taskId: 't1', pid: 4242, ip: '10.0.1.5', ifName: 'eth2' },
    ]);
    expect(state.dataPlane.peers.map((p) => p.ip).sort()).toEqual(['10.0.0.4', '10.0.0.6', '10.0.1.6']);
  });

  it('names SERVICE, tasks.SERVICE and the stack short name from local and remote tasks', () => {
    const names = planNodeOverlay(base).state.names.get('app');
    expect(names?.get('shop_web')).toEqual(['10.0.1.2']);
    expect(names?.get('web')).toEqual(['10.0.1.2']);
    expect(names?.get('tasks.web')).toEqual(['10.0.1.5', '10.0.1.6']);
  });

  it('balances the VIP and redirects 127.0.0.11 to the first overlay gateway inside each container', () => {
    expect(planNodeOverlay(base).state.containers).toEqual([{
      netnsPath: '/proc/4242/ns/net',
      spec: { services: [{ vip: '10.0.1.2', backends: ['10.0.1.6', '10.0.1.5'] }], dns: { dnsAddress: '10.0.1.1', sourceAddress: '10.0.1.5' } },
      dnsLink: 'eth2',
    }]);
  });

  it('publishes ingress ports on the mesh across local and remote tasks', () => {
    expect(planNodeOverlay(base).state.mesh).toEqual({
      ingressLink: 'shg4096', nodeIngressAddress: '10.0.0.3', hostPorts: [],
      published: [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80, backends: ['10.0.0.6', '10.0.0.5'], localBackends: ['10.0.0.5'], preserveSourceIp: false }],
    });
  });

  it('keeps ingress and the mesh on a node without tasks while a service publishes ports', () => {
    const { state } = planNodeOverlay({ ...base, running: [] });
    expect(state.dataPlane.networks.map((n) => n.id)).toEqual(['ing']);
    expect(state.mesh?.published[0]?.backends).toEqual(['10.0.0.6']);
    const quiet = planNodeOverlay({ ...base, running: [], resources: resources([ingress, appnet], [], []) });
    expect(quiet.state.dataPlane.networks).toEqual([]);
    expect(quiet.state.mesh).toBeUndefined();
  });

  it('drops a task being stopped from names and VIPs at once, but keeps its interface while its container runs', () => {
    const stopping = { ...base, running: [{ task: task('t1', 'svc-web', [['app', '10.0.1.5/24']], 'SHUTDOWN'), pid: 4242, ready: true }] };
    const { state } = planNodeOverlay(stopping);
    expect(state.names.get('app')?.get('tasks.web')).toEqual(['10.0.1.6']);
    expect(state.dataPlane.localEndpoints).toHaveLength(1);
  });

  it('plumbs a task that is not RUNNING yet (starting, health pending) but sends it no traffic', () => {
    const starting = { ...base, running: [{ task: task('t1', 'svc-web', [['ing', '10.0.0.5/24'], ['app', '10.0.1.5/24']]), pid: 4242, ready: false }] };
    const { state } = planNodeOverlay(starting);
    expect(state.dataPlane.localEndpoints).toHaveLength(2);
    expect(state.names.get('app')?.get('tasks.web')).toEqual(['10.0.1.6']);
    expect(state.mesh?.published[0]?.backends).toEqual(['10.0.0.6']);
  });

  it('forwards frames to a remote task that is not RUNNING yet but gives it no names, VIP or mesh traffic', () => {
    const remoteStarting = { ...peer('app', '10.0.1.6', '198.51.100.12', 'svc-web', 't2'), running: false };
    const remoteStartingIngress = { ...peer('ing', '10.0.0.6', '198.51.100.12', 'svc-web', 't2'), running: false };
    const input = { ...base, resources: resources([ingress, appnet], [web], [remoteStarting, remoteStartingIngress, peer('ing', '10.0.0.4', '198.51.100.12')]) };
    const { state } = planNodeOverlay(input);
    expect(state.dataPlane.peers.map((p) => p.ip).sort()).toEqual(['10.0.0.4', '10.0.0.6', '10.0.1.6']);
    expect(state.names.get('app')?.get('tasks.web')).toEqual(['10.0.1.5']);
    expect(state.mesh?.published[0]?.backends).toEqual(['10.0.0.5']);
  });

  it('says which networks it cannot join: unknown, no VNI, no ingress address yet', () => {
    const broken = network('bad', 'broken', 0, '10.0.2');
    const { unusable, state } = planNodeOverlay({
      ...base,
      nodeIngressAddress: undefined,
      resources: resources([ingress, broken], [web], []),
      running: [{ task: task('t1', 'svc-web', [['ing', '10.0.0.5/24'], ['bad', '10.0.2.5/24'], ['gone', '10.0.3.5/24']]), pid: 1, ready: true }],
    });
    expect(Object.fromEntries(unusable)).toEqual({
      bad: 'network broken has no valid VXLAN ID (com.docker.network.driver.overlay.vxlanid_list="0")',
      gone: 'network gone is not known on this node yet',
      ing: 'this node has no address on the ingress network yet',
    });
    expect(state.dataPlane.networks).toEqual([]);
    expect(state.mesh).toBeUndefined();
  });

  it('plans a task only on internal networks (no engine bridge, no eth0) as any other: eth1.., DNS redirected on its first overlay', () => {
    const back = codec.Network.fromPartial({ ...network('back', 'backnet', 4098, '10.0.2'), spec: { annotations: { name: 'backnet' }, driver: { name: 'overlay' }, internal: true } });
    const { state, unusable } = planNodeOverlay({
      ...base,
      resources: resources([ingress, appnet, back], [], []),
      running: [
        { task: task('t1', 'svc-db', [['back', '10.0.2.5/24']]), pid: 4242, ready: true },
        { task: task('t2', 'svc-api', [['back', '10.0.2.6/24'], ['app', '10.0.1.6/24']]), pid: 4343, ready: true },
      ],
    });
    expect(unusable.size).toBe(0);
    expect(state.dataPlane.localEndpoints).toEqual([
      { networkId: 'back', taskId: 't1', pid: 4242, ip: '10.0.2.5', ifName: 'eth1' },
      { networkId: 'back', taskId: 't2', pid: 4343, ip: '10.0.2.6', ifName: 'eth1' },
      { networkId: 'app', taskId: 't2', pid: 4343, ip: '10.0.1.6', ifName: 'eth2' },
    ]);
    expect(state.containers.map((c) => [c.dnsLink, c.spec.dns])).toEqual([
      ['eth1', { dnsAddress: '10.0.2.1', sourceAddress: '10.0.2.5' }],
      ['eth1', { dnsAddress: '10.0.2.1', sourceAddress: '10.0.2.6' }],
    ]);
  });
});
