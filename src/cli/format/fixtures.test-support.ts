// Objects shared by the formatter tests (not used by production code).
import { codec, type Node, type Partial as DeepPartial, type Service, type ServiceMode, type Task } from '../../gen/index.js';

/** 2026-01-02T03:04:05.678Z, the fixtures' "now". */
export const NOW_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const MIN = 60_000;

/** A replicated service with Docker's create-time defaults. */
export function webService(): Service {
  return codec.Service.fromPartial({
    id: 'kq9m3s5c1y2ddx0ufhmh2bjj5',
    meta: { version: { index: 12 }, createdAtMs: NOW_MS - 10 * MIN, updatedAtMs: NOW_MS - 5 * MIN },
    spec: {
      annotations: { name: 'web', labels: { tier: 'front' } },
      task: {
        container: { image: 'nginx:1.27@sha256:0123abcd', args: ['nginx', '-g', 'daemon off;'], env: ['A=1', 'B=2'], init: false, stopGracePeriodMs: 10_000 },
        resources: { limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1_500_000_000 }, reservations: {} },
        restart: { condition: 'ANY', delayMs: 5000 },
        placement: { constraints: ['node.role==worker'] },
        networks: [{ target: 'net1id', aliases: [] }],
      },
      mode: { kind: 'REPLICATED', replicas: 3 },
      update: { parallelism: 1, failureAction: 'PAUSE', monitorMs: 5000, order: 'STOP_FIRST' },
      rollback: { parallelism: 1, failureAction: 'PAUSE', monitorMs: 5000, order: 'STOP_FIRST' },
      endpoint: { mode: 'VIP', ports: [{ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'INGRESS' }] },
    },
    endpoint: {
      spec: { mode: 'VIP', ports: [{ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'INGRESS' }] },
      ports: [{ targetPort: 80, publishedPort: 8080, protocol: 'TCP', publishMode: 'INGRESS' }],
      virtualIps: [{ networkId: 'ingressid', addr: '10.0.0.5/24' }],
    },
  });
}

/** A service of the given mode, for list tests. */
export function serviceOf(id: string, name: string, mode: DeepPartial<ServiceMode>, image: string, maxReplicas = 0): Service {
  return codec.Service.fromPartial({ id, spec: { annotations: { name }, task: { container: { image }, placement: { maxReplicas } }, mode } });
}

/** A task of `web` in the given state. */
export function task(id: string, slot: number, nodeId: string, state: Task['desiredState'], desired: Task['desiredState'], ageMs: number, err = ''): Task {
  return codec.Task.fromPartial({
    id,
    meta: { createdAtMs: NOW_MS - ageMs },
    serviceId: 'kq9m3s5c1y2ddx0ufhmh2bjj5',
    serviceAnnotations: { name: 'web' },
    slot,
    nodeId,
    spec: { container: { image: 'nginx:1.27@sha256:0123abcd' } },
    status: { state, timestampMs: NOW_MS - ageMs, err },
    desiredState: desired,
  });
}

/** A manager node. */
export function managerNode(): Node {
  return codec.Node.fromPartial({
    id: 'jkb4bbw94tecwq0g1bqpmdxbo',
    meta: { version: { index: 9 }, createdAtMs: Date.UTC(2026, 0, 1, 10, 0, 0, 500), updatedAtMs: Date.UTC(2026, 0, 1, 10, 5, 0) },
    spec: { annotations: { labels: { zone: 'a' } }, desiredRole: 'MANAGER', availability: 'ACTIVE' },
    description: { hostname: 'host1', platform: { os: 'linux', architecture: 'x86_64' }, resources: { nanoCpus: 4_000_000_000, memoryBytes: 8 * 1024 ** 3 }, engineVersion: '28.0.1' },
    status: { state: 'READY', addr: '192.0.2.11' },
    managerStatus: { raftId: 1, addr: '192.0.2.11:2377', leader: true, reachability: 'REACHABLE' },
    role: 'MANAGER',
  });
}

/** A worker node. */
export function workerNode(id: string, hostname: string, state: 'READY' | 'DOWN' = 'READY'): Node {
  return codec.Node.fromPartial({
    id,
    spec: { desiredRole: 'WORKER', availability: 'ACTIVE' },
    description: { hostname, platform: { os: 'linux', architecture: 'x86_64' }, engineVersion: '28.0.1' },
    status: { state, addr: '192.0.2.12' },
  });
}
