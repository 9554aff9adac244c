// The filter stages, in Swarm's order. Each stage is a small function that
// checks one node for one task group and names why it rejects it; the order
// is wired in one place (NodeFilter.check). Reasons are prepared once per
// group so the explanation can count nodes per reason (each node under its
// first failure). Direct calls, not an array of closures: the scan runs
// 5,000 times per group and V8 inlines monomorphic calls.
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

/** What one group of identical tasks asks of a node. */
export interface GroupNeeds {
  readonly constraints: readonly Constraint[];
  readonly platforms: readonly Platform[];
  readonly maxReplicas: number;
  readonly demand: Demand;
  /** This service's occupying tasks per node ordinal (live: reflects placements as they are made). */
  readonly serviceCounts: ReadonlyMap<number, number>;
}

/** The stages in pipeline order; a Reason's `stage` is its index here. */
export const STAGES = ['ready', 'availability', 'resources', 'constraints', 'platform', 'host-ports', 'max-replicas'] as const;

function reason(stage: (typeof STAGES)[number], singular: string, plural: string): Reason {
  return { stage: STAGES.indexOf(stage), describe: (count) => `${countNodes(count)} ${verb(count, singular, plural)}` };
}

interface GenericNeed {
  readonly kind: string;
  readonly value: number;
  readonly reason: Reason;
}

/** The filter pipeline for one task group. */
export class NodeFilter {
  readonly notReady = reason('ready', 'not ready', 'not ready');
  // Pause and drain both keep new tasks away; the wording is Swarm's.
  readonly unavailable = reason('availability', 'not available for new tasks', 'not available for new tasks');
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly lacksCpu: Reason;
  readonly lacksMemory: Reason;
  readonly generic: readonly GenericNeed[];
  readonly constraints: readonly { readonly constraint: Constraint; readonly reason: Reason }[];
  readonly platforms: readonly Platform[];
  readonly unsupported: Reason;
  readonly hostPorts: readonly { readonly port: string; readonly reason: Reason }[];
  readonly maxReplicas: number;
  readonly full: Reason;
  readonly serviceCounts: ReadonlyMap<number, number>;

  /** Prepares every stage's reasons for `needs`. */
  constructor(needs: GroupNeeds) {
    const { nanoCpus, memoryBytes, generic, hostPorts } = needs.demand;
    this.nanoCpus = nanoCpus;
    this.memoryBytes = memoryBytes;
    this.lacksCpu = reason('resources', `lacks ${formatCpus(nanoCpus)}`, `lack ${formatCpus(nanoCpus)}`);
    this.lacksMemory = reason('resources', `lacks ${formatBytes(memoryBytes)} memory`, `lack ${formatBytes(memoryBytes)} memory`);
    this.generic = generic.map((g) => ({ kind: g.kind, value: g.value, reason: reason('resources', `lacks ${g.kind}=${g.value}`, `lack ${g.kind}=${g.value}`) }));
    this.constraints = needs.constraints.map((c) => ({ constraint: c, reason: reason('constraints', `does not satisfy constraint ${c.text}`, `do not satisfy constraint ${c.text}`) }));
    this.platforms = needs.platforms;
    const names = needs.platforms.map((p) => [p.os, p.architecture].filter((s) => s !== '').join('/')).join(' or ');
    this.unsupported = reason('platform', `does not support platform ${names}`, `do not support platform ${names}`);
    this.hostPorts = hostPorts.map((port) => ({ port, reason: reason('host-ports', `already uses host port ${port}`, `already use host port ${port}`) }));
    this.maxReplicas = needs.maxReplicas;
    const tasks = needs.maxReplicas === 1 ? '1 task' : `${needs.maxReplicas} tasks`;
    this.full = reason('max-replicas', `already runs ${tasks} of this service (max replicas per node)`, `already run ${tasks} of this service (max replicas per node)`);
    this.serviceCounts = needs.serviceCounts;
  }

  /** The whole pipeline in Swarm's order: the first stage that rejects the node names why. */
  check(entry: NodeEntry): Reason | undefined {
    return (
      readyStage(this, entry) ??
      availabilityStage(this, entry) ??
      resourceStage(this, entry) ??
      constraintStage(this, entry) ??
      platformStage(this, entry) ??
      hostPortStage(this, entry) ??
      maxReplicasStage(this, entry)
    );
  }

  /** Only the stages whose verdict can change as tasks are placed. */
  checkDynamic(entry: NodeEntry): Reason | undefined {
    return resourceStage(this, entry) ?? hostPortStage(this, entry) ?? maxReplicasStage(this, entry);
  }

  /** Only the stages that depend on the node alone, not on what runs there. */
  checkStatic(entry: NodeEntry): Reason | undefined {
    return readyStage(this, entry) ?? availabilityStage(this, entry) ?? constraintStage(this, entry) ?? platformStage(this, entry);
  }
}

function readyStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  return entry.ready ? undefined : f.notReady;
}

function availabilityStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  return entry.availability === 'ACTIVE' ? undefined : f.unavailable;
}

function resourceStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  if (f.nanoCpus > 0 && entry.nanoCpusReserved + f.nanoCpus > entry.nanoCpusCapacity) return f.lacksCpu;
  if (f.memoryBytes > 0 && entry.memoryBytesReserved + f.memoryBytes > entry.memoryBytesCapacity) return f.lacksMemory;
  for (const g of f.generic) {
    if ((entry.genericCapacity.get(g.kind) ?? 0) - (entry.genericReserved.get(g.kind) ?? 0) < g.value) return g.reason;
  }
  return undefined;
}

function constraintStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  for (const c of f.constraints) if (!satisfies(entry, c.constraint)) return c.reason;
  return undefined;
}

function platformStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  return supportsPlatform(entry, f.platforms) ? undefined : f.unsupported;
}

function hostPortStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  for (const p of f.hostPorts) if (entry.hostPortsInUse.has(p.port)) return p.reason;
  return undefined;
}

function maxReplicasStage(f: NodeFilter, entry: NodeEntry): Reason | undefined {
  return f.maxReplicas > 0 && (f.serviceCounts.get(entry.ordinal) ?? 0) >= f.maxReplicas ? f.full : undefined;
}

/** True when the node satisfies the constraint (missing labels satisfy only `!=`, as in Swarm). */
export function satisfies(entry: NodeEntry, constraint: Constraint): boolean {
  let actual: string | undefined;
  switch (constraint.field) {
    case 'id': actual = entry.idLower; break;
    case 'hostname': actual = entry.hostnameLower; break;
    case 'role': actual = entry.roleLower; break;
    case 'os': actual = entry.osLower; break;
    case 'arch': actual = entry.archNormalized; break;
    case 'nodeLabel': actual = entry.nodeLabelsLower.get(constraint.label); break;
    case 'engineLabel': actual = entry.engineLabelsLower.get(constraint.label); break;
  }
  return constraint.op === '==' ? actual === constraint.value : actual !== constraint.value;
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
