// The dispatcher and a node's agent session talking over real gRPC with
// mutual TLS. The store behind the dispatcher is a plain in-memory view (the
// store itself is tested on its own); the agent is a recorder.
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codec, DispatcherService, type Node, type Task, type TaskStatusUpdate } from '../../gen/index.js';
import { AgentSession, type AgentPort } from '../../daemon/agent-session.js';
import { RpcServer, type TlsMaterial } from '../../rpc/index.js';
import { createRootCA, issueNodeTls, MANAGER_ROLE, WORKER_ROLE } from '../ca/index.js';
import { Dispatcher, RESTART_GRACE_HEARTBEATS, realTimers, type DispatcherStoreView, type NodeAssignmentItem, type NodeStatusUpdate, type TaskStatusReport } from './index.js';

const log = pino({ level: 'silent' });
const HEARTBEAT_MS = 150;

class MemoryView implements DispatcherStoreView {
  nodes = new Map<string, Node>();
  tasks = new Map<string, Task>();
  private listeners = new Set<() => void>();
  node = (id: string): Node | undefined => this.nodes.get(id);
  tasksForNode = (id: string): Task[] => [...this.tasks.values()].filter((t) => t.nodeId === id);
  assignmentsForNode = (id: string): NodeAssignmentItem[] =>
    this.tasksForNode(id).map((task) => ({ key: `task:${task.id}`, fingerprint: String(task.meta?.version?.index), assignment: { task } }));
  watchNode = (_id: string, l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  managers = () => [{ addr: 'mgr:2377', weight: 1 }];
  periodMs = HEARTBEAT_MS;
  heartbeatPeriodMs = (): number => this.periodMs;
  putTask(id: string, nodeId: string, version: number): void {
    this.tasks.set(id, codec.Task.fromPartial({ id, nodeId, meta: { version: { index: version } }, desiredState: 'RUNNING' }));
    this.listeners.forEach((l) => l());
  }
  removeTask(id: string): void {
    this.tasks.delete(id);
    this.listeners.forEach((l) => l());
  }
}

class RecordingAgent implements AgentPort {
  assignments: string[][] = [];
  reachable: boolean[] = [];
  private listener: ((u: TaskStatusUpdate[]) => void) | undefined;
  setAssignments(tasks: Task[]): void {
    this.assignments.push(tasks.map((t) => t.id).sort());
  }
  onStatus(l: (u: TaskStatusUpdate[]) => void): () => void {
    this.listener = l;
    return () => (this.listener = undefined);
  }
  setManagersReachable(r: boolean): void {
    this.reachable.push(r);
  }
  report(u: TaskStatusUpdate[]): void {
    this.listener?.(u);
  }
}

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('dispatcher ↔ agent session over mutual TLS', () => {
  let managerTls: TlsMaterial;
  let workerTls: TlsMaterial;
  let cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    const ca = await createRootCA();
    managerTls = await issueNodeTls(ca, { nodeId: 'm1', role: MANAGER_ROLE, clusterId: 'c' });
    workerTls = await issueNodeTls(ca, { nodeId: 'w1', role: WORKER_ROLE, clusterId: 'c' });
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
  });

  async function setup(): Promise<{ view: MemoryView; nodeStatuses: NodeStatusUpdate[]; taskStatuses: TaskStatusReport[]; addr: string; dispatcher: Dispatcher }> {
    const view = new MemoryView();
    view.nodes.set('w1', codec.Node.fromPartial({ id: 'w1' }));
    const nodeStatuses: NodeStatusUpdate[] = [];
    const taskStatuses: TaskStatusReport[] = [];
    const dispatcher = new Dispatcher(view, { setNodeStatuses: async (u) => void nodeStatuses.push(...u), setTaskStatuses: async (u) => void taskStatuses.push(...u) }, realTimers, log);
    const server = new RpcServer({ tls: managerTls, logger: log });
    server.addService(DispatcherService, dispatcher.handlers());
    const port = await server.listen('127.0.0.1:0');
    cleanups.push(async () => {
      dispatcher.stop();
      await server.close(100);
    });
    return { view, nodeStatuses, taskStatuses, addr: `127.0.0.1:${port}`, dispatcher };
  }

  function session(addr: string, agent: AgentPort, onRemoved?: (r: string) => void): AgentSession {
    const s = new AgentSession({ managers: [addr], tls: workerTls, description: async () => codec.NodeDescription.fromPartial({ hostname: 'w1host' }), dataPathAddr: '192.0.2.12', agent, log, ...(onRemoved ? { onRemoved } : {}) });
    s.start();
    cleanups.push(() => s.stop());
    return s;
  }

