import type { Node, Task, WeightedPeer } from '../../gen/index.js';
import type { DispatcherStoreView } from '../dispatcher/index.js';
import type { MemoryStore, StoreChangeSet } from '../store/index.js';

/** Default dispatcher heartbeat period: short, so a dead worker's tasks move within seconds. */
export const DEFAULT_HEARTBEAT_PERIOD_MS = 1_000;

/**
 * The dispatcher's view of the leader's store. Node watchers are indexed by
 * node, so a batch wakes only the sessions of nodes whose tasks it touched
 * (never every session per event).
 */
export class StoreDispatcherView implements DispatcherStoreView {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: MemoryStore,
    private readonly managerAddrs: () => string[],
  ) {
    this.unsubscribe = store.watch((changes) => this.notify(changes));
  }

  node(nodeId: string): Node | undefined {
    return this.store.get('node', nodeId);
  }

  tasksForNode(nodeId: string): Task[] {
    return this.store.tasksOnNode(nodeId);
  }

  watchNode(nodeId: string, listener: () => void): () => void {
    let set = this.watchers.get(nodeId);
    if (!set) this.watchers.set(nodeId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(nodeId);
    };
  }

  managers(): WeightedPeer[] {
    return this.managerAddrs().map((addr) => ({ addr, weight: 1 }));
  }

  heartbeatPeriodMs(): number {
    const [cluster] = this.store.list('cluster');
    return cluster?.spec?.heartbeatPeriodMs || DEFAULT_HEARTBEAT_PERIOD_MS;
  }

  /** Stops watching the store. */
  close(): void {
    this.unsubscribe();
    this.watchers.clear();
  }

  private notify(changes: StoreChangeSet): void {
    const nodes = new Set<string>();
    for (const event of changes.events) {
      if (event.kind === 'task') {
        if (event.object.nodeId) nodes.add(event.object.nodeId);
        if (event.previous?.nodeId) nodes.add(event.previous.nodeId);
      } else if (event.kind === 'node') {
        nodes.add(event.object.id);
      }
    }
    for (const nodeId of nodes) for (const listener of this.watchers.get(nodeId) ?? []) listener();
  }
}
