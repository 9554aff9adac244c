// What every reconciler is given: the service as the store holds it, all of
// its tasks, the nodes, and the injected helpers. Nothing else is read.
import type { Node, Service, Task } from '../../gen/index.js';

/** The desired state of one service (undefined service: it was removed). */
export interface DesiredService {
  serviceId: string;
  service: Service | undefined;
  /** The cluster's task-history-limit (ClusterSpec.taskHistoryRetentionLimit); negative keeps all. */
  taskHistoryLimit: number;
}

/** The observed state: every task of the service, and every node by ID. */
export interface ObservedService {
  tasks: readonly Task[];
  nodes: ReadonlyMap<string, Node>;
}

/** Injected by the shell: IDs from its random source, constraints from the scheduler. */
export interface ReconcileDeps {
  newId: () => string;
  /** Whether the node satisfies the service's placement constraints and platforms. */
  isNodeEligible: (node: Node, service: Service) => boolean;
}

/** Groups tasks by a key, keeping each group's order. */
export function groupBy<K>(tasks: readonly Task[], key: (task: Task) => K): Map<K, Task[]> {
  const groups = new Map<K, Task[]>();
  for (const task of tasks) {
    const k = key(task);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [task]);
    else group.push(task);
  }
  return groups;
}
