// Ranking: placement preferences form a tree of branches (zone, then rack);
// each task goes down the branch holding fewest of the service's tasks, and
// in the leaf the strategy picks the node: spread (fewest of this service,
// then fewest overall), binpack (fullest that fits) or random (seeded).
// Nodes where the service keeps failing rank last in every strategy.
import type { Placement_Strategy } from '../gen/index.js';
import type { SpreadPreference } from './constraint.js';
import { OrdinalHeap } from './heap.js';
import { fullness, type NodeEntry } from './node-entry.js';
import type { LabelColumn } from './state.js';
import type { Prng } from './prng.js';

/** Decides whether a candidate still fits (dynamic filters); false drops it from the leaf. */
export type StillFits = (ordinal: number) => boolean;

/** What rankers read about nodes during one group. */
export interface RankInputs {
  readonly nodes: readonly (NodeEntry | undefined)[];
  /** This service's occupying tasks per node ordinal, when the group starts. */
  readonly serviceCounts: ReadonlyMap<number, number>;
  /** Ordinals where the service failed too often recently. */
  readonly failing: ReadonlySet<number>;
  readonly strategy: Placement_Strategy;
  readonly prng: Prng;
  /** Each node's value of a spread label (SchedulerState.labelColumn). */
  readonly labelColumn: (source: 'nodeLabel' | 'engineLabel', label: string) => LabelColumn;
}

/** Group-local arrays by ordinal: comparators run millions of times, Maps are too slow there. */
interface RankArrays {
  readonly nodes: readonly (NodeEntry | undefined)[];
  readonly counts: Int32Array;
  readonly failing: Uint8Array;
  /** Spread's whole order in one number: failing, then this service's tasks, then all tasks. */
  readonly spreadKeys: Float64Array;
}

// Field widths of a spread key; counts stay far below 2^21 per node.
const TOTAL_SCALE = 1;
const SERVICE_SCALE = 2 ** 21;
const FAILING_SCALE = 2 ** 42;

function spreadKey(arrays: RankArrays, ordinal: number): number {
  return (arrays.failing[ordinal] ?? 0) * FAILING_SCALE + (arrays.counts[ordinal] ?? 0) * SERVICE_SCALE + (arrays.nodes[ordinal]?.taskCount ?? 0) * TOTAL_SCALE;
}

interface Leaf {
  /** The best node that still fits, or -1. */
  pick(stillFits: StillFits): number;
  /** The picked node received a task. */
  placed(ordinal: number): void;
}

/** A branch of the preference tree: a label value at one level, or the leaf of nodes. */
interface Branch {
  readonly parent: Branch | undefined;
  /** This service's tasks on the branch's eligible nodes. */
  count: number;
  alive: boolean;
  readonly children: Branch[];
  /** Children by label value id, to count tasks on nodes outside the eligible set. */
  readonly childByValue: Map<number, Branch>;
  leaf: Leaf | undefined;
}

/** The ranking structure for one group: pick a node, then tell it the node was used. */
export class PlacementTree {
  private readonly root: Branch;
  private readonly leafOf: (Branch | undefined)[];
  private readonly arrays: RankArrays;
  /** Each preference level's label values across nodes. */
  private readonly columns: LabelColumn[];

  /** Builds branches from `eligible` ordinals by the preferences' label values; takes ownership of the array. */
  constructor(eligible: number[], preferences: readonly SpreadPreference[], private readonly inputs: RankInputs) {
    const size = inputs.nodes.length;
    this.arrays = { nodes: inputs.nodes, counts: new Int32Array(size), failing: new Uint8Array(size), spreadKeys: new Float64Array(size) };
    for (const o of inputs.failing) this.arrays.failing[o] = 1;
    this.leafOf = new Array<Branch | undefined>(size);
    // Count the service's tasks from its own index: O(its nodes), not O(cluster); leaves heapify on these.
    for (const [o, count] of inputs.serviceCounts) if (o < size) this.arrays.counts[o] = count;
    if (inputs.strategy === 'SPREAD') for (const o of eligible) this.arrays.spreadKeys[o] = spreadKey(this.arrays, o);
    this.columns = preferences.map((p) => inputs.labelColumn(p.source, p.label));
    this.root = this.build(undefined, eligible, 0);
    for (const [o, count] of inputs.serviceCounts) {
      if (this.leafOf[o] !== undefined) {
        for (let b: Branch | undefined = this.leafOf[o]; b !== undefined; b = b.parent) b.count += count;
        continue;
      }
      // Tasks on nodes that cannot take more (full, paused) still count for their zone's and rack's
      // share, so a zone is not handed extra tasks because its busy nodes dropped out of the tree.
      let branch: Branch | undefined = this.root;
      for (const column of this.columns) {
        branch = o < column.ids.length ? branch.childByValue.get(column.ids[o] ?? -1) : undefined;
        if (branch === undefined) break;
        branch.count += count;
      }
    }
  }

