// Control, orchestrator, allocator and scheduler loops together on a real
// MemoryStore (proposals apply at once, as a one-manager Raft would): what
// a user sees through the Control API when networks are involved.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { codec, type Network, type NetworkSpec, type ServiceSpec, type StoreAction, type Task } from '../../gen/index.js';
import { RpcError } from '../../rpc/index.js';
import { nodeSatisfiesPlacement } from '../../scheduler/index.js';
import { controlHandlers, Serializer, type ControlDeps } from '../control/index.js';
import { SecretKeyring } from '../secrets/index.js';
import { MemoryStore, type ApplyResult } from '../store/index.js';
import { taskOwner } from '../allocator/index.js';
import { AllocatorLoop } from './allocator-loop.js';
import { withIngressNetwork } from './bootstrap-ingress.js';
import { OrchestratorLoop } from './orchestrator-loop.js';
import type { CancelTimer, Clock } from '../../common/clock.js';
import { SchedulerLoop } from './scheduler-loop.js';

const log = pino({ level: 'silent' });

/** Timers run when the test settles, in due order, letting promises finish between them: no real waiting. */
class SettlingClock implements Clock {
  now = 1_000_000;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  nowMs(): number {
    return this.now;
  }
  setTimer(ms: number, fn: () => void): CancelTimer {
    const timer = { at: this.now + ms, fn, cancelled: false };
    this.timers.push(timer);
    return () => void (timer.cancelled = true);
  }
  /** Runs due timers (up to `horizonMs` ahead) and lets promises finish, until quiet. */
  async settle(horizonMs = 100): Promise<void> {
    const until = this.now + horizonMs;
    for (let round = 0; round < 500; round++) {
      await new Promise((r) => setImmediate(r));
      const due = this.timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) {
        await new Promise((r) => setImmediate(r));
        if (!this.timers.some((t) => !t.cancelled && t.at <= until)) return;
        continue;
      }
      this.timers = this.timers.filter((t) => t !== due);
      this.now = Math.max(this.now, due.at);
      due.fn();
    }
    throw new Error('the loops did not settle within 500 rounds');
  }
}

class Leader {
  readonly store = new MemoryStore();
  readonly clock = new SettlingClock();
  private index = 0;
  private ids = 0;
  allocator!: AllocatorLoop;
  private orchestrator!: OrchestratorLoop;
  private scheduler!: SchedulerLoop;
  readonly control;
  private readonly serializer = new Serializer();

  constructor(pools: string[] = []) {
    const cluster = codec.Cluster.fromPartial({ id: 'cluster', spec: { annotations: { name: 'default' }, defaultAddrPool: pools, subnetSize: 24 } });
    this.commit(withIngressNetwork([{ kind: 'CREATE', object: { cluster } }], () => 'ingress-id'));
    const deps: ControlDeps = {
      store: this.store,
      keyring: new SecretKeyring(randomBytes),
      propose: async (actions) => this.propose(actions),
      readBarrier: async () => undefined,
      newId: () => `id${String(++this.ids).padStart(4, '0')}`,
      randomName: () => 'random_name',
      nowMs: () => this.clock.now,
      managerStatus: () => undefined,
      validatePlacement: () => undefined,
      removeManager: async () => undefined,
      newJoinToken: () => 'token',
      allocation: () => ({ book: this.allocator.book, exclusive: (fn) => this.serializer.run(fn) }),
    };
    this.control = controlHandlers(deps);
    this.startLeading();
  }

  /** Stands in for Raft under the allocator's proposals (a test may make one time out). */
  allocatorPropose = async (actions: StoreAction[]): Promise<ApplyResult> => this.propose(actions);

  startLeading(): void {
    const propose = async (actions: StoreAction[]): Promise<ApplyResult> => this.propose(actions);
    this.allocator = new AllocatorLoop(this.store, (actions) => this.allocatorPropose(actions), this.clock, log, (fn) => this.serializer.run(fn));
    this.orchestrator = new OrchestratorLoop(this.store, propose, this.clock, { newId: () => `task${String(++this.ids).padStart(4, '0')}`, isNodeEligible: nodeSatisfiesPlacement }, log);
    this.scheduler = new SchedulerLoop(this.store, propose, this.clock, log);
    this.allocator.start();
    this.orchestrator.start();
    this.scheduler.start();
  }

  stopLeading(): void {
    this.allocator.stop();
    this.orchestrator.stop();
    this.scheduler.stop();
  }

