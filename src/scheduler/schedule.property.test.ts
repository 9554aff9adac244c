// Property tests against a naive reference: it recomputes everything from the
// raw Node and Task objects, sharing no code with the scheduler's indexes.
// Seed: FC_SEED=<n> to replay; the seed in use is printed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Node, Task } from '../gen/index.js';
import { schedule, type Plan } from './index.js';
import { makeNode, makeTask } from './fixtures.test-support.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261122);
const RUNS = Number(process.env['FC_RUNS'] ?? 300);
console.log(`scheduler property tests: FC_SEED=${SEED} FC_RUNS=${RUNS}`);
const params = { seed: SEED, numRuns: RUNS };

/** The value type an arbitrary generates. */
type ValueOf<A> = A extends fc.Arbitrary<infer V> ? V : never;

const CONSTRAINT_POOL = ['node.labels.zone==a', 'node.labels.zone!=b', 'node.role==worker', 'node.role!=worker', 'node.platform.arch==amd64', 'engine.labels.disk==ssd', 'node.hostname!=n0'];

const nodeArb = fc.record({
  notReady: fc.integer({ min: 0, max: 9 }),
  availability: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'PAUSE', 'DRAIN'),
  role: fc.constantFrom('WORKER', 'MANAGER'),
  zone: fc.constantFrom('a', 'b', 'c', undefined),
  arch: fc.constantFrom('x86_64', 'aarch64'),
  disk: fc.constantFrom('ssd', 'hdd'),
  cpus: fc.integer({ min: 1, max: 4 }),
  memGiB: fc.integer({ min: 1, max: 4 }),
  gpus: fc.integer({ min: 0, max: 2 }),
});

type NodeGen = ValueOf<typeof nodeArb>;

function buildNodes(gens: NodeGen[]): Node[] {
  return gens.map((g, i) => makeNode(`n${i}`, {
    ready: g.notReady !== 0,
    availability: g.availability as 'ACTIVE' | 'PAUSE' | 'DRAIN',
    role: g.role as 'WORKER' | 'MANAGER',
    labels: g.zone === undefined ? {} : { zone: g.zone },
    engineLabels: { disk: g.disk },
    arch: g.arch,
    nanoCpus: g.cpus * 1e9,
    memoryBytes: g.memGiB * 2 ** 30,
    generic: g.gpus > 0 ? [{ kind: 'gpu', value: g.gpus }] : [],
  }));
}

const serviceArb = fc.record({
  constraints: fc.subarray(CONSTRAINT_POOL, { maxLength: 2 }),
  maxReplicas: fc.integer({ min: 0, max: 2 }),
  strategy: fc.constantFrom('SPREAD', 'BINPACK', 'RANDOM'),
  halfCpus: fc.integer({ min: 0, max: 3 }),
  quarterGiB: fc.integer({ min: 0, max: 5 }),
  gpus: fc.integer({ min: 0, max: 1 }),
  hostPort: fc.boolean(),
  pending: fc.integer({ min: 0, max: 8 }),
});

const clusterArb = fc.record({
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 10 }),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 3 }),
  existing: fc.array(fc.record({ service: fc.nat(), node: fc.nat() }), { maxLength: 12 }),
  seed: fc.nat(),
});

type Cluster = ValueOf<typeof clusterArb>;

function buildTasks(c: Cluster, nodes: Node[]): Task[] {
  const tasks: Task[] = [];
  const opts = (s: ValueOf<typeof serviceArb>) => ({
    placement: { constraints: s.constraints, maxReplicas: s.maxReplicas, strategy: s.strategy as 'SPREAD' | 'BINPACK' | 'RANDOM' },
    nanoCpus: s.halfCpus * 5e8,
    memoryBytes: s.quarterGiB * 2 ** 28,
    generic: s.gpus > 0 ? [{ kind: 'gpu', value: s.gpus }] : [],
    hostPorts: s.hostPort ? [8080] : [],
  });
  c.existing.forEach((e, i) => {
    const si = e.service % c.services.length;
    const s = c.services[si];
    const node = nodes[e.node % nodes.length];
    if (s !== undefined && node !== undefined) tasks.push(makeTask(`e${i}`, `s${si}`, { ...opts(s), nodeId: node.id }));
  });
  c.services.forEach((s, si) => {
    for (let k = 0; k < s.pending; k++) tasks.push(makeTask(`p${si}.${k}`, `s${si}`, opts(s)));
  });
  return tasks;
}

// ---- the naive reference ----

const ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64' };