  it('marks the node ready, streams its assignments as they change, and carries status reports back', async () => {
    const { view, nodeStatuses, taskStatuses, addr } = await setup();
    view.putTask('t1', 'w1', 1);
    view.putTask('t2', 'w1', 1);
    view.putTask('other', 'w2', 1);
    const agent = new RecordingAgent();
    session(addr, agent);
    const ready = await until('node ready', () => nodeStatuses.find((s) => s.status.state === 'READY'));
    expect(ready).toMatchObject({ nodeId: 'w1', description: { hostname: 'w1host' }, dataPathAddr: '192.0.2.12', status: { addr: '127.0.0.1' } });
    await until('first assignments', () => agent.assignments.find((a) => a.join() === 't1,t2'));
    view.putTask('t3', 'w1', 1);
    await until('added task', () => agent.assignments.find((a) => a.join() === 't1,t2,t3'));
    view.removeTask('t1');
    await until('removed task', () => agent.assignments.find((a) => a.join() === 't2,t3'));
    agent.report([{ taskId: 't2', status: codec.TaskStatus.fromPartial({ state: 'RUNNING' }) }, { taskId: 'other', status: codec.TaskStatus.fromPartial({ state: 'RUNNING' }) }]);
    await until('status report', () => taskStatuses.find((s) => s.taskId === 't2'));
    expect(taskStatuses.map((s) => s.taskId)).toEqual(['t2']); // not its task: ignored
  });

  it('declares a node down after it misses three heartbeats, and the agent carries on alone', async () => {
    const { nodeStatuses, addr, dispatcher } = await setup();
    const agent = new RecordingAgent();
    const s = session(addr, agent);
    await until('node ready', () => nodeStatuses.find((x) => x.status.state === 'READY'));
    const stoppedAt = Date.now();
    void s.stop();
    const down = await until('node down', () => nodeStatuses.find((x) => x.status.state === 'DOWN'));
    expect(down.status.message).toBe('heartbeat failure');
    expect(Date.now() - stoppedAt).toBeLessThan(HEARTBEAT_MS * 3 + 1500);
    expect(dispatcher.connectedNodes()).toEqual([]);
  });

  it('gives a node whose stream closed (daemon killed) one heartbeat period, not three', async () => {
    const { view, nodeStatuses, addr } = await setup();
    view.periodMs = 1_000; // long enough that three periods and one are told apart on a busy host
    const agent = new RecordingAgent();
    const s = session(addr, agent);
    await until('node ready', () => nodeStatuses.find((x) => x.status.state === 'READY'));
    await new Promise((r) => setTimeout(r, 200)); // a heartbeat or two first
    const closedAt = Date.now();
    void s.stop(); // the stream closes, as when the daemon's process dies
    await until('node down', () => nodeStatuses.find((x) => x.status.state === 'DOWN'), 5_000);
    const tookMs = Date.now() - closedAt;
    expect(tookMs).toBeGreaterThanOrEqual(900);
    expect(tookMs).toBeLessThan(2_500);
  });

  it('keeps the tasks of a node that said it is restarting for the restart grace, then declares it down', async () => {
    const { view, nodeStatuses, addr } = await setup();
    view.periodMs = 300;
    const s = session(addr, new RecordingAgent());
    await until('node ready', () => nodeStatuses.find((x) => x.status.state === 'READY'));
    const stoppedAt = Date.now();
    await s.stop({ restarting: true }); // SIGTERM: the daemon will be back, its containers keep running
    await new Promise((r) => setTimeout(r, 300 * 3 + 600));
    expect(nodeStatuses.filter((x) => x.status.state === 'DOWN')).toEqual([]); // a killed daemon would be Down by now
    await until('node down', () => nodeStatuses.find((x) => x.status.state === 'DOWN'), 10_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(300 * RESTART_GRACE_HEARTBEATS - 100);
  });

  it('keeps a node Ready that reconnects within the period after its stream closed', async () => {
    const { view, nodeStatuses, addr, dispatcher } = await setup();
    view.periodMs = 1_000;
    const first = session(addr, new RecordingAgent());
    await until('node ready', () => nodeStatuses.find((x) => x.status.state === 'READY'));
    void first.stop();
    session(addr, new RecordingAgent()); // the restarted daemon
    await new Promise((r) => setTimeout(r, 2_500));
    expect(nodeStatuses.filter((x) => x.status.state === 'DOWN')).toEqual([]);
    expect(dispatcher.connectedNodes()).toEqual(['w1']);
  });

  it('tells the agent when its managers vanish, so it carries on alone', async () => {
    const { addr, dispatcher } = await setup();
    const agent = new RecordingAgent();
    session(addr, agent);
    await until('connected', () => dispatcher.connectedNodes().includes('w1'));
    dispatcher.stop(); // leadership lost: every stream ends, no new session accepted
    await until('unreachable', () => agent.reachable.includes(false));
  });

  it('refuses a node that was removed from the swarm', async () => {
    const { view, addr } = await setup();
    view.nodes.delete('w1');
    const agent = new RecordingAgent();
    const reasons: string[] = [];
    session(addr, agent, (r) => reasons.push(r));
    await until('removed', () => reasons[0]);
    expect(reasons[0]).toMatch(/not a member of this swarm/);
  });
});