  propose(actions: StoreAction[]): ApplyResult {
    return this.store.apply({ proposalId: `p${this.index + 1}`, actions, proposedAtMs: this.clock.now }, ++this.index);
  }

  commit(actions: StoreAction[]): void {
    const result = this.propose(actions);
    if (!result.ok) throw new Error(result.error.message);
  }

  addNode(id: string): void {
    this.commit([{ kind: 'CREATE', object: { node: codec.Node.fromPartial({ id, role: 'WORKER', spec: { availability: 'ACTIVE' }, description: { hostname: id }, status: { state: 'READY' } }) } }]);
  }

  async createNetwork(name: string, ipam: { subnet?: string; gateway?: string }[] = [], over: Partial<NetworkSpec> = {}): Promise<Network> {
    const spec = codec.NetworkSpec.fromPartial({ annotations: { name }, driver: { name: 'overlay' }, ipam, ...over });
    const { network } = await this.control.createNetwork({ spec }, undefined as never);
    if (!network) throw new Error('no network');
    return network;
  }

  async createService(name: string, over: Partial<ServiceSpec> & { networks?: string[]; ports?: { target: number; published?: number }[] } = {}): Promise<string> {
    const spec = codec.ServiceSpec.fromPartial({
      annotations: { name },
      task: { container: { image: 'busybox' }, networks: (over.networks ?? []).map((target) => ({ target, aliases: [] })) },
      mode: over.mode ?? { kind: 'REPLICATED', replicas: 1 },
      endpoint: { mode: over.endpoint?.mode ?? 'VIP', ports: (over.ports ?? []).map((p) => ({ targetPort: p.target, publishedPort: p.published ?? 0, protocol: 'TCP', publishMode: 'INGRESS' })) },
    });
    const { service } = await this.control.createService({ spec }, undefined as never);
    if (!service) throw new Error('no service');
    return service.id;
  }

  tasks(serviceId: string): Task[] {
    return this.store.tasksOfService(serviceId);
  }