  /** The next node for a task of the group, or -1 when no eligible node still fits. */
  pick(stillFits: StillFits): number {
    return pickIn(this.root, stillFits);
  }

  /** Records a placement on `ordinal`: branch counts and the leaf's order. */
  placed(ordinal: number): void {
    const leaf = this.leafOf[ordinal];
    if (leaf === undefined) return;
    this.arrays.counts[ordinal] = (this.arrays.counts[ordinal] ?? 0) + 1;
    this.arrays.spreadKeys[ordinal] = spreadKey(this.arrays, ordinal);
    leaf.leaf?.placed(ordinal);
    for (let b: Branch | undefined = leaf; b !== undefined; b = b.parent) b.count++;
  }

  private build(parent: Branch | undefined, ordinals: number[], level: number): Branch {
    const branch: Branch = { parent, count: 0, alive: ordinals.length > 0, children: [], childByValue: new Map(), leaf: undefined };
    const column = this.columns[level];
    if (column === undefined) {
      branch.leaf = makeLeaf(ordinals, this.inputs, this.arrays);
      for (const o of ordinals) this.leafOf[o] = branch;
      return branch;
    }
    const buckets: number[][] = column.values.map(() => []);
    for (const o of ordinals) buckets[column.ids[o] ?? 0]?.push(o);
    for (const id of column.order) {
      const bucket = buckets[id];
      if (bucket === undefined || bucket.length === 0) continue;
      const child = this.build(branch, bucket, level + 1);
      branch.children.push(child);
      branch.childByValue.set(id, child);
    }
    return branch;
  }
}

function pickIn(branch: Branch, stillFits: StillFits): number {
  if (!branch.alive) return -1;
  if (branch.leaf !== undefined) {
    const picked = branch.leaf.pick(stillFits);
    if (picked < 0) branch.alive = false;
    return picked;
  }
  for (;;) {
    let best: Branch | undefined;
    for (const child of branch.children) if (child.alive && (best === undefined || child.count < best.count)) best = child;
    if (best === undefined) {
      branch.alive = false;
      return -1;
    }
    const picked = pickIn(best, stillFits);
    if (picked >= 0) return picked;
  }
}

function makeLeaf(ordinals: number[], inputs: RankInputs, arrays: RankArrays): Leaf {
  switch (inputs.strategy) {
    case 'SPREAD': return heapLeaf(ordinals, spreadLess(arrays));
    case 'BINPACK': return heapLeaf(ordinals, binpackLess(arrays));
    case 'RANDOM': return randomLeaf(ordinals, inputs, arrays);
  }
}

function heapLeaf(ordinals: number[], less: (a: number, b: number) => boolean): Leaf {
  // The heap takes the array over: the tree built it for this leaf alone.
  const heap = new OrdinalHeap(ordinals, less);
  return {
    pick: (stillFits) => {
      for (let top = heap.peek(); top >= 0; top = heap.peek()) {
        if (stillFits(top)) return top;
        heap.pop();
      }
      return -1;
    },
    placed: () => heap.topChanged(),
  };
}

function spreadLess({ spreadKeys }: RankArrays): (a: number, b: number) => boolean {
  return (a, b) => {
    const ka = spreadKeys[a] ?? 0;
    const kb = spreadKeys[b] ?? 0;
    return ka < kb || (ka === kb && a < b);
  };
}

function binpackLess({ nodes, failing }: RankArrays): (a: number, b: number) => boolean {
  return (a, b) => {
    const fa = failing[a] ?? 0;
    const fb = failing[b] ?? 0;
    if (fa !== fb) return fa < fb;
    const ea = nodes[a];
    const eb = nodes[b];
    const ua = ea === undefined ? 0 : fullness(ea);
    const ub = eb === undefined ? 0 : fullness(eb);
    if (ua !== ub) return ua > ub;
    // With no reservations, "fullest" means most tasks: still packs.
    const ta = ea?.taskCount ?? 0;
    const tb = eb?.taskCount ?? 0;
    if (ta !== tb) return ta > tb;
    return a < b;
  };
}

function randomLeaf(ordinals: readonly number[], { prng }: RankInputs, { failing }: RankArrays): Leaf {
  // Failing nodes form a second pool, used only when the first is exhausted.
  const pools = [ordinals.filter((o) => failing[o] !== 1), ordinals.filter((o) => failing[o] === 1)];
  return {
    pick: (stillFits) => {
      for (const pool of pools) {
        while (pool.length > 0) {
          const i = prng.nextInt(pool.length);
          const candidate = pool[i] as number;
          if (stillFits(candidate)) return candidate;
          pool[i] = pool[pool.length - 1] as number;
          pool.pop();
        }
      }
      return -1;
    },
    placed: () => undefined,
  };
}
