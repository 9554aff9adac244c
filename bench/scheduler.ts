// `npm run bench -- scheduler [--nodes N] [--tasks N] [--services N]`:
// places 100,000 tasks of 200 services (mixed constraints, reservations and
// spread preferences) onto 5,000 nodes through the incremental state, as the
// leader would (tasks arrive per service, assignments come back as store
// events), then 100 more tasks into the full cluster.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Node, Placement, Service, Task } from '../src/gen/index.js';
import type { TaskId } from '../src/common/ids.js';
import { SchedulerState, schedulePending, type Plan } from '../src/scheduler/index.js';
import { makeNode } from '../src/scheduler/fixtures.test-support.js';

interface BenchOptions {
  nodes: number;
  tasks: number;
  services: number;
  incremental: number;
}

function parseArgs(args: string[]): BenchOptions {
  const options: BenchOptions = { nodes: 5000, tasks: 100_000, services: 200, incremental: 100 };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, '') as keyof BenchOptions | undefined;
    const value = Number(args[i + 1]);
    if (key !== undefined && key in options && Number.isFinite(value)) options[key] = value;
  }
  return options;
}

function makeNodes(count: number): Node[] {
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push(makeNode(`node-${i}`, {
      role: i < 5 ? 'MANAGER' : 'WORKER',
      labels: { zone: `z${i % 5}`, rack: `r${i % 50}`, disk: i % 3 === 0 ? 'ssd' : 'hdd' },
      engineLabels: { tier: i % 4 === 0 ? 'edge' : 'core' },
      arch: i % 10 === 0 ? 'aarch64' : 'x86_64',
      nanoCpus: 32e9,
      memoryBytes: 128 * 2 ** 30,
      generic: i % 10 === 0 ? [{ kind: 'gpu', value: 4 }] : [],
    }));
  }
  return nodes;
}

/** Service i's placement: a rotating mix of constraints, preferences and strategies. */
function placementFor(i: number): Placement {
  const constraints: string[] = [];
  if (i % 4 === 1) constraints.push('node.labels.disk==ssd');
  if (i % 4 === 2) constraints.push('node.role!=manager', 'engine.labels.tier==core');
  if (i % 10 === 3) constraints.push('node.platform.arch==amd64');
  const preferences = i % 3 === 0 ? [{ spreadDescriptor: 'node.labels.zone' }] : i % 3 === 1 ? [{ spreadDescriptor: 'node.labels.zone' }, { spreadDescriptor: 'node.labels.rack' }] : [];
  return { constraints, preferences, platforms: [], maxReplicas: i % 7 === 0 ? 2 : 0, strategy: i % 11 === 5 ? 'BINPACK' : i % 13 === 6 ? 'RANDOM' : 'SPREAD' };
}

function makeService(i: number): Service {
  return {
    id: `svc-${i}`, forceUpdate: 0,
    spec: {
      annotations: { name: `svc-${i}`, labels: {} },
      dependsOn: [],
      task: {
        networks: [], forceUpdate: 0, placement: placementFor(i),
        resources: { reservations: { nanoCpus: (1 + (i % 4)) * 1e8, memoryBytes: (64 + 64 * (i % 8)) * 2 ** 20, generic: i % 100 === 7 ? [{ kind: 'gpu', value: 1 }] : [] } },
      },
    },
  };
}

/** Pending tasks as the orchestrator writes them; they share their service's spec object, as a store may. */
function makeTasks(service: Service, from: number, count: number): Task[] {
  const tasks: Task[] = [];
  for (let n = from; n < from + count; n++) {
    tasks.push({
      id: `${service.id}.${n}`, serviceId: service.id, slot: n + 1, nodeId: '', spec: service.spec?.task,
      status: { state: 'PENDING', timestampMs: 0, message: '', err: '', containerId: '', exitCode: 0, pid: 0, health: '' },
      desiredState: 'RUNNING', networks: [],
    });
  }
  return tasks;
}

/** The store's confirmation of a plan: each assigned task comes back as a taskUpdated event. */
function confirm(state: SchedulerState, plan: Plan, byId: Map<string, Task>): void {
  for (const a of plan.assignments) {
    const task = byId.get(a.taskId);
    if (task === undefined) continue;
    const assigned: Task = { ...task, nodeId: a.nodeId, status: { ...(task.status ?? { timestampMs: 0, message: '', err: '', containerId: '', exitCode: 0, pid: 0, health: '' }), state: 'ASSIGNED' } };
    byId.set(a.taskId, assigned);
    state.taskUpdated(assigned);
  }
}

// Set once, before any code is optimized: flipping V8 flags later can throw away optimized code.
setFlagsFromString('--expose-gc');