  /** Marks a task as stopped for good, as its agent would report. */
  fail(task: Task): void {
    this.commit([{ kind: 'SET_STATUS', object: { task: { ...task, status: { ...task.status!, state: 'FAILED', err: 'exit 1' } } } }]);
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
}

let leader: Leader | undefined;
afterEach(() => leader?.stopLeading());

describe('networks through Control', () => {
  it('has ingress from the start and allocates subnet, gateway and VNI at create', async () => {
    leader = new Leader();
    const ingress = leader.store.get('network', 'ingress-id');
    expect(ingress?.spec?.ingress).toBe(true);
    expect(ingress?.ipam[0]).toMatchObject({ subnet: '10.0.0.0/24', gateway: '10.0.0.1' });
    expect(ingress?.driverState?.options['com.docker.network.driver.overlay.vxlanid_list']).toBe('4096');
    const appnet = await leader.createNetwork('appnet');
    expect(appnet.ipam[0]).toMatchObject({ subnet: '10.0.1.0/24', gateway: '10.0.1.1' });
    expect(appnet.driverState?.options['com.docker.network.driver.overlay.vxlanid_list']).toBe('4097');
    const given = await leader.createNetwork('given', [{ subnet: '10.50.0.0/16', gateway: '10.50.0.254' }]);
    expect(given.ipam[0]).toMatchObject({ subnet: '10.50.0.0/16', gateway: '10.50.0.254' });
  });

  it('takes subnets from the swarm init pools', async () => {
    leader = new Leader(['172.28.0.0/16']);
    expect(leader.store.get('network', 'ingress-id')?.ipam[0]?.subnet).toBe('172.28.0.0/24');
    expect((await leader.createNetwork('a')).ipam[0]?.subnet).toBe('172.28.1.0/24');
  });

  it('refuses bad networks in one line and creates nothing', async () => {
    leader = new Leader();
    await leader.createNetwork('appnet', [{ subnet: '10.20.0.0/24' }]);
    const before = leader.store.list('network').length;
    expect(await refusal(leader.createNetwork('b', [{ subnet: '10.20.0.0/16' }]))).toBe('subnet 10.20.0.0/16 overlaps subnet 10.20.0.0/24 of network appnet');
    expect(await refusal(leader.createNetwork('b', [{ subnet: '10.30.0.0/24', gateway: '10.31.0.1' }]))).toBe('gateway 10.31.0.1 is not a usable address of subnet 10.30.0.0/24');
    expect(await refusal(leader.createNetwork('b', [{ subnet: '10.30.0.0/33' }]))).toContain('invalid CIDR "10.30.0.0/33"');
    expect(await refusal(leader.createNetwork('appnet'))).toBe('network with name appnet already exists');
    expect(await refusal(leader.createNetwork('b', [], { driver: { name: 'bridge', options: {} } }))).toBe('network driver "bridge" is not supported in a swarm: use -d overlay');
    expect(await refusal(leader.createNetwork('b', [], { ingress: true }))).toContain('an ingress network already exists (ingress)');
    expect(leader.store.list('network')).toHaveLength(before);
  });
});

describe('services and tasks on networks', () => {
  it('resolves network names, gives the service a VIP and each task its own address before it is scheduled', async () => {
    leader = new Leader();
    leader.addNode('n1');
    leader.addNode('n2');
    const appnet = await leader.createNetwork('appnet');
    const web = await leader.createService('web', { networks: ['appnet'], mode: { kind: 'REPLICATED', replicas: 3, totalCompletions: 0, maxConcurrent: 0 } });
    const service = leader.store.get('service', web);
    expect(service?.spec?.task?.networks[0]?.target).toBe(appnet.id);
    expect(service?.endpoint?.virtualIps).toEqual([{ networkId: appnet.id, addr: '10.0.1.2/24' }]);
    await leader.clock.settle();
    const tasks = leader.tasks(web);
    expect(tasks).toHaveLength(3);
    const addresses = tasks.map((t) => t.networks[0]?.addresses[0]);
    expect(new Set(addresses).size).toBe(3);
    for (const a of addresses) expect(a).toMatch(/^10\.0\.1\.(3|4|5)\/24$/);
    for (const t of tasks) {
      expect(t.status?.state).toBe('ASSIGNED');
      expect(t.networks[0]?.networkId).toBe(appnet.id);
      expect(t.endpoint?.virtualIps).toEqual(service?.endpoint?.virtualIps);
    }
  });

  it('leaves services without networks alone', async () => {
    leader = new Leader();
    leader.addNode('n1');
    const plain = await leader.createService('plain');
    await leader.clock.settle();
    const [task] = leader.tasks(plain);
    expect(task?.status?.state).toBe('ASSIGNED');
    expect(task?.networks).toEqual([]);
    expect(leader.store.get('service', plain)?.endpoint?.virtualIps).toEqual([]);
  });

  it('publishes ports: numbers them from 30000, attaches ingress, refuses a taken port naming its service', async () => {
    leader = new Leader();
    leader.addNode('n1');
    const web = await leader.createService('web', { ports: [{ target: 80, published: 8080 }] });
    const auto = await leader.createService('auto', { ports: [{ target: 80 }] });
    expect(leader.store.get('service', auto)?.endpoint?.ports[0]?.publishedPort).toBe(30000);
    const versions = [web, auto].map((id) => leader!.store.get('service', id)?.meta?.version?.index);
    expect(leader.store.get('service', web)?.endpoint?.virtualIps).toEqual([{ networkId: 'ingress-id', addr: '10.0.0.2/24' }]);
    expect(await refusal(leader.createService('other', { ports: [{ target: 81, published: 8080 }] }))).toBe('port 8080 is already published by service web');
    expect(leader.store.list('service')).toHaveLength(2);
    await leader.clock.settle();
    const [task] = leader.tasks(web);
    expect(task?.networks.map((n) => n.networkId)).toEqual(['ingress-id']);
    // Endpoints written by Control are in step: the allocator loop leaves the services alone.
    expect([web, auto].map((id) => leader!.store.get('service', id)?.meta?.version?.index)).toEqual(versions);
    // The node got its own ingress address too.
    expect(leader.store.get('node', 'n1')?.attachments).toEqual([{ networkId: 'ingress-id', addresses: [expect.stringMatching(/^10\.0\.0\.\d+\/24$/)], aliases: [] }]);
    expect(await refusal(leader.createService('dns', { ports: [{ target: 80 }], endpoint: { mode: 'DNSRR', ports: [] } }))).toContain("can't be used with dnsrr mode");
  });

  it('refuses unknown networks and explicit ingress attachment', async () => {
    leader = new Leader();
    expect(await refusal(leader.createService('web', { networks: ['nope'] }))).toBe('network nope not found');
    expect(await refusal(leader.createService('web', { networks: ['ingress'] }))).toContain('cannot be explicitly attached to the ingress network');
    expect(leader.store.list('service')).toHaveLength(0);
  });

  it('reports exhaustion in the task status, keeps it unscheduled, and allocates once an address is freed', async () => {
    leader = new Leader();
    leader.addNode('n1');
    // A /29 has 6 host addresses: gateway, VIP and 4 tasks.
    await leader.createNetwork('tiny', [{ subnet: '10.9.9.0/29' }]);
    const web = await leader.createService('web', { networks: ['tiny'], mode: { kind: 'REPLICATED', replicas: 5, totalCompletions: 0, maxConcurrent: 0 } });
    await leader.clock.settle();
    const tasks = leader.tasks(web);
    const starved = tasks.filter((t) => t.networks.length === 0);
    expect(starved).toHaveLength(1);
    expect(starved[0]?.status).toMatchObject({ state: 'PENDING', err: 'network tiny has no free addresses (6 in use)' });
    expect(starved[0]?.nodeId).toBe('');
    const victim = tasks.find((t) => t.networks.length > 0)!;
    leader.fail(victim);
    await leader.clock.settle(10_000);
    const after = leader.store.get('task', starved[0]!.id);
    expect(after?.networks[0]?.addresses[0]).toBe(victim.networks[0]?.addresses[0]);
    expect(after?.status?.err).toBe('');
    expect(after?.status?.state).toBe('ASSIGNED');
  });

  it('refuses to remove a network in use, naming the services, and ingress while ports are published', async () => {
    leader = new Leader();
    leader.addNode('n1');
    await leader.createNetwork('appnet');
    const web = await leader.createService('web', { networks: ['appnet'] });
    const api = await leader.createService('api', { networks: ['appnet'] });
    await leader.createService('pub', { ports: [{ target: 80, published: 8080 }] });
    await leader.clock.settle();
    const rm = (networkId: string): Promise<unknown> => leader!.control.removeNetwork({ networkId }, undefined as never);
    expect(await refusal(rm('appnet'))).toBe('network appnet is in use by service(s) api, web: remove or update them first');
    expect(await refusal(rm('ingress'))).toBe('network ingress is in use by service(s) pub publishing ports through the routing mesh: remove them or their published ports first');
    // Once the services are gone, their tasks still stopping do not block the removal (as `stack rm` needs).
    await leader.control.removeService({ serviceId: 'web' }, undefined as never);
    await leader.control.removeService({ serviceId: 'api' }, undefined as never);
    expect(leader.tasks(web).some((t) => t.status?.state === 'ASSIGNED')).toBe(true);
    await rm('appnet');
    expect(leader.store.resolve('network', 'appnet').ok).toBe(false);
    expect(leader.allocator.book.hasNetwork(leader.store.get('network', 'ingress-id')!.id)).toBe(true);
    expect(api).not.toBe(web);
  });

  it('follows the ingress network: nodes lose their address when it is removed and get one on a new ingress', async () => {
    leader = new Leader();
    leader.addNode('n1');
    await leader.clock.settle();
    expect(leader.store.get('node', 'n1')?.attachments.map((a) => a.networkId)).toEqual(['ingress-id']);
    await leader.control.removeNetwork({ networkId: 'ingress' }, undefined as never);
    await leader.clock.settle();
    expect(leader.store.get('node', 'n1')?.attachments).toEqual([]);
    expect(await refusal(leader.createService('pub', { ports: [{ target: 80 }] }))).toContain('the swarm has no ingress network');
    const mesh = await leader.createNetwork('mesh', [{ subnet: '10.99.0.0/24' }], { ingress: true });
    await leader.clock.settle();
    expect(leader.store.get('node', 'n1')?.attachments).toEqual([{ networkId: mesh.id, addresses: ['10.99.0.2/24'], aliases: [] }]);
  });

  it('repairs an endpoint written outside Control (an automatic rollback writes the raw spec ports and keeps old VIPs)', async () => {
    leader = new Leader();
    const appnet = await leader.createNetwork('appnet');
    const other = await leader.createNetwork('other');
    const web = await leader.createService('web', { networks: ['other'] });
    await leader.clock.settle();
    const current = leader.store.get('service', web)!;
    // As the orchestrator's rollback: a spec on appnet publishing port 80 unnumbered; the endpoint copied raw.
    const spec = codec.ServiceSpec.fromPartial({ ...current.spec, task: { ...current.spec?.task, networks: [{ target: appnet.id, aliases: [] }] }, endpoint: { mode: 'VIP', ports: [{ targetPort: 80, protocol: 'TCP', publishMode: 'INGRESS' }] } });
    leader.commit([{ kind: 'UPDATE', object: { service: { ...current, spec, endpoint: { ...current.endpoint!, spec: spec.endpoint, ports: spec.endpoint!.ports } } } }]);
    await leader.clock.settle();
    const repaired = leader.store.get('service', web)?.endpoint;
    expect(repaired?.ports.map((p) => p.publishedPort)).toEqual([30000]);
    expect(repaired?.virtualIps.map((v) => v.networkId).sort()).toEqual(['ingress-id', appnet.id].sort());
    // The VIP on the network it left is free again.
    expect(leader.allocator.book.heldBy(`vip:${web}`).has(other.id)).toBe(false);
  });

  it('refuses to remove a network a rolling update is still moving tasks off', async () => {
    leader = new Leader();
    leader.addNode('n1');
    await leader.createNetwork('appnet');
    const other = await leader.createNetwork('other');
    const web = await leader.createService('web', { networks: ['appnet'] });
    await leader.clock.settle();
    const current = leader.store.get('service', web)!;
    const spec = codec.ServiceSpec.fromPartial({ ...current.spec, task: { ...current.spec?.task, networks: [{ target: 'other', aliases: [] }] } });
    await leader.control.updateService({ serviceId: web, serviceVersion: current.meta?.version, spec, rollback: 'NONE', force: false, rebalance: false }, undefined as never);
    expect(await refusal(leader.control.removeNetwork({ networkId: 'appnet' }, undefined as never))).toBe('network appnet is still used by tasks of service(s) web being updated: retry once the update is done');
    await leader.clock.settle();
    await leader.control.removeNetwork({ networkId: 'appnet' }, undefined as never);
    expect(leader.store.get('service', web)?.endpoint?.virtualIps.map((v) => v.networkId)).toEqual([other.id]);
  });

  it('never hands out an address twice when a timed-out allocation commits late', async () => {
    leader = new Leader();
    leader.addNode('n1');
    await leader.createNetwork('appnet');
    // Raft's view: the allocator's first proposal times out but stays in the
    // log; it commits just before the retry, which is then refused (the tasks
    // changed under it).
    let late: StoreAction[] | undefined;
    const l = leader;
    l.allocatorPropose = async (actions) => {
      if (!actions.some((a) => a.object?.task?.networks.length)) return l.propose(actions);
      if (late === undefined) {
        late = actions;
        throw new Error('proposal timed out');
      }
      const first = late;
      late = [];
      if (first.length > 0) {
        l.propose(first);
        await new Promise((r) => setImmediate(r)); // its commit is seen before the retry's answer
      }
      return l.propose(actions);
    };
    const web = await l.createService('web', { networks: ['appnet'], mode: { kind: 'REPLICATED', replicas: 2, totalCompletions: 0, maxConcurrent: 0 } });
    await l.clock.settle(1_000);
    const api = await l.createService('api', { networks: ['appnet'], mode: { kind: 'REPLICATED', replicas: 2, totalCompletions: 0, maxConcurrent: 0 } });
    await l.clock.settle(1_000);
    const tasks = [...l.tasks(web), ...l.tasks(api)];
    const taskAddresses = tasks.map((t) => t.networks[0]?.addresses[0]);
    expect(taskAddresses.every((a) => a !== undefined)).toBe(true);
    expect(new Set(taskAddresses).size).toBe(4);
    // The book still holds every address a task holds: none is free to be handed out again.
    expect(tasks.map((t) => [...l.allocator.book.heldBy(taskOwner(t.id)).values()])).toEqual(taskAddresses.map((a) => [a]));
  });

  it('keeps allocations unique across a change of leader (the book is rebuilt from the store)', async () => {
    leader = new Leader();
    leader.addNode('n1');
    await leader.createNetwork('appnet');
    const web = await leader.createService('web', { networks: ['appnet'], mode: { kind: 'REPLICATED', replicas: 2, totalCompletions: 0, maxConcurrent: 0 } });
    await leader.clock.settle();
    leader.stopLeading();
    leader.startLeading();
    const api = await leader.createService('api', { networks: ['appnet'], mode: { kind: 'REPLICATED', replicas: 2, totalCompletions: 0, maxConcurrent: 0 } });
    await leader.clock.settle();
    const vips = [web, api].map((id) => leader!.store.get('service', id)?.endpoint?.virtualIps[0]?.addr);
    const taskAddresses = [...leader.tasks(web), ...leader.tasks(api)].map((t) => t.networks[0]?.addresses[0]);
    const all = [...vips, ...taskAddresses];
    expect(all.every((a) => a !== undefined)).toBe(true);
    expect(new Set(all).size).toBe(6);
  });
});
