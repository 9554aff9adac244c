import { describe, expect, it } from 'vitest';
import { codec, type Network, type Task, type TaskStatus_State } from '../../gen/index.js';
import {
  AddressBook, addressPoolsOf, addressPoolsProblem, allocateNetwork, allocateTaskNetworks, awaitsAllocation, ingressNetwork,
  ingressPortsInUse, planEndpoint, rebuildAddressBook, resolvePorts, vipNetworkIds, vniOf,
} from './index.js';

const pools = addressPoolsOf(undefined);

function network(name: string, subnet: string, id = `net-${name}`, vni = 4097): Network {
  return codec.Network.fromPartial({
    id,
    spec: { annotations: { name }, driver: { name: 'overlay' } },
    ipam: [{ subnet, gateway: subnet.replace(/\.0\/\d+$/, '.1') }],
    driverState: { name: 'overlay', options: { 'com.docker.network.driver.overlay.vxlanid_list': String(vni) } },
  });
}

function spec(name: string, ipam: { subnet?: string; gateway?: string; range?: string }[] = []) {
  return codec.NetworkSpec.fromPartial({ annotations: { name }, driver: { name: 'overlay' }, ipam });
}

function task(id: string, over: { networks?: string[]; state?: TaskStatus_State; attached?: { networkId: string; addresses: string[] }[]; ingressPort?: boolean } = {}): Task {
  return codec.Task.fromPartial({
    id,
    serviceId: 'svc',
    spec: { networks: (over.networks ?? []).map((target) => ({ target, aliases: ['db'] })) },
    status: { state: over.state ?? 'NEW' },
    desiredState: 'RUNNING',
    networks: (over.attached ?? []).map((a) => ({ ...a, aliases: [] })),
    endpoint: over.ingressPort ? { ports: [{ targetPort: 80, publishedPort: 8080, publishMode: 'INGRESS', protocol: 'TCP' }] } : undefined,
  });
}

