// The filter stages, in Swarm's order. Each is built once per task group with
// its reasons prepared, checks one node, and names why it rejects it; the
// explanation counts nodes per reason (each node under its first failure).
import type { Platform } from '../gen/index.js';
import type { Constraint } from './constraint.js';
import type { Demand } from './demand.js';
import { countNodes, formatBytes, formatCpus, verb } from './format.js';
import { normalizeArch, type NodeEntry } from './node-entry.js';

/** Why a node was rejected; one object per distinct reason so nodes can be counted under it. */
export interface Reason {
  /** Pipeline position, so explanations list reasons in filter order. */
  readonly stage: number;
  /** The phrase after the node count: "1 node lacks 512MiB memory". */
  describe(count: number): string;
}

/** One stage of the pipeline. */
export interface Filter {
  readonly name: string;
  /** True when the verdict can change as tasks are placed (resources, ports, max replicas). */
  readonly dynamic: boolean;
  /** The reason the node is rejected, or undefined when it passes. */
  check(entry: NodeEntry): Reason | undefined;
}

/** What one group of identical tasks asks of a node. */
export interface GroupNeeds {
  readonly constraints: readonly Constraint[];
  readonly platforms: readonly Platform[];
  readonly maxReplicas: number;
  readonly demand: Demand;
  /** This service's occupying tasks per node ordinal (live: reflects placements as they are made). */
  readonly serviceCounts: Map<number, number>;
}

function reason(stage: number, singular: string, plural: string): Reason {
  return { stage, describe: (count) => `${countNodes(count)} ${verb(count, singular, plural)}` };
}

/** Builds the pipeline for one task group, in Swarm's order. */
export function buildFilters(needs: GroupNeeds): Filter[] {
  const filters: Filter[] = [readyFilter(), availabilityFilter()];
  const resources = resourceFilter(needs.demand);
  if (resources !== undefined) filters.push(resources);
  if (needs.constraints.length > 0) filters.push(constraintFilter(needs.constraints));
  if (needs.platforms.length > 0) filters.push(platformFilter(needs.platforms));
  if (needs.demand.hostPorts.length > 0) filters.push(hostPortFilter(needs.demand.hostPorts));
  if (needs.maxReplicas > 0) filters.push(maxReplicasFilter(needs.maxReplicas, needs.serviceCounts));
  return filters;
}

/** Runs filters in order; the first rejection is the node's reason. */
export function firstRejection(filters: readonly Filter[], entry: NodeEntry, dynamicOnly = false): Reason | undefined {
  for (const filter of filters) {
    if (dynamicOnly && !filter.dynamic) continue;
    const rejected = filter.check(entry);
    if (rejected !== undefined) return rejected;
  }
  return undefined;
}

function readyFilter(): Filter {
  const notReady = reason(0, 'not ready', 'not ready');
  return { name: 'ready', dynamic: false, check: (entry) => (entry.ready ? undefined : notReady) };
}

function availabilityFilter(): Filter {
  // Pause and drain both keep new tasks away; the wording is Swarm's.
  const unavailable = reason(1, 'not available for new tasks', 'not available for new tasks');
  return { name: 'availability', dynamic: false, check: (entry) => (entry.availability === 'ACTIVE' ? undefined : unavailable) };
}

function resourceFilter(demand: Demand): Filter | undefined {
  const { nanoCpus, memoryBytes, generic } = demand;
  if (nanoCpus <= 0 && memoryBytes <= 0 && generic.length === 0) return undefined;
  const cpu = reason(2, `lacks ${formatCpus(nanoCpus)}`, `lack ${formatCpus(nanoCpus)}`);
  const memory = reason(2, `lacks ${formatBytes(memoryBytes)} memory`, `lack ${formatBytes(memoryBytes)} memory`);
  const generics = generic.map((g) => ({ kind: g.kind, value: g.value, reason: reason(2, `lacks ${g.kind}=${g.value}`, `lack ${g.kind}=${g.value}`) }));
  return {
    name: 'resources',
    dynamic: true,
    check: (entry) => {
      if (nanoCpus > 0 && entry.nanoCpusReserved + nanoCpus > entry.nanoCpusCapacity) return cpu;
      if (memoryBytes > 0 && entry.memoryBytesReserved + memoryBytes > entry.memoryBytesCapacity) return memory;
      for (const g of generics) {
        if ((entry.genericCapacity.get(g.kind) ?? 0) - (entry.genericReserved.get(g.kind) ?? 0) < g.value) return g.reason;
      }
      return undefined;
    },
  };
}

