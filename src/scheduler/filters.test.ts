// Scenario tests: every filter and every explanation message, through schedule().
import { describe, expect, it } from 'vitest';
import { codec, type Node, type Task } from '../gen/index.js';
import { schedule, type Plan } from './index.js';
import { makeNode, makeTask } from './fixtures.test-support.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function run(nodes: Node[], tasks: Task[], seed = 1): Plan {
  return schedule({ nodes, tasks, now: 1_000_000, seed });
}

function placedOn(plan: Plan): Record<string, string> {
  return Object.fromEntries(plan.assignments.map((a) => [a.taskId, a.nodeId]));
}

function reasonOf(plan: Plan, taskId = 't'): string | undefined {
  return plan.unplaceable.find((u) => u.taskId === taskId)?.reason;
}

describe('filters and explanations', () => {
  it('says so when the cluster has no nodes', () => {
    expect(reasonOf(run([], [makeTask('t', 's')]))).toBe('no suitable node (no nodes in the cluster)');
  });

  it('skips nodes that are not ready', () => {
    const plan = run([makeNode('down', { ready: false }), makeNode('up')], [makeTask('t', 's')]);
    expect(placedOn(plan)).toEqual({ t: 'up' });
    expect(reasonOf(run([makeNode('down', { ready: false })], [makeTask('t', 's')]))).toBe('no suitable node (1 node not ready)');
  });

  it('gives paused and drained nodes no new tasks', () => {
    const nodes = [makeNode('p', { availability: 'PAUSE' }), makeNode('d', { availability: 'DRAIN' })];
    expect(reasonOf(run(nodes, [makeTask('t', 's')]))).toBe('no suitable node (2 nodes not available for new tasks)');
    expect(placedOn(run([...nodes, makeNode('a')], [makeTask('t', 's')]))).toEqual({ t: 'a' });
  });

  it('never over-commits memory, and says how much is missing', () => {
    const nodes = [makeNode('a', { memoryBytes: 1 * GiB })];
    const tasks = ['t1', 't2', 't3'].map((id) => makeTask(id, 's', { memoryBytes: 512 * MiB }));
    const plan = run(nodes, tasks);
    expect(plan.assignments).toHaveLength(2);
    expect(reasonOf(plan, 't3')).toBe('no suitable node (1 node lacks 512MiB memory)');
  });

  it('counts memory already reserved by running tasks', () => {
    const nodes = [makeNode('a', { memoryBytes: 1 * GiB }), makeNode('b', { memoryBytes: 1 * GiB })];
    const tasks = [makeTask('r1', 'other', { nodeId: 'a', memoryBytes: 768 * MiB }), makeTask('t', 's', { memoryBytes: 512 * MiB })];
    expect(placedOn(run(nodes, tasks))).toEqual({ t: 'b' });
  });

  it('never over-commits CPU', () => {
    const plan = run([makeNode('a', { nanoCpus: 1e9 }), makeNode('b', { nanoCpus: 1e9 })], [makeTask('t', 's', { nanoCpus: 2e9 })]);
    expect(reasonOf(plan)).toBe('no suitable node (2 nodes lack 2 CPUs)');
    const half = run([makeNode('a', { nanoCpus: 1e9 })], [makeTask('t1', 's', { nanoCpus: 5e8 }), makeTask('t2', 's', { nanoCpus: 5e8 }), makeTask('t', 's', { nanoCpus: 5e8 })]);
    expect(reasonOf(half)).toBe('no suitable node (1 node lacks 0.5 CPUs)');
  });

  it('matches generic resources such as gpu=2', () => {
    const nodes = [makeNode('gpu', { generic: [{ kind: 'gpu', value: 2 }] }), makeNode('cpu')];
    const plan = run(nodes, [makeTask('t1', 's', { generic: [{ kind: 'gpu', value: 2 }] }), makeTask('t', 's', { generic: [{ kind: 'gpu', value: 2 }] })]);
    expect(placedOn(plan)).toEqual({ t1: 'gpu' });
    expect(reasonOf(plan)).toBe('no suitable node (2 nodes lack gpu=2)');
  });

  it.each([
    ['node.id==b', 'b'],
    ['node.hostname==HOST-B', 'b'],
    ['node.role==manager', 'b'],
    ['node.platform.os==windows', 'b'],
    ['node.platform.arch==arm64', 'b'],
    ['node.platform.arch==aarch64', 'b'],
    ['node.labels.zone==eu', 'b'],
    ['node.labels.zone!=us', 'b'],
    ['engine.labels.storage==ssd', 'b'],
    ['node.role!=worker', 'b'],
  ])('honours constraint %s', (constraint, expected) => {
    const nodes = [
      makeNode('a', { hostname: 'host-a', labels: { zone: 'us' }, os: 'linux', arch: 'x86_64' }),
      makeNode('b', { hostname: 'host-b', role: 'MANAGER', labels: { zone: 'EU' }, os: 'windows', arch: 'aarch64', engineLabels: { storage: 'ssd' } }),
    ];
    const tasks = ['t1', 't2', 't3'].map((id) => makeTask(id, 's', { placement: { constraints: [constraint] } }));
    const plan = run(nodes, tasks);
    expect(plan.assignments.map((a) => a.nodeId)).toEqual([expected, expected, expected]);
  });

  it('treats a missing label as not equal', () => {
    const nodes = [makeNode('unlabelled'), makeNode('us', { labels: { zone: 'us' } })];
    expect(placedOn(run(nodes, [makeTask('t', 's', { placement: { constraints: ['node.labels.zone!=us'] } })]))).toEqual({ t: 'unlabelled' });
    expect(reasonOf(run([makeNode('unlabelled')], [makeTask('t', 's', { placement: { constraints: ['node.labels.zone==us'] } })])))
      .toBe('no suitable node (1 node does not satisfy constraint node.labels.zone==us)');
  });

  it('names the first constraint each node fails', () => {
    const nodes = [makeNode('a', { labels: { zone: 'us' } }), makeNode('b', { labels: { zone: 'eu' } }), makeNode('c', { labels: { zone: 'eu' } })];
    const plan = run(nodes, [makeTask('t', 's', { placement: { constraints: ['node.labels.zone==eu', 'node.role==manager'] } })]);
    expect(reasonOf(plan)).toBe('no suitable node (1 node does not satisfy constraint node.labels.zone==eu; 2 nodes do not satisfy constraint node.role==manager)');
  });

  it('places only on nodes of the image platform', () => {
    const nodes = [makeNode('x86', { arch: 'x86_64' }), makeNode('arm', { arch: 'aarch64' })];
    const platforms = [{ os: 'linux', architecture: 'arm64' }];
    expect(placedOn(run(nodes, [makeTask('t', 's', { placement: { platforms } })]))).toEqual({ t: 'arm' });
    expect(reasonOf(run([makeNode('x86')], [makeTask('t', 's', { placement: { platforms } })]))).toBe('no suitable node (1 node does not support platform linux/arm64)');
    const either = [{ os: 'linux', architecture: 'arm64' }, { os: 'windows', architecture: '' }];
    expect(reasonOf(run([makeNode('x86')], [makeTask('t', 's', { placement: { platforms: either } })])))
      .toBe('no suitable node (1 node does not support platform linux/arm64 or windows)');
  });

  it('keeps host-mode published ports unique per node', () => {
    const nodes = [makeNode('a'), makeNode('b')];
    const tasks = ['t1', 't2', 't'].map((id) => makeTask(id, 's', { hostPorts: [8080] }));
    const plan = run(nodes, tasks);
    expect(new Set(plan.assignments.map((a) => a.nodeId))).toEqual(new Set(['a', 'b']));
    expect(reasonOf(plan)).toBe('no suitable node (2 nodes already use host port 8080/tcp)');
  });

  it('sees host ports held by other services', () => {
    const nodes = [makeNode('a'), makeNode('b')];
    const plan = run(nodes, [makeTask('other', 'web', { nodeId: 'a', hostPorts: [80] }), makeTask('t', 's', { hostPorts: [80] })]);
    expect(placedOn(plan)).toEqual({ t: 'b' });
  });

  it('takes host ports from the service when the task has no endpoint yet', () => {
    const service = codec.Service.fromPartial({ id: 's', spec: { endpoint: { ports: [{ publishedPort: 53, targetPort: 53, protocol: 'UDP', publishMode: 'HOST' }] } } });
    const plan = schedule({ nodes: [makeNode('a')], tasks: [makeTask('t1', 's'), makeTask('t', 's')], services: [service], now: 0, seed: 1 });
    expect(plan.assignments).toHaveLength(1);
    expect(reasonOf(plan)).toBe('no suitable node (1 node already uses host port 53/udp)');
  });

  it('ignores ingress-mode ports', () => {
    const ports = [{ publishedPort: 80, targetPort: 80, publishMode: 'INGRESS' as const, protocol: 'TCP' as const, name: '', preserveSourceIp: false }];
    const plan = run([makeNode('a')], [makeTask('t1', 's', { ports }), makeTask('t2', 's', { ports })]);
    expect(plan.assignments).toHaveLength(2);
  });

  it('caps tasks per node with max replicas', () => {
    const tasks = ['t1', 't2', 't3', 't4', 't'].map((id) => makeTask(id, 's', { placement: { maxReplicas: 2 } }));
    const plan = run([makeNode('a'), makeNode('b')], tasks);
    expect(plan.assignments).toHaveLength(4);
    expect(reasonOf(plan)).toBe('no suitable node (2 nodes already run 2 tasks of this service (max replicas per node))');
    const one = run([makeNode('a')], [makeTask('t1', 's', { placement: { maxReplicas: 1 } }), makeTask('t', 's', { placement: { maxReplicas: 1 } })]);
    expect(reasonOf(one)).toBe('no suitable node (1 node already runs 1 task of this service (max replicas per node))');
  });

  it('explains a mixed cluster in pipeline order, as in the issue', () => {
    const nodes = [
      makeNode('p1', { availability: 'PAUSE' }), makeNode('p2', { availability: 'DRAIN' }), makeNode('p3', { availability: 'PAUSE', labels: { zone: 'eu' } }),
      makeNode('m1', { memoryBytes: 256 * MiB, labels: { zone: 'eu' } }), makeNode('m2', { memoryBytes: 256 * MiB }),
      makeNode('us', { labels: { zone: 'us' } }),
    ];
    const plan = run(nodes, [makeTask('t', 's', { memoryBytes: 512 * MiB, placement: { constraints: ['node.labels.zone==eu'] } })]);
    expect(reasonOf(plan)).toBe('no suitable node (3 nodes not available for new tasks; 2 nodes lack 512MiB memory; 1 node does not satisfy constraint node.labels.zone==eu)');
  });

  it('reports an unparseable placement that slipped past the API instead of ignoring it', () => {
    const reason = reasonOf(run([makeNode('a')], [makeTask('t', 's', { placement: { constraints: ['node.labels.zone=eu'] } })]));
    expect(reason).toContain('invalid constraint "node.labels.zone=eu"');
  });

  it('checks only its own node for a task the orchestrator pre-assigned (global services)', () => {
    const tasks = [makeTask('t', 'g', { nodeId: 'a', state: 'PENDING', memoryBytes: 16 * GiB }), makeTask('ok', 'g', { nodeId: 'b', state: 'PENDING' })];
    const plan = run([makeNode('a'), makeNode('b')], tasks);
    expect(placedOn(plan)).toEqual({ ok: 'b' });
    expect(reasonOf(plan)).toBe('no suitable node (1 node lacks 16GiB memory)');
    expect(reasonOf(run([makeNode('b')], [makeTask('t', 'g', { nodeId: 'gone', state: 'PENDING' })]))).toBe('no suitable node (node gone is not in the cluster)');
  });
});

