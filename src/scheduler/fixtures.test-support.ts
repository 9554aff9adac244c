// Builders for tests and the benchmark: terse nodes and tasks with Swarm's defaults.
import { codec, type GenericResource, type Node, type Placement, type PortConfig, type Task, type TaskStatus_State } from '../gen/index.js';

/** Options for a test node. */
export interface NodeOptions {
  ready?: boolean;
  availability?: 'ACTIVE' | 'PAUSE' | 'DRAIN';
  role?: 'WORKER' | 'MANAGER';
  hostname?: string;
  labels?: Record<string, string>;
  engineLabels?: Record<string, string>;
  os?: string;
  arch?: string;
  nanoCpus?: number;
  memoryBytes?: number;
  generic?: GenericResource[];
}

/** A node; by default ready, active, linux/x86_64, 4 CPUs and 8 GiB. */
export function makeNode(id: string, o: NodeOptions = {}): Node {
  return codec.Node.fromPartial({
    id,
    role: o.role ?? 'WORKER',
    spec: { availability: o.availability ?? 'ACTIVE', annotations: { name: id, labels: o.labels ?? {} } },
    status: { state: o.ready === false ? 'DOWN' : 'READY' },
    description: {
      hostname: o.hostname ?? id,
      platform: { os: o.os ?? 'linux', architecture: o.arch ?? 'x86_64' },
      resources: { nanoCpus: o.nanoCpus ?? 4e9, memoryBytes: o.memoryBytes ?? 8 * 2 ** 30, generic: o.generic ?? [] },
      engineLabels: o.engineLabels ?? {},
    },
  });
}

/** Options for a test task. */
export interface TaskOptions {
  nodeId?: string;
  state?: TaskStatus_State;
  desired?: TaskStatus_State;
  timestampMs?: number;
  placement?: Partial<Placement>;
  nanoCpus?: number;
  memoryBytes?: number;
  generic?: GenericResource[];
  hostPorts?: number[];
  ports?: PortConfig[];
}

/** A task; pending unless a node is given, then running there. */
export function makeTask(id: string, serviceId: string, o: TaskOptions = {}): Task {
  const ports = o.ports ?? (o.hostPorts ?? []).map((p) => ({ publishedPort: p, targetPort: 80, publishMode: 'HOST' as const, protocol: 'TCP' as const }));
  const placement = o.placement;
  return codec.Task.fromPartial({
    id,
    serviceId,
    nodeId: o.nodeId ?? '',
    desiredState: o.desired ?? 'RUNNING',
    status: { state: o.state ?? (o.nodeId ? 'RUNNING' : 'PENDING'), timestampMs: o.timestampMs ?? 0 },
    spec: {
      placement: placement === undefined ? undefined : { constraints: [], preferences: [], platforms: [], maxReplicas: 0, strategy: 'SPREAD', ...placement },
      resources: { reservations: { nanoCpus: o.nanoCpus ?? 0, memoryBytes: o.memoryBytes ?? 0, generic: o.generic ?? [] } },
    },
    endpoint: ports.length > 0 ? { ports } : undefined,
  });
}
