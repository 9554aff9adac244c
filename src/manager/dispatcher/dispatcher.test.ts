// The dispatcher and a node's agent session talking over real gRPC with
// mutual TLS, and the node's liveness port a real TCP listener. The store
// behind the dispatcher is a plain in-memory view (the store itself is tested
// on its own); the agent is a recorder. The dispatcher's time is a manual
// clock: nothing here sleeps, tests move time and wait for real I/O only.
import { createServer, type Server } from 'node:net';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../common/clock.js';
import { codec, DispatcherService, type Node, type SessionMessage, type Task, type TaskStatusUpdate } from '../../gen/index.js';
import { AgentSession, type AgentPort } from '../../daemon/agent-session.js';
import { createClient, RpcServer, type TlsMaterial } from '../../rpc/index.js';
import { createRootCA, issueNodeTls, MANAGER_ROLE, WORKER_ROLE } from '../ca/index.js';
import { CLOSE_GRACE_MS, Dispatcher, MISSED_HEARTBEATS_BEFORE_DOWN, RESTART_GRACE_HEARTBEATS, STALL_TOLERANCE_MS, tcpLivenessProbe, type DispatcherStoreView, type NodeAssignmentItem, type NodeStatusUpdate, type ProbeResult, type TaskStatusReport } from './index.js';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const HEARTBEAT_MS = 5_000;

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