function naiveSatisfies(node: Node, expression: string): boolean {
  const op = expression.includes('==') ? '==' : '!=';
  const [key = '', value = ''] = expression.split(op);
  let actual: string | undefined;
  if (key === 'node.role') actual = node.role.toLowerCase();
  else if (key === 'node.hostname') actual = node.description?.hostname;
  else if (key === 'node.platform.arch') actual = ARCH[node.description?.platform?.architecture ?? ''] ?? node.description?.platform?.architecture;
  else if (key.startsWith('node.labels.')) actual = node.spec?.annotations?.labels[key.slice('node.labels.'.length)];
  else if (key.startsWith('engine.labels.')) actual = node.description?.engineLabels[key.slice('engine.labels.'.length)];
  const equal = actual !== undefined && actual.toLowerCase() === value.toLowerCase();
  return op === '==' ? equal : !equal;
}

/** Applies a plan to the snapshot the way the store would. */
function applyPlan(tasks: Task[], plan: Plan): Task[] {
  const assigned = new Map(plan.assignments.map((a) => [a.taskId as string, a.nodeId as string]));
  return tasks.map((t) => {
    const nodeId = assigned.get(t.id);
    return nodeId === undefined ? t : { ...t, nodeId, status: { ...t.status!, state: 'ASSIGNED' as const } };
  });
}

function onNode(tasks: Task[], nodeId: string): Task[] {
  return tasks.filter((t) => t.nodeId === nodeId && t.status?.state !== 'PENDING');
}

/** Does `task` fit on `node` given the tasks already there (the reference's whole filter pipeline)? */
function naiveFits(node: Node, task: Task, all: Task[]): boolean {
  if (node.status?.state !== 'READY' || node.spec?.availability !== 'ACTIVE') return false;
  const here = onNode(all, node.id);
  const res = task.spec?.resources?.reservations;
  const sum = (f: (t: Task) => number) => here.reduce((acc, t) => acc + f(t), 0);
  const cap = node.description?.resources;
  if ((res?.nanoCpus ?? 0) > 0 && sum((t) => t.spec?.resources?.reservations?.nanoCpus ?? 0) + (res?.nanoCpus ?? 0) > (cap?.nanoCpus ?? 0)) return false;
  if ((res?.memoryBytes ?? 0) > 0 && sum((t) => t.spec?.resources?.reservations?.memoryBytes ?? 0) + (res?.memoryBytes ?? 0) > (cap?.memoryBytes ?? 0)) return false;
  for (const g of res?.generic ?? []) {
    const used = sum((t) => t.spec?.resources?.reservations?.generic.find((x) => x.kind === g.kind)?.value ?? 0);
    const have = cap?.generic.find((x) => x.kind === g.kind)?.value ?? 0;
    if (used + g.value > have) return false;
  }
  if (!(task.spec?.placement?.constraints ?? []).every((c) => naiveSatisfies(node, c))) return false;
  const ports = (task.endpoint?.ports ?? []).filter((p) => p.publishMode === 'HOST').map((p) => p.publishedPort);
  if (ports.some((p) => here.some((t) => (t.endpoint?.ports ?? []).some((q) => q.publishMode === 'HOST' && q.publishedPort === p)))) return false;
  const max = task.spec?.placement?.maxReplicas ?? 0;
  if (max > 0 && here.filter((t) => t.serviceId === task.serviceId).length >= max) return false;
  return true;
}