describe('ranking', () => {
  it('prefers nodes with fewer tasks of the service, then fewer tasks overall', () => {
    const nodes = [makeNode('a'), makeNode('b'), makeNode('c')];
    const tasks = [
      makeTask('s-on-a', 's', { nodeId: 'a' }),
      makeTask('x1', 'x', { nodeId: 'b' }), makeTask('x2', 'x', { nodeId: 'b' }), makeTask('x3', 'x', { nodeId: 'c' }),
      makeTask('t', 's'),
    ];
    expect(placedOn(run(nodes, tasks))).toEqual({ t: 'c' });
  });

  it('spreads over nested preferences: zones first, then racks', () => {
    const nodes = [
      makeNode('eu-1a', { labels: { zone: 'eu', rack: '1' } }), makeNode('eu-1b', { labels: { zone: 'eu', rack: '1' } }),
      makeNode('eu-2a', { labels: { zone: 'eu', rack: '2' } }),
      makeNode('us-1a', { labels: { zone: 'us', rack: '1' } }),
    ];
    const placement = { preferences: [{ spreadDescriptor: 'node.labels.zone' }, { spreadDescriptor: 'node.labels.rack' }] };
    const tasks = Array.from({ length: 8 }, (_, i) => makeTask(`t${i}`, 's', { placement }));
    const counts: Record<string, number> = {};
    for (const a of run(nodes, tasks).assignments) counts[a.nodeId] = (counts[a.nodeId] ?? 0) + 1;
    // 4 per zone; in eu 2 per rack; in rack eu/1 one per node.
    expect(counts).toEqual({ 'us-1a': 4, 'eu-2a': 2, 'eu-1a': 1, 'eu-1b': 1 });
  });

  it('counts tasks on full nodes toward their zone, so the zone is not handed more', () => {
    const nodes = [makeNode('eu1', { labels: { zone: 'eu' }, memoryBytes: GiB }), makeNode('eu2', { labels: { zone: 'eu' } }), makeNode('us1', { labels: { zone: 'us' } })];
    const placement = { preferences: [{ spreadDescriptor: 'node.labels.zone' }] };
    const running = [0, 1].map((i) => makeTask(`r${i}`, 's', { nodeId: 'eu1', memoryBytes: GiB / 2, placement }));
    const tasks = [...running, makeTask('t1', 's', { memoryBytes: GiB / 2, placement }), makeTask('t2', 's', { memoryBytes: GiB / 2, placement })];
    expect(run(nodes, tasks).assignments.map((a) => a.nodeId)).toEqual(['us1', 'us1']);
  });

  it('spreads over engine labels too', () => {
    const nodes = [makeNode('a1', { engineLabels: { dc: 'a' } }), makeNode('a2', { engineLabels: { dc: 'a' } }), makeNode('b1', { engineLabels: { dc: 'b' } })];
    const tasks = Array.from({ length: 4 }, (_, i) => makeTask(`t${i}`, 's', { placement: { preferences: [{ spreadDescriptor: 'spread=engine.labels.dc' }] } }));
    expect(run(nodes, tasks).assignments.filter((a) => a.nodeId === 'b1')).toHaveLength(2);
  });

  it('puts nodes lacking the spread label in a branch of their own', () => {
    const nodes = [makeNode('eu', { labels: { zone: 'eu' } }), makeNode('none-1'), makeNode('none-2')];
    const tasks = Array.from({ length: 4 }, (_, i) => makeTask(`t${i}`, 's', { placement: { preferences: [{ spreadDescriptor: 'node.labels.zone' }] } }));
    const onEu = run(nodes, tasks).assignments.filter((a) => a.nodeId === 'eu');
    expect(onEu).toHaveLength(2);
  });

  it('binpack fills the fullest node that fits', () => {
    const nodes = [makeNode('a', { memoryBytes: 4 * GiB }), makeNode('b', { memoryBytes: 4 * GiB })];
    const placement = { strategy: 'BINPACK' as const };
    const tasks = [
      makeTask('r', 'other', { nodeId: 'b', memoryBytes: 1 * GiB }),
      ...Array.from({ length: 4 }, (_, i) => makeTask(`t${i}`, 's', { memoryBytes: 1 * GiB, placement })),
    ];
    const plan = run(nodes, tasks);
    expect(plan.assignments.map((a) => a.nodeId)).toEqual(['b', 'b', 'b', 'a']);
  });

  it('random is seeded: same seed same plan, other seeds differ', () => {
    const nodes = Array.from({ length: 20 }, (_, i) => makeNode(`n${i}`));
    const tasks = Array.from({ length: 10 }, (_, i) => makeTask(`t${i}`, 's', { placement: { strategy: 'RANDOM' } }));
    expect(run(nodes, tasks, 7)).toEqual(run(nodes, tasks, 7));
    const plans = new Set([1, 2, 3, 4].map((seed) => JSON.stringify(run(nodes, tasks, seed).assignments)));
    expect(plans.size).toBeGreaterThan(1);
  });

  it('puts nodes where the service failed 5 times in the last 5 minutes last', () => {
    const now = 1_000_000;
    const failures = (node: string, at: number): Task[] => Array.from({ length: 5 }, (_, i) => makeTask(`f-${node}-${i}`, 's', { nodeId: node, state: 'FAILED', desired: 'SHUTDOWN', timestampMs: at }));
    const nodes = [makeNode('a'), makeNode('b')];
    const recent = schedule({ nodes, tasks: [...failures('a', now - 60_000), makeTask('t1', 's'), makeTask('t2', 's')], now, seed: 1 });
    expect(recent.assignments.map((x) => x.nodeId)).toEqual(['b', 'b']);
    const old = schedule({ nodes, tasks: [...failures('a', now - 6 * 60_000), makeTask('t1', 's'), makeTask('t2', 's')], now, seed: 1 });
    expect(old.assignments.map((x) => x.nodeId).sort()).toEqual(['a', 'b']);
    const fewer = schedule({ nodes, tasks: [...failures('a', now - 60_000).slice(1), makeTask('t1', 's'), makeTask('t2', 's')], now, seed: 1 });
    expect(fewer.assignments.map((x) => x.nodeId).sort()).toEqual(['a', 'b']);
    // Last does not mean never: a failing node still takes tasks when nothing else fits.
    const only = schedule({ nodes: [makeNode('a')], tasks: [...failures('a', now - 60_000), makeTask('t1', 's')], now, seed: 1 });
    expect(only.assignments.map((x) => x.nodeId)).toEqual(['a']);
  });
});
