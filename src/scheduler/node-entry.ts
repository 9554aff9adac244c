// The scheduler's view of one node: the attributes filters read, prepared once
// per node update (lowercased for Swarm's case-insensitive matching), and the
// running totals that tasks add to and take from.
import type { Node, NodeSpec_Availability } from '../gen/index.js';
import type { NodeId } from '../common/ids.js';
import type { Demand } from './demand.js';

/** One node as the filters and rankers see it. */
export interface NodeEntry {
  readonly ordinal: number;
  readonly id: NodeId;
  /** False while only tasks name this node (store replay order) or after it was removed. */
  known: boolean;
  ready: boolean;
  availability: NodeSpec_Availability;
  idLower: string;
  hostnameLower: string;
  roleLower: string;
  osLower: string;
  archNormalized: string;
  /** Label values lowercased, for constraints (Maps: a label named "constructor" is just a label). */
  nodeLabelsLower: Map<string, string>;
  engineLabelsLower: Map<string, string>;
  /** Label values as written, for spread branches. */
  nodeLabels: Map<string, string>;
  engineLabels: Map<string, string>;
  nanoCpusCapacity: number;
  memoryBytesCapacity: number;
  genericCapacity: Map<string, number>;
  nanoCpusReserved: number;
  memoryBytesReserved: number;
  genericReserved: Map<string, number>;
  /** Host-mode ports in use on this node, with how many tasks hold each. */
  hostPortsInUse: Map<string, number>;
  /** Tasks of every service occupying this node. */
  taskCount: number;
}

/** A fresh entry that knows nothing but its ID. */
export function placeholderEntry(ordinal: number, id: NodeId): NodeEntry {
  return {
    ordinal, id, known: false, ready: false, availability: 'DRAIN',
    idLower: id.toLowerCase(), hostnameLower: '', roleLower: '', osLower: '', archNormalized: '',
    nodeLabelsLower: new Map(), engineLabelsLower: new Map(), nodeLabels: new Map(), engineLabels: new Map(),
    nanoCpusCapacity: 0, memoryBytesCapacity: 0, genericCapacity: new Map(),
    nanoCpusReserved: 0, memoryBytesReserved: 0, genericReserved: new Map(),
    hostPortsInUse: new Map(), taskCount: 0,
  };
}

/** Refreshes an entry's attributes and capacity from the store's node object. */
export function describeNode(entry: NodeEntry, node: Node): void {
  entry.known = true;
  entry.ready = node.status?.state === 'READY';
  entry.availability = node.spec?.availability ?? 'ACTIVE';
  entry.hostnameLower = (node.description?.hostname ?? '').toLowerCase();
  entry.roleLower = node.role.toLowerCase();
  entry.osLower = (node.description?.platform?.os ?? '').toLowerCase();
  entry.archNormalized = normalizeArch(node.description?.platform?.architecture ?? '');
  entry.nodeLabels = new Map(Object.entries(node.spec?.annotations?.labels ?? {}));
  entry.engineLabels = new Map(Object.entries(node.description?.engineLabels ?? {}));
  entry.nodeLabelsLower = lowerValues(entry.nodeLabels);
  entry.engineLabelsLower = lowerValues(entry.engineLabels);
  const resources = node.description?.resources;
  entry.nanoCpusCapacity = resources?.nanoCpus ?? 0;
  entry.memoryBytesCapacity = resources?.memoryBytes ?? 0;
  entry.genericCapacity = new Map();
  for (const g of resources?.generic ?? []) entry.genericCapacity.set(g.kind, (entry.genericCapacity.get(g.kind) ?? 0) + g.value);
}

/** Adds (sign 1) or gives back (sign -1) what a task holds on the node. */
export function applyDemand(entry: NodeEntry, demand: Demand, sign: 1 | -1): void {
  entry.taskCount += sign;
  entry.nanoCpusReserved += sign * demand.nanoCpus;
  entry.memoryBytesReserved += sign * demand.memoryBytes;
  for (const g of demand.generic) {
    const next = (entry.genericReserved.get(g.kind) ?? 0) + sign * g.value;
    if (next === 0) entry.genericReserved.delete(g.kind);
    else entry.genericReserved.set(g.kind, next);
  }
  for (const port of demand.hostPorts) {
    const next = (entry.hostPortsInUse.get(port) ?? 0) + sign;
    if (next === 0) entry.hostPortsInUse.delete(port);
    else entry.hostPortsInUse.set(port, next);
  }
}

/** How full the node is by reservations, 0..1: the larger of its CPU and memory shares. */
export function fullness(entry: NodeEntry): number {
  const cpu = entry.nanoCpusCapacity > 0 ? entry.nanoCpusReserved / entry.nanoCpusCapacity : 0;
  const memory = entry.memoryBytesCapacity > 0 ? entry.memoryBytesReserved / entry.memoryBytesCapacity : 0;
  return Math.max(cpu, memory);
}

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64', x8664: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386', i686: '386',
};

/** Engines report `x86_64`, images say `amd64`: compare them as one. */
export function normalizeArch(arch: string): string {
  const lower = arch.toLowerCase();
  return ARCH_ALIASES[lower] ?? lower;
}

function lowerValues(labels: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of labels) out.set(key, value.toLowerCase());
  return out;
}