function gcHeapMb(): number {
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface FullRun {
  state: SchedulerState;
  services: Service[];
  byId: Map<string, Task>;
  placed: number;
  unplaceable: number;
  wallMs: number;
  cpuMs: number;
  scheduleCpuMs: number;
  eventsCpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The full placement: every service's tasks arrive, are planned, and come back assigned. */
function fullPlacement(o: BenchOptions): FullRun {
  const state = new SchedulerState();
  const services = Array.from({ length: o.services }, (_, i) => makeService(i));
  for (const service of services) state.serviceUpserted(service);
  for (const node of makeNodes(o.nodes)) state.nodeUpserted(node);
  const perService = Math.floor(o.tasks / o.services);
  const byId = new Map<string, Task>();
  const pendingByService = services.map((s) => makeTasks(s, 0, perService));
  let scheduleCpuMs = 0;
  let eventsCpuMs = 0;
  let placed = 0;
  let unplaceable = 0;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (const tasks of pendingByService) {
    const c0 = process.cpuUsage();
    for (const task of tasks) {
      byId.set(task.id, task);
      state.taskAdded(task);
    }
    const c1 = process.cpuUsage();
    const plan = schedulePending(state, { now: 0, seed: 42 });
    const c2 = process.cpuUsage();
    confirm(state, plan, byId);
    eventsCpuMs += cpuMsSince(c0) - cpuMsSince(c1) + cpuMsSince(c2);
    scheduleCpuMs += cpuMsSince(c1) - cpuMsSince(c2);
    placed += plan.assignments.length;
    unplaceable += plan.unplaceable.length;
  }
  return { state, services, byId, placed, unplaceable, wallMs: performance.now() - wallStart, cpuMs: cpuMsSince(cpuStart), scheduleCpuMs, eventsCpuMs };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Runs the benchmark and prints a table, then the summary line. */
export async function main(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const perService = Math.floor(o.tasks / o.services);
  // A leader runs for days: warm the JIT on a tenth-size cluster first, as benchmarks of long-lived code do.
  fullPlacement({ ...o, nodes: Math.ceil(o.nodes / 10), tasks: Math.ceil(o.tasks / 10) });
  // Three full runs; the machine is shared, so rates use this process's CPU time and the median run.
  const runs: FullRun[] = [];
  for (let i = 0; i < 3; i++) runs.push(fullPlacement(o));
  const rates = runs.map((r) => r.placed / (r.cpuMs / 1000));
  const wallRates = runs.map((r) => r.placed / (r.wallMs / 1000));
  const run = runs[runs.length - 1] as FullRun;
  runs.length = 0;
  const { state, services, byId } = run;

  // Incremental: 100 tasks spread over 10 services with different placements, into the full cluster.
  const incrementalMs: number[] = [];
  const incrementalWallMs: number[] = [];
  // The first passes of this smaller shape run while the JIT compiles them (its threads count in CPU
  // time); a leader runs such passes all day, so 20 warm-up rounds come first, then 10 measured ones.
  const warmupRounds = 20;
  let coldMs = 0;
  for (let round = 0; round < warmupRounds + 10; round++) {
    const tasks = services.slice(0, 10).flatMap((s) => makeTasks(s, perService + round * 100, o.incremental / 10));
    for (const task of tasks) {
      byId.set(task.id, task);
      state.taskAdded(task);
    }
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = schedulePending(state, { now: 0, seed: round });
    const wall = performance.now() - t0;
    const cpu = cpuMsSince(c0);
    if (round === 0) coldMs = cpu;
    if (round >= warmupRounds) {
      incrementalMs.push(cpu);
      incrementalWallMs.push(wall);
    }
    confirm(state, plan, byId);
    // Give the cluster back the tasks so every round sees the same load.
    for (const a of plan.assignments) state.taskRemoved(a.taskId as TaskId);
  }
  const incremental = median(incrementalMs);
  const heapMb = gcHeapMb();
  const rate = median(rates);

  const rows: [string, string][] = [
    ['nodes', String(o.nodes)],
    ['services', String(o.services)],
    ['tasks placed (per run)', String(run.placed)],
    ['tasks unplaceable (per run)', String(run.unplaceable)],
    ['full placement CPU time, last run', `${run.cpuMs.toFixed(0)} ms`],
    ['  of which scheduling passes', `${run.scheduleCpuMs.toFixed(0)} ms`],
    ['  of which store events (add + confirm)', `${run.eventsCpuMs.toFixed(0)} ms`],
    ['placements/s by CPU time, 3 runs', rates.map((r) => r.toFixed(0)).join(' / ')],
    ['placements/s by wall time, 3 runs', wallRates.map((r) => r.toFixed(0)).join(' / ')],
    [`incremental ${o.incremental} tasks CPU, median of 10`, `${incremental.toFixed(2)} ms`],
    [`incremental ${o.incremental} tasks CPU, worst of 10`, `${Math.max(...incrementalMs).toFixed(2)} ms`],
    [`incremental ${o.incremental} tasks wall, median of 10`, `${median(incrementalWallMs).toFixed(2)} ms`],
    [`incremental ${o.incremental} tasks CPU, first pass`, `${coldMs.toFixed(2)} ms`],
    ['heap after GC (state + task objects)', `${heapMb.toFixed(0)} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`| ${'measure'.padEnd(width)} | value |`);
  console.log(`|${'-'.repeat(width + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
  console.log(`scheduler-bench: ${rate.toFixed(0)} placements/s at ${o.nodes} nodes; incremental ${o.incremental} tasks in ${incremental.toFixed(1)} ms; heap ${heapMb.toFixed(0)} MB`);
  await Promise.resolve();
}
