import { describe, expect, it } from 'vitest';
import { codec, type Network, type Node, type Secret, type Service, type Task, type TaskStatus_State } from '../../gen/index.js';
import { nodeAssignments, type NetworkEndpoint, type NodeAssignmentSource } from './node-assignments.js';

const net = (id: string, ingress = false): Network => codec.Network.fromPartial({ id, meta: { version: { index: 1 } }, spec: { annotations: { name: id }, ingress } });
const secret = (id: string): Secret => codec.Secret.fromPartial({ id, meta: { version: { index: 3 } }, spec: { annotations: { name: id }, data: new Uint8Array([1]) } });
const service = (id: string, published = 0): Service =>
  codec.Service.fromPartial({ id, meta: { version: { index: 2 } }, endpoint: { ports: published ? [{ targetPort: 80, publishedPort: published, publishMode: 'INGRESS' }] : [] } });

function task(id: string, nodeId: string, opts: { state?: TaskStatus_State; desired?: TaskStatus_State; addr?: string; secrets?: string[] } = {}): Task {
  return codec.Task.fromPartial({
    id,
    nodeId,
    serviceId: 'svc',
    meta: { version: { index: 5 } },
    desiredState: opts.desired ?? 'RUNNING',
    status: { state: opts.state ?? 'RUNNING' },
    spec: { container: { image: 'x', secrets: (opts.secrets ?? []).map((secretId) => ({ secretId, secretName: secretId })) } },
    networks: opts.addr ? [{ networkId: 'appnet', addresses: [opts.addr] }] : [],
  });
}

/** A store with three nodes; endpoints derived from the tasks as the leader's view does. */
function source(tasks: Task[], extra: { nodeEndpoints?: NetworkEndpoint[]; services?: Service[] } = {}): NodeAssignmentSource {
  const networks = new Map([net('appnet'), net('ingress', true)].map((n) => [n.id, n]));
  const services = new Map([service('svc'), ...(extra.services ?? [])].map((s) => [s.id, s]));
  const nodes = new Map<string, Node>(['n1', 'n2', 'n3'].map((id, i) => [id, codec.Node.fromPartial({ id, dataPathAddr: `10.9.0.${i + 1}` })]));
  return {
    tasksOnNode: (nodeId) => tasks.filter((t) => t.nodeId === nodeId),
    node: (id) => nodes.get(id),
    secret: (id) => (id === 'db-password' ? secret(id) : undefined),
    config: () => undefined,
    network: (id) => networks.get(id),
    service: (id) => services.get(id),
    ingressNetworks: () => [...networks.values()].filter((n) => n.spec?.ingress),
    meshServices: () => [...services.values()].filter((s) => (s.endpoint?.ports.length ?? 0) > 0),
    endpointsOn: (networkId) => [
      ...tasks.flatMap((t) => t.networks.filter((a) => a.networkId === networkId).map((a) => ({ networkId, address: a.addresses[0] ?? '', nodeId: t.nodeId, taskId: t.id, serviceId: t.serviceId }))),
      ...(extra.nodeEndpoints ?? []).filter((e) => e.networkId === networkId),
    ],
    vtepOf: (id) => nodes.get(id)?.dataPathAddr ?? '',
  };
}

const keys = (nodeId: string, src: NodeAssignmentSource): string[] => nodeAssignments(nodeId, src).map((i) => i.key).sort();

describe('nodeAssignments', () => {
  it('gives a node its tasks and only the secrets those tasks use', () => {
    const src = source([task('t1', 'n1', { secrets: ['db-password'] }), task('t2', 'n2', { secrets: ['other'] })]);
    expect(keys('n1', src)).toEqual(['network:ingress', 'secret:db-password', 'service:svc', 'task:t1']);
    expect(keys('n2', src)).not.toContain('secret:db-password');
  });

  it('drops a secret once the only task using it has stopped for good', () => {
    const src = source([task('t1', 'n1', { secrets: ['db-password'], state: 'SHUTDOWN', desired: 'SHUTDOWN' })]);
    expect(keys('n1', src)).toEqual(['network:ingress', 'task:t1']);
  });

  it('sends remote endpoints on the node\'s networks as peers, with their VTEP and MAC, never its own', () => {
    const src = source([task('t1', 'n1', { addr: '10.0.1.5/24' }), task('t2', 'n2', { addr: '10.0.1.6/24' }), task('t3', 'n3', { addr: '10.0.1.7/24' })]);
    const peers = nodeAssignments('n1', src).flatMap((i) => (i.assignment.peer ? [i.assignment.peer] : []));
    expect(peers.map((p) => [p.ip, p.vtep, p.mac, p.taskId])).toEqual([
      ['10.0.1.6', '10.9.0.2', '02:42:0a:00:01:06', 't2'],
      ['10.0.1.7', '10.9.0.3', '02:42:0a:00:01:07', 't3'],
    ]);
    expect(keys('n1', src)).toContain('network:appnet');
  });

  it('gives every node the ingress network, the other nodes\' mesh addresses and every published service', () => {
    const meshAddrs = ['n1', 'n2', 'n3'].map((nodeId, i) => ({ networkId: 'ingress', address: `10.255.0.${i + 2}/16`, nodeId, taskId: '', serviceId: '' }));
    const src = source([], { nodeEndpoints: meshAddrs, services: [service('web', 8080)] });
    const items = nodeAssignments('n3', src);
    expect(items.map((i) => i.key).sort()).toEqual(['network:ingress', 'peer:ingress:10.255.0.2', 'peer:ingress:10.255.0.3', 'service:web']);
    expect(items.find((i) => i.key === 'peer:ingress:10.255.0.2')?.assignment.peer?.nodeId).toBe('n1');
  });

  it('changes an item\'s fingerprint when its object changes, so the dispatcher resends it', () => {
    const before = nodeAssignments('n1', source([task('t1', 'n1')]));
    const moved = task('t1', 'n1');
    moved.meta = { version: { index: 6 } } as Task['meta'];
    const after = nodeAssignments('n1', source([moved]));
    expect(after.find((i) => i.key === 'task:t1')?.fingerprint).not.toBe(before.find((i) => i.key === 'task:t1')?.fingerprint);
  });
});