describe('scheduler against a naive reference', () => {
  it('never violates a filter, never over-commits, and leaves a task pending only when no node fits', () => {
    fc.assert(fc.property(clusterArb, (c) => {
      const nodes = buildNodes(c.nodes);
      const tasks = buildTasks(c, nodes);
      const plan = schedule({ nodes, tasks, now: 0, seed: c.seed });
      const after = applyPlan(tasks, plan);
      const byId = new Map(after.map((t) => [t.id, t]));
      const nodesById = new Map(nodes.map((n) => [n.id, n]));
      // Every assigned task fits where it landed, judged with every other task there (including later ones).
      for (const a of plan.assignments) {
        const task = byId.get(a.taskId)!;
        const node = nodesById.get(a.nodeId)!;
        const others = after.filter((t) => t.id !== task.id);
        expect(naiveFits(node, task, others), `${a.taskId} on ${a.nodeId}`).toBe(true);
      }
      // Each task is decided exactly once.
      const decided = [...plan.assignments.map((a) => a.taskId), ...plan.unplaceable.map((u) => u.taskId)];
      expect(new Set(decided).size).toBe(decided.length);
      expect(decided.length).toBe(tasks.filter((t) => t.nodeId === '').length);
      // Pending only when the reference agrees nothing fits in the final cluster.
      for (const u of plan.unplaceable) {
        const task = byId.get(u.taskId)!;
        expect(nodes.some((n) => naiveFits(n, task, after)), `${u.taskId}: ${u.reason}`).toBe(false);
        expect(u.reason).toMatch(/^no suitable node \(.+\)$/);
      }
    }), params);
  });

  it('gives the same plan for the same seed', () => {
    fc.assert(fc.property(clusterArb, (c) => {
      const nodes = buildNodes(c.nodes);
      const tasks = buildTasks(c, nodes);
      expect(schedule({ nodes, tasks, now: 0, seed: c.seed })).toEqual(schedule({ nodes, tasks, now: 0, seed: c.seed }));
    }), { ...params, numRuns: Math.ceil(RUNS / 3) });
  });

  it('spreads within one task between eligible nodes when nothing else interferes', () => {
    const arb = fc.record({
      nodes: fc.array(nodeArb, { minLength: 1, maxLength: 12 }),
      existing: fc.array(fc.record({ node: fc.nat(), other: fc.boolean() }), { maxLength: 20 }),
      pending: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(fc.property(arb, (c) => {
      const nodes = buildNodes(c.nodes);
      const tasks = c.existing.map((e, i) => makeTask(`e${i}`, e.other ? 'other' : 's', { nodeId: nodes[e.node % nodes.length]!.id }));
      for (let k = 0; k < c.pending; k++) tasks.push(makeTask(`p${k}`, 's'));
      const plan = schedule({ nodes, tasks, now: 0, seed: 1 });
      const eligible = nodes.filter((n) => n.status?.state === 'READY' && n.spec?.availability === 'ACTIVE');
      if (eligible.length === 0) return;
      // Reference: water-filling, one task at a time onto a node with the fewest of the service.
      const reference = new Map(eligible.map((n) => [n.id, onNode(tasks, n.id).filter((t) => t.serviceId === 's').length]));
      for (let k = 0; k < c.pending; k++) {
        const min = Math.min(...reference.values());
        const id = [...reference.entries()].find(([, v]) => v === min)![0];
        reference.set(id, min + 1);
      }
      const after = applyPlan(tasks, plan);
      const actual = eligible.map((n) => onNode(after, n.id).filter((t) => t.serviceId === 's').length).sort((a, b) => a - b);
      expect(actual).toEqual([...reference.values()].sort((a, b) => a - b));
      expect(plan.unplaceable).toEqual([]);
    }), params);
  });

  it('respects nested preferences: zones, then racks, then nodes, each within one task', () => {
    const arb = fc.record({
      nodes: fc.array(fc.record({ zone: fc.constantFrom('a', 'b', 'c'), rack: fc.constantFrom('1', '2', '3') }), { minLength: 1, maxLength: 15 }),
      pending: fc.integer({ min: 1, max: 40 }),
    });
    fc.assert(fc.property(arb, (c) => {
      const nodes = c.nodes.map((g, i) => makeNode(`n${i}`, { labels: { zone: g.zone, rack: g.rack } }));
      const placement = { preferences: [{ spreadDescriptor: 'node.labels.zone' }, { spreadDescriptor: 'spread=node.labels.rack' }] };
      const tasks = Array.from({ length: c.pending }, (_, k) => makeTask(`p${k}`, 's', { placement }));
      const plan = schedule({ nodes, tasks, now: 0, seed: 1 });
      const perNode = new Map<string, number>(nodes.map((n) => [n.id, 0]));
      for (const a of plan.assignments) perNode.set(a.nodeId, (perNode.get(a.nodeId) ?? 0) + 1);
      const within = (groups: Map<string, number>) => Math.max(...groups.values()) - Math.min(...groups.values()) <= 1;
      const sumBy = (key: (i: number) => string, filter: (i: number) => boolean) => {
        const m = new Map<string, number>();
        nodes.forEach((n, i) => { if (filter(i)) m.set(key(i), (m.get(key(i)) ?? 0) + (perNode.get(n.id) ?? 0)); });
        return m;
      };
      expect(within(sumBy((i) => c.nodes[i]!.zone, () => true))).toBe(true);
      for (const zone of ['a', 'b', 'c']) {
        const racks = sumBy((i) => c.nodes[i]!.rack, (i) => c.nodes[i]!.zone === zone);
        if (racks.size > 0) expect(within(racks)).toBe(true);
        for (const rack of ['1', '2', '3']) {
          const inRack = sumBy((i) => String(i), (i) => c.nodes[i]!.zone === zone && c.nodes[i]!.rack === rack);
          if (inRack.size > 0) expect(within(inRack)).toBe(true);
        }
      }
    }), params);
  });
});