/** Waits for real I/O (gRPC, TCP) to produce `f`; bounded in real time. */
async function until<T>(what: string, f: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A node daemon's liveness port: a real listener that can be closed, as when the process dies. */
async function livenessPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
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

  interface Setup {
    view: MemoryView;
    nodeStatuses: NodeStatusUpdate[];
    taskStatuses: TaskStatusReport[];
    addr: string;
    dispatcher: Dispatcher;
    clock: ManualClock;
    /** Every liveness probe's result, in order (the probe is the real TCP one). */
    probes: ProbeResult[];
    /** Moves the dispatcher's time and lets batched status writes flush. */
    advance(ms: number): Promise<void>;
    downs(): NodeStatusUpdate[];
  }

  async function setup(): Promise<Setup> {
    const view = new MemoryView();
    view.nodes.set('w1', codec.Node.fromPartial({ id: 'w1' }));
    const nodeStatuses: NodeStatusUpdate[] = [];
    const taskStatuses: TaskStatusReport[] = [];
    const clock = new ManualClock(1_000_000);
    const probes: ProbeResult[] = [];
    const probe = async (host: string, port: number): Promise<ProbeResult> => {
      const result = await tcpLivenessProbe(host, port);
      probes.push(result);
      return result;
    };
    const dispatcher = new Dispatcher(view, { setNodeStatuses: async (u) => void nodeStatuses.push(...u), setTaskStatuses: async (u) => void taskStatuses.push(...u) }, clock, probe, log);
    const server = new RpcServer({ tls: managerTls, logger: log });
    server.addService(DispatcherService, dispatcher.handlers());
    const port = await server.listen('127.0.0.1:0');
    cleanups.push(async () => {
      dispatcher.stop();
      await server.close(100);
    });
    const advance = async (ms: number): Promise<void> => {
      clock.advance(ms);
      clock.advance(30); // the status batcher's interval
      await new Promise((r) => setImmediate(r));
    };
    const downs = (): NodeStatusUpdate[] => nodeStatuses.filter((x) => x.status.state === 'DOWN');
    return { view, nodeStatuses, taskStatuses, addr: `127.0.0.1:${port}`, dispatcher, clock, probes, advance, downs };
  }

  /** Waits for a status the batcher holds: the dispatcher's clock moves 30 ms per look. */
  async function flushed<T>(t: Setup, what: string, f: () => T | undefined): Promise<T> {
    return until(what, () => {
      t.clock.advance(30);
      return f();
    });
  }

  function session(addr: string, agent: AgentPort, options: { onRemoved?: (r: string) => void; livenessPort?: number } = {}): AgentSession {
    const s = new AgentSession({ managers: [addr], tls: workerTls, description: async () => codec.NodeDescription.fromPartial({ hostname: 'w1host' }), dataPathAddr: '192.0.2.12', agent, log, ...options });
    s.start();
    cleanups.push(() => s.stop());
    return s;
  }

  it('marks the node ready, streams its assignments as they change, and carries status reports back', async () => {
    const t = await setup();
    const { view, nodeStatuses, taskStatuses, addr } = t;
    view.putTask('t1', 'w1', 1);
    view.putTask('t2', 'w1', 1);
    view.putTask('other', 'w2', 1);
    const agent = new RecordingAgent();
    session(addr, agent);
    const ready = await flushed(t, 'node ready', () => nodeStatuses.find((s) => s.status.state === 'READY'));
    expect(ready).toMatchObject({ nodeId: 'w1', description: { hostname: 'w1host' }, dataPathAddr: '192.0.2.12', status: { addr: '127.0.0.1' } });
    await flushed(t, 'first assignments', () => agent.assignments.find((a) => a.join() === 't1,t2'));
    view.putTask('t3', 'w1', 1);
    await flushed(t, 'added task', () => agent.assignments.find((a) => a.join() === 't1,t2,t3'));
    view.removeTask('t1');
    await flushed(t, 'removed task', () => agent.assignments.find((a) => a.join() === 't2,t3'));
    agent.report([{ taskId: 't2', status: codec.TaskStatus.fromPartial({ state: 'RUNNING' }) }, { taskId: 'other', status: codec.TaskStatus.fromPartial({ state: 'RUNNING' }) }]);
    await flushed(t, 'status report', () => taskStatuses.find((s) => s.taskId === 't2'));
    expect(taskStatuses.map((s) => s.taskId)).toEqual(['t2']); // not its task: ignored
  });

  it('declares a node down once its stream closed and its daemon is gone (liveness port refused), after the close grace', async () => {
    const t = await setup();
    const liveness = await livenessPort();
    const s = session(t.addr, new RecordingAgent(), { livenessPort: liveness.port });
    await flushed(t, 'node ready', () => t.nodeStatuses.find((x) => x.status.state === 'READY'));
    await liveness.close(); // SIGKILL: the process and its sockets are gone
    await s.stop();
    await until('stream closed and probed', () => t.dispatcher.disconnectedNodes().includes('w1') && t.probes.length >= 1);
    expect(t.probes[0]).toBe('refused');
    await t.advance(CLOSE_GRACE_MS - 100);
    expect(t.downs()).toEqual([]); // a supervisor restarting the daemon at once may still bring it back
    await t.advance(100);
    const down = await flushed(t, 'node down', () => t.downs()[0]);
    expect(down.status.message).toBe('heartbeat failure');
    expect(t.dispatcher.connectedNodes()).toEqual([]);
    expect(t.dispatcher.nodeDownTransitions()).toBe(1);
  });

  it('keeps a node whose stream closed while its daemon still answers (paused, starved, connection reset) until the silent grace', async () => {
    const t = await setup();
    const liveness = await livenessPort();
    cleanups.push(() => liveness.close());
    const s = session(t.addr, new RecordingAgent(), { livenessPort: liveness.port });
    await flushed(t, 'node ready', () => t.nodeStatuses.find((x) => x.status.state === 'READY'));
    await s.stop(); // the stream closes, but the process lives: its kernel still accepts on the liveness port
    await until('probed', () => t.probes.includes('open'));
    for (let ms = 0; ms < HEARTBEAT_MS * MISSED_HEARTBEATS_BEFORE_DOWN - 1_000; ms += 500) await t.advance(500);
    expect(t.downs()).toEqual([]);
    expect(t.probes).not.toContain('refused');
    await t.advance(1_000); // silent for three periods: Down, as a node cut off by the network would be
    await flushed(t, 'node down', () => t.downs()[0]);
  });

  it('declares a silent node (stream open, no heartbeats) down after three periods; each heartbeat buys three more', async () => {
    const t = await setup();
    const raw = await rawSession(t.addr);
    await t.advance(HEARTBEAT_MS * 2);
    await raw.heartbeat();
    await t.advance(HEARTBEAT_MS * 2); // four periods since the session opened, two since the heartbeat
    expect(t.downs()).toEqual([]);
    await t.advance(HEARTBEAT_MS);
    await flushed(t, 'node down', () => t.downs()[0]);
  });

  it('judges no node while this manager itself was stalled: a late deadline gives the node a period to be heard', async () => {
    const t = await setup();
    const raw = await rawSession(t.addr);
    t.clock.stall(HEARTBEAT_MS * MISSED_HEARTBEATS_BEFORE_DOWN + STALL_TOLERANCE_MS + 1_000); // SIGSTOP of the leader, or a starved event loop
    await t.advance(0); // the overdue deadline fires first, before any queued heartbeat is read
    expect(t.downs()).toEqual([]);
    await raw.heartbeat(); // ...which then arrives
    await t.advance(HEARTBEAT_MS);
    expect(t.downs()).toEqual([]);
    await t.advance(HEARTBEAT_MS * MISSED_HEARTBEATS_BEFORE_DOWN); // silent for real now
    await flushed(t, 'node down', () => t.downs()[0]);
  });

  it('keeps the tasks of a node that said it is restarting for the restart grace, then declares it down', async () => {
    const t = await setup();
    const liveness = await livenessPort();
    const agent = new RecordingAgent();
    const s = session(t.addr, agent, { livenessPort: liveness.port });
    await flushed(t, 'node ready', () => t.nodeStatuses.find((x) => x.status.state === 'READY'));
    await until('session open on the node\'s side', () => agent.reachable.includes(true)); // so that stop() can give notice
    await s.stop({ restarting: true }); // SIGTERM: the daemon will be back, its containers keep running
    await liveness.close();
    await until('stream closed', () => t.dispatcher.disconnectedNodes().includes('w1'));
    await t.advance(HEARTBEAT_MS * (RESTART_GRACE_HEARTBEATS - 1));
    expect(t.downs()).toEqual([]); // a killed daemon would be Down by now
    expect(t.probes).toEqual([]); // and no probe judges a restarting daemon
    await t.advance(HEARTBEAT_MS);
    await flushed(t, 'node down', () => t.downs()[0]);
  });

  it('keeps a node Ready that reconnects after its stream closed', async () => {
    const t = await setup();
    const liveness = await livenessPort();
    cleanups.push(() => liveness.close());
    const first = session(t.addr, new RecordingAgent(), { livenessPort: liveness.port });
    await flushed(t, 'node ready', () => t.nodeStatuses.find((x) => x.status.state === 'READY'));
    await first.stop();
    session(t.addr, new RecordingAgent(), { livenessPort: liveness.port }); // the same daemon, reconnected
    await until('reconnected', () => t.dispatcher.connectedNodes().includes('w1') && !t.dispatcher.disconnectedNodes().includes('w1'));
    await t.advance(HEARTBEAT_MS * 2);
    expect(t.downs()).toEqual([]);
    expect(t.dispatcher.connectedNodes()).toEqual(['w1']);
    expect(t.dispatcher.nodeDownTransitions()).toBe(0);
  });

  it('tells the agent when its managers vanish, so it carries on alone', async () => {
    const { addr, dispatcher } = await setup();
    const agent = new RecordingAgent();
    session(addr, agent);
    await until('connected', () => dispatcher.connectedNodes().includes('w1'));
    dispatcher.stop(); // leadership lost: every stream ends, no new session accepted
    await until('unreachable', () => agent.reachable.includes(false), 20_000);
  });

  it('refuses a node that was removed from the swarm', async () => {
    const { view, addr } = await setup();
    view.nodes.delete('w1');
    const agent = new RecordingAgent();
    const reasons: string[] = [];
    session(addr, agent, { onRemoved: (r) => reasons.push(r) });
    await until('removed', () => reasons[0]);
    expect(reasons[0]).toMatch(/not a member of this swarm/);
  });

  /** A node session driven by hand: opened, then heartbeats only when the test sends them. */
  async function rawSession(addr: string): Promise<{ heartbeat(): Promise<void> }> {
    const client = createClient(DispatcherService, addr, { tls: workerTls });
    const abort = new AbortController();
    cleanups.push(() => {
      abort.abort();
      client.close();
    });
    const stream = client.session({ description: codec.NodeDescription.fromPartial({ hostname: 'w1host' }), sessionId: '', dataPathAddr: '192.0.2.12', livenessPort: 0 }, { signal: abort.signal });
    stream.on('error', () => undefined);
    const first = await new Promise<SessionMessage>((resolve) => stream.once('data', resolve));
    return { heartbeat: async () => void (await client.heartbeat({ sessionId: first.sessionId, restarting: false })) };
  }
});