describe('allocateNetwork', () => {
  it('carves /24s from the default pool after ingress and picks the next VNI', () => {
    const ingress = ingressNetwork('ing', [], pools);
    if (!ingress.ok) throw new Error(ingress.error.message);
    expect(ingress.value.ipam[0]).toMatchObject({ subnet: '10.0.0.0/24', gateway: '10.0.0.1' });
    expect(vniOf(ingress.value)).toBe(4096);
    const appnet = allocateNetwork(spec('appnet'), [ingress.value], pools);
    expect(appnet).toMatchObject({ ok: true, value: { ipam: { subnet: '10.0.1.0/24', gateway: '10.0.1.1' }, driverState: { options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' } } } });
  });

  it('honours a given subnet and gateway, and names the network it overlaps', () => {
    const existing = [network('appnet', '10.20.0.0/24')];
    expect(allocateNetwork(spec('b', [{ subnet: '10.30.0.0/16', gateway: '10.30.0.254' }]), existing, pools)).toMatchObject({ ok: true, value: { ipam: { subnet: '10.30.0.0/16', gateway: '10.30.0.254' } } });
    expect(allocateNetwork(spec('b', [{ subnet: '10.20.0.0/16' }]), existing, pools)).toEqual({ ok: false, error: { kind: 'overlap', message: 'subnet 10.20.0.0/16 overlaps subnet 10.20.0.0/24 of network appnet' } });
    expect(allocateNetwork(spec('b', [{ subnet: '10.40.0.0/24', gateway: '10.41.0.1' }]), existing, pools)).toMatchObject({ ok: false, error: { kind: 'invalid', message: 'gateway 10.41.0.1 is not a usable address of subnet 10.40.0.0/24' } });
    expect(allocateNetwork(spec('b', [{ subnet: '10.40.0.1/24' }]), existing, pools)).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(allocateNetwork(spec('b', [{ subnet: '10.40.0.0/24', range: '10.41.0.0/25' }]), existing, pools)).toMatchObject({ ok: false, error: { message: 'ip-range 10.41.0.0/25 is not inside subnet 10.40.0.0/24' } });
  });

  it('moves on to the next pool when one is full, then reports exhaustion', () => {
    const two = { pools: ['192.168.10.0/24', '172.30.0.0/23'], subnetPrefixLength: 24 };
    const first = allocateNetwork(spec('a'), [], two);
    expect(first).toMatchObject({ ok: true, value: { ipam: { subnet: '192.168.10.0/24' } } });
    const used = [network('a', '192.168.10.0/24', 'a'), network('b', '172.30.0.0/24', 'b', 4098)];
    expect(allocateNetwork(spec('c'), used, two)).toMatchObject({ ok: true, value: { ipam: { subnet: '172.30.1.0/24' }, driverState: { options: { 'com.docker.network.driver.overlay.vxlanid_list': '4096' } } } });
    used.push(network('c', '172.30.1.0/24', 'c', 4096));
    expect(allocateNetwork(spec('d'), used, two)).toMatchObject({ ok: false, error: { kind: 'exhausted' } });
  });

  it('refuses a bad MTU option before anything is chosen', () => {
    const bad = codec.NetworkSpec.fromPartial({ annotations: { name: 'x' }, driver: { name: 'overlay', options: { 'com.docker.network.driver.mtu': 'big' } } });
    expect(allocateNetwork(bad, [], pools)).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining('com.docker.network.driver.mtu') } });
  });

  it('checks swarm init pools', () => {
    expect(addressPoolsProblem(['10.10.0.0/16', '10.20.0.0/16'], 24)).toBeUndefined();
    expect(addressPoolsProblem(['10.10.0.0/16', '10.10.5.0/24'], 24)).toContain('overlaps 10.10.0.0/16');
    expect(addressPoolsProblem(['banana'], 24)).toContain('invalid --default-addr-pool');
    expect(addressPoolsProblem(['10.10.0.0/26'], 24)).toContain('smaller than one /24');
    expect(addressPoolsProblem([], 31)).toContain('mask-length 31');
  });
});

describe('resolvePorts', () => {
  const web = codec.Service.fromPartial({ id: 'w', spec: { annotations: { name: 'web' } }, endpoint: { ports: [{ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'INGRESS' }, { targetPort: 81, publishedPort: 30000, protocol: 'TCP', publishMode: 'INGRESS' }] } });
  const inUse = ingressPortsInUse([web], 'other');

  it('refuses a port another service publishes, naming it', () => {
    expect(resolvePorts([codec.PortConfig.fromPartial({ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'INGRESS' })], [], inUse)).toEqual({ ok: false, error: 'port 8080 is already published by service web' });
    // Another protocol, or host mode, is not a clash.
    expect(resolvePorts([codec.PortConfig.fromPartial({ targetPort: 80, publishedPort: 8080, protocol: 'UDP', publishMode: 'INGRESS' })], [], inUse).ok).toBe(true);
    expect(resolvePorts([codec.PortConfig.fromPartial({ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'HOST' })], [], inUse).ok).toBe(true);
  });

  it('numbers unpublished ingress ports from 30000 up, skipping used ones, and keeps them across updates', () => {
    const wanted = [codec.PortConfig.fromPartial({ targetPort: 80, protocol: 'TCP', publishMode: 'INGRESS' }), codec.PortConfig.fromPartial({ targetPort: 90, protocol: 'TCP', publishMode: 'INGRESS' })];
    const first = resolvePorts(wanted, [], inUse);
    expect(first.ok && first.value.map((p) => p.publishedPort)).toEqual([30001, 30002]);
    const previous = [codec.PortConfig.fromPartial({ targetPort: 90, publishedPort: 31000, protocol: 'TCP', publishMode: 'INGRESS' })];
    const again = resolvePorts(wanted, previous, inUse);
    expect(again.ok && again.value.map((p) => p.publishedPort)).toEqual([30001, 31000]);
  });
});

describe('AddressBook', () => {
  it('hands out distinct addresses, fails with the documented message when full, and reuses freed ones', () => {
    const book = new AddressBook();
    book.ensureNetwork(network('appnet', '10.0.1.0/24'));
    const seen = new Set<string>();
    for (let i = 0; i < 253; i++) {
      const a = book.allocate('net-appnet', `task:t${i}`);
      if (!a.ok) throw new Error(a.error.message);
      seen.add(a.value);
    }
    expect(seen.size).toBe(253);
    expect([...seen].every((a) => a.endsWith('/24'))).toBe(true);
    expect(book.allocate('net-appnet', 'task:extra')).toEqual({ ok: false, error: { kind: 'exhausted', message: 'network appnet has no free addresses (254 in use)' } });
    const freed = book.heldBy('task:t7').get('net-appnet');
    book.release('task:t7');
    expect(book.allocate('net-appnet', 'task:extra')).toEqual({ ok: true, value: freed });
  });

  it('makes claims idempotent for the same owner and refuses another owner', () => {
    const book = new AddressBook();
    book.ensureNetwork(network('n', '10.0.2.0/24'));
    expect(book.claim('net-n', 'task:a', '10.0.2.9/24').ok).toBe(true);
    expect(book.claim('net-n', 'task:a', '10.0.2.9/24').ok).toBe(true);
    expect(book.claim('net-n', 'task:b', '10.0.2.9/24')).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(book.allocate('net-n', 'task:a')).toEqual({ ok: true, value: '10.0.2.9/24' });
    expect(book.inUse('net-n')).toBe(2);
  });

  it('gives addresses only from --ip-range', () => {
    const book = new AddressBook();
    const ranged = codec.Network.fromPartial({ id: 'r', spec: { annotations: { name: 'r' } }, ipam: [{ subnet: '10.9.0.0/24', gateway: '10.9.0.1', range: '10.9.0.128/30' }] });
    book.ensureNetwork(ranged);
    const got = [1, 2, 3, 4].map((i) => book.allocate('r', `task:${i}`));
    expect(got.slice(0, 4).filter((g) => g.ok).map((g) => g.ok && g.value)).toEqual(['10.9.0.128/24', '10.9.0.129/24', '10.9.0.130/24', '10.9.0.131/24']);
    expect(book.allocate('r', 'task:5').ok).toBe(false);
  });
});

describe('task and service allocation', () => {
  const ingress = network('ingress', '10.0.0.0/24', 'ing', 4096);
  const appnet = network('appnet', '10.0.1.0/24');
  const lookup = (target: string): Network | undefined => [ingress, appnet].find((n) => n.id === target || n.spec?.annotations?.name === target);

  it('waits only for tasks that need addresses', () => {
    expect(awaitsAllocation(task('a'))).toBe(false);
    expect(awaitsAllocation(task('a', { networks: ['net-appnet'] }))).toBe(true);
    expect(awaitsAllocation(task('a', { ingressPort: true }))).toBe(true);
    expect(awaitsAllocation(task('a', { networks: ['net-appnet'], state: 'ASSIGNED' }))).toBe(false);
    expect(awaitsAllocation(task('a', { networks: ['net-appnet'], attached: [{ networkId: 'net-appnet', addresses: ['10.0.1.2/24'] }] }))).toBe(false);
  });

  it('attaches ingress first, then the spec networks with their aliases', () => {
    const book = new AddressBook();
    book.ensureNetwork(ingress);
    book.ensureNetwork(appnet);
    const got = allocateTaskNetworks(book, task('t1', { networks: ['appnet'], ingressPort: true }), lookup, ingress);
    expect(got).toEqual({ ok: true, value: [{ networkId: 'ing', addresses: ['10.0.0.2/24'], aliases: [] }, { networkId: 'net-appnet', addresses: ['10.0.1.2/24'], aliases: ['db'] }] });
    expect(allocateTaskNetworks(book, task('t2', { networks: ['nope'] }), lookup, ingress)).toEqual({ ok: false, error: 'network nope not found' });
  });

  it('gives back partial allocations when one network is full', () => {
    const book = new AddressBook();
    const tiny = network('tiny', '10.0.7.0/30', 'tiny');
    book.ensureNetwork(appnet);
    book.ensureNetwork(tiny);
    expect(book.allocate('tiny', 'task:x').ok).toBe(true);
    const look = (t: string): Network | undefined => (t === 'tiny' ? tiny : appnet);
    const failed = allocateTaskNetworks(book, task('t', { networks: ['net-appnet', 'tiny'] }), look, undefined);
    expect(failed).toEqual({ ok: false, error: 'network tiny has no free addresses (2 in use)' });
    expect(book.heldBy('task:t').size).toBe(0);
    expect(book.inUse('net-appnet')).toBe(1);
  });

  it('plans VIPs: keeps held ones, adds new ones, reports dropped ones', () => {
    const book = new AddressBook();
    book.ensureNetwork(ingress);
    book.ensureNetwork(appnet);
    const svc = codec.ServiceSpec.fromPartial({ endpoint: { mode: 'VIP' }, task: { networks: [{ target: 'net-appnet' }] } });
    const ports = [codec.PortConfig.fromPartial({ targetPort: 80, publishedPort: 8080, publishMode: 'INGRESS' })];
    const ids = vipNetworkIds(svc, ports, 'ing');
    expect(ids).toEqual(['ing', 'net-appnet']);
    const first = planEndpoint(book, 's', svc, ports, ids);
    if (!first.ok) throw new Error(first.error);
    expect(first.value.endpoint.virtualIps).toEqual([{ networkId: 'ing', addr: '10.0.0.2/24' }, { networkId: 'net-appnet', addr: '10.0.1.2/24' }]);
    const second = planEndpoint(book, 's', svc, [], ['net-appnet']);
    expect(second).toMatchObject({ ok: true, value: { added: [], dropped: ['ing'], endpoint: { virtualIps: [{ networkId: 'net-appnet', addr: '10.0.1.2/24' }] } } });
    expect(vipNetworkIds(codec.ServiceSpec.fromPartial({ endpoint: { mode: 'DNSRR' }, task: { networks: [{ target: 'net-appnet' }] } }), [], 'ing')).toEqual([]);
  });

  it('rebuilds from the store: live holders keep their addresses, dead tasks free theirs', () => {
    const service = codec.Service.fromPartial({ id: 's', endpoint: { virtualIps: [{ networkId: 'net-appnet', addr: '10.0.1.2/24' }] } });
    const node = codec.Node.fromPartial({ id: 'n1', attachments: [{ networkId: 'ing', addresses: ['10.0.0.2/24'] }] });
    const live = task('live', { state: 'RUNNING', attached: [{ networkId: 'net-appnet', addresses: ['10.0.1.3/24'] }] });
    const dead = task('dead', { state: 'FAILED', attached: [{ networkId: 'net-appnet', addresses: ['10.0.1.4/24'] }] });
    const dup = task('dup', { state: 'RUNNING', attached: [{ networkId: 'net-appnet', addresses: ['10.0.1.3/24'] }] });
    const { book, problems } = rebuildAddressBook({ networks: [ingress, appnet], services: [service], nodes: [node], tasks: [live, dead, dup] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('10.0.1.3');
    expect(book.heldBy('task:live').get('net-appnet')).toBe('10.0.1.3/24');
    // Gateway, VIP and the live task: the next one is .4 (the dead task's).
    expect(book.inUse('net-appnet')).toBe(3);
    expect(book.allocate('net-appnet', 'task:new')).toEqual({ ok: true, value: '10.0.1.4/24' });
    expect(book.allocate('ing', 'node:n2')).toEqual({ ok: true, value: '10.0.0.3/24' });
  });
});