/** True when the node satisfies the constraint (missing labels satisfy only `!=`, as in Swarm). */
export function satisfies(entry: NodeEntry, constraint: Constraint): boolean {
  let actual: string | undefined;
  let expected = constraint.value;
  switch (constraint.field) {
    case 'id': actual = entry.idLower; break;
    case 'hostname': actual = entry.hostnameLower; break;
    case 'role': actual = entry.roleLower; break;
    case 'os': actual = entry.osLower; break;
    case 'arch': actual = entry.archNormalized; expected = normalizeArch(expected); break;
    case 'nodeLabel': actual = entry.nodeLabelsLower.get(constraint.label); break;
    case 'engineLabel': actual = entry.engineLabelsLower.get(constraint.label); break;
  }
  return constraint.op === '==' ? actual === expected : actual !== expected;
}

function constraintFilter(constraints: readonly Constraint[]): Filter {
  const checks = constraints.map((c) => ({ c, reason: reason(3, `does not satisfy constraint ${c.text}`, `do not satisfy constraint ${c.text}`) }));
  return {
    name: 'constraints',
    dynamic: false,
    check: (entry) => {
      for (const { c, reason: r } of checks) if (!satisfies(entry, c)) return r;
      return undefined;
    },
  };
}

/** True when the node runs one of the image's platforms (or no platform is required). */
export function supportsPlatform(entry: NodeEntry, platforms: readonly Platform[]): boolean {
  // A node that has not reported its platform yet is given the benefit of the doubt, as in Swarm.
  if (platforms.length === 0 || (entry.osLower === '' && entry.archNormalized === '')) return true;
  for (const p of platforms) {
    const os = p.os.toLowerCase();
    const arch = normalizeArch(p.architecture);
    if ((os === '' || os === entry.osLower) && (arch === '' || arch === entry.archNormalized)) return true;
  }
  return false;
}

function platformFilter(platforms: readonly Platform[]): Filter {
  const names = platforms.map((p) => [p.os, p.architecture].filter((s) => s !== '').join('/')).join(' or ');
  const unsupported = reason(4, `does not support platform ${names}`, `do not support platform ${names}`);
  return { name: 'platform', dynamic: false, check: (entry) => (supportsPlatform(entry, platforms) ? undefined : unsupported) };
}

function hostPortFilter(ports: readonly string[]): Filter {
  const checks = ports.map((port) => ({ port, reason: reason(5, `already uses host port ${port}`, `already use host port ${port}`) }));
  return {
    name: 'host-ports',
    dynamic: true,
    check: (entry) => {
      for (const { port, reason: r } of checks) if (entry.hostPortsInUse.has(port)) return r;
      return undefined;
    },
  };
}

function maxReplicasFilter(maxReplicas: number, serviceCounts: Map<number, number>): Filter {
  const tasks = maxReplicas === 1 ? '1 task' : `${maxReplicas} tasks`;
  const full = reason(6, `already runs ${tasks} of this service (max replicas per node)`, `already run ${tasks} of this service (max replicas per node)`);
  return {
    name: 'max-replicas',
    dynamic: true,
    check: (entry) => ((serviceCounts.get(entry.ordinal) ?? 0) >= maxReplicas ? full : undefined),
  };
}

/** Collects rejected nodes per reason and renders Swarm's "no suitable node (...)" line. */
export class Explanation {
  private readonly counts = new Map<Reason, number>();

  /** Counts one rejected node under its reason. */
  add(r: Reason): void {
    this.counts.set(r, (this.counts.get(r) ?? 0) + 1);
  }

  /** "no suitable node (3 nodes not available for new tasks; 2 nodes lack 512MiB memory)". */
  render(): string {
    if (this.counts.size === 0) return 'no suitable node (no nodes in the cluster)';
    const parts = [...this.counts.entries()].map(([r, count], i) => ({ stage: r.stage, i, text: r.describe(count) }));
    // Pipeline order first; within a stage, first seen first (stable sort).
    parts.sort((a, b) => a.stage - b.stage || a.i - b.i);
    return `no suitable node (${parts.map((p) => p.text).join('; ')})`;
  }
}
