import type { Logger } from 'pino';
import { DispatcherService, LogsService, type AssignmentsMessage, type Node, type NodeDescription, type Task, type TaskStatusUpdate, type WeightedPeer } from '../gen/index.js';
import { createClient, RpcError, type RpcClient, type TlsMaterial } from '../rpc/index.js';
import { emptyNodeResources, type NodeResources } from '../worker/index.js';
import { foldAssignments } from './assignment-fold.js';
import type { LogPublisher } from './log-publisher.js';

/** The worker agent, as the session drives it. */
export interface AgentPort {
  /** The complete set of tasks this node should run. */
  setAssignments(tasks: Task[]): void;
  /** What those tasks use (secrets, configs, networks, peers, services); always set before the tasks. */
  setResources?(resources: NodeResources): void;
  /** Status changes of local tasks, to report to the managers. */
  onStatus(listener: (updates: TaskStatusUpdate[]) => void): () => void;
  /** While false the agent keeps tasks running and restarts them locally. */
  setManagersReachable(reachable: boolean): void;
}

/** Options of a node's session with the managers' dispatcher. */
export interface AgentSessionOptions {
  /** Manager addresses (host:port) to try, in order. */
  managers: string[];
  tls: TlsMaterial;
  description: () => Promise<NodeDescription>;
  dataPathAddr: string;
  /** The port this daemon's liveness listener answers on (0: none); the leader probes it when the session closes. */
  livenessPort?: number;
  agent: AgentPort;
  log: Logger;
  /** Called when the managers tell us the current manager set, to remember it. */
  onManagers?: (addrs: string[]) => void;
  /** Called when a manager says this node no longer belongs to the swarm. */
  onRemoved?: (reason: string) => void;
  /** Called with this node's object whenever the managers change it (role, availability). */
  onNode?: (node: Node) => void;
  /** Serves `service logs` subscriptions for this node's tasks while the session is up. */
  logPublisher?: LogPublisher;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;
/** Until the managers say otherwise: Docker's default dispatcher heartbeat period. */
const DEFAULT_HEARTBEAT_PERIOD_MS = 5_000;
/**
 * Heartbeat periods without one answered heartbeat before the session is
 * given up and another manager tried. A late or failed heartbeat alone
 * never ends the session: on a saturated host calls miss their deadlines
 * while everything is fine, and dropping the stream would only make the
 * leader suspect this node.
 */
const SILENT_MANAGER_PERIODS = 3;

/**
 * Keeps one session with the leader's dispatcher: opens it on whichever
 * manager accepts, heartbeats at the period the managers set, applies
 * assignments to the agent and reports its task statuses. On any failure it
 * reconnects with jittered backoff, trying every known manager; after three
 * missed heartbeat periods without a session the agent is told managers are
 * unreachable and carries on alone.
 */
export class AgentSession {
  private stopped = false;
  private readonly tasks = new Map<string, Task>();
  private resources = emptyNodeResources();
  private pendingStatus = new Map<string, TaskStatusUpdate>();
  private managers: string[];
  private next = 0;
  private lastContactMs = Date.now();
  // Unknown until the first check, which always tells the agent.
  private reachable: boolean | undefined = undefined;
  private heartbeatPeriodMs = DEFAULT_HEARTBEAT_PERIOD_MS;
  private current: { client: RpcClient<typeof DispatcherService>; sessionId: string; abort: AbortController } | undefined;
  /** Aborts the session being opened or held, so stop() ends it even mid-open. */
  private opening: AbortController | undefined;
  private unsubscribe: (() => void) | undefined;
  private reachabilityTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AgentSessionOptions) {
    this.managers = [...options.managers];
  }

  /** Starts the session loop in the background. */
  start(): void {
    this.unsubscribe = this.options.agent.onStatus((updates) => {
      for (const u of updates) this.pendingStatus.set(u.taskId, u);
      void this.flushStatus();
    });
    this.reachabilityTimer = setInterval(() => this.checkReachability(), 250);
    this.reachabilityTimer.unref();
    void this.loop();
  }

  /** The tasks the managers assigned to this node, as last received. */
  assignedTasks(): Task[] {
    return [...this.tasks.values()];
  }

  /**
   * Ends the session; the agent keeps its tasks. With `restarting` (a clean
   * daemon stop or a role change, not a leave) the leader is told first, so
   * it keeps the node's tasks for its restart grace instead of replacing
   * them as a dead node's; the notice is bounded and best effort.
   */
  async stop(options: { restarting?: boolean } = {}): Promise<void> {
    const current = this.current;
    if (options.restarting && current && !this.stopped) {
      await current.client.heartbeat({ sessionId: current.sessionId, restarting: true }, { deadlineMs: 500 }).catch(() => undefined);
    }
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.reachabilityTimer);
    this.opening?.abort();
    this.current?.abort.abort();
    this.current?.client.close();
  }

  private checkReachability(): void {
    const connected = this.current !== undefined && Date.now() - this.lastContactMs < this.heartbeatPeriodMs * 3;
    if (connected !== this.reachable) {
      this.reachable = connected;
      this.options.log.info({ reachable: connected }, connected ? 'managers reachable again' : 'no manager reachable; tasks keep running locally');
      this.options.agent.setManagersReachable(connected);
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const addr = this.managers[this.next % this.managers.length];
      this.next++;
      if (!addr) return;
      try {
        await this.runSession(addr);
        failures = 0;
      } catch (error) {
        const e = RpcError.from(error);
        const ended = howSessionEnded(e);
        if (ended.kind === 'removed') {
          this.options.log.warn({ manager: addr, error: e.message }, 'this node was removed from the swarm');
          this.options.onRemoved?.(e.message);
          return;
        }
        const leader = ended.kind === 'leader-named' ? ended.addr : '';
        if (leader) {
          // A live follower named the leader (maybe one this node has not heard of): go there next, without backoff.
          this.managers = [leader, ...this.managers.filter((m) => m !== leader)];
          this.next = 0;
          failures = 0;
        } else {
          failures++;
        }
        this.options.log.debug({ manager: addr, error: e.message }, 'session with manager ended');
      } finally {
        this.current?.client.close();
        this.current = undefined;
      }
      if (this.stopped) return;
      const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(failures, 6));
      await new Promise((r) => setTimeout(r, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }

  private async runSession(addr: string): Promise<void> {
    const client = createClient(DispatcherService, addr, { tls: this.options.tls, defaultDeadlineMs: 5_000 });
    const abort = new AbortController();
    this.opening = abort;
    const sessionStream = client.session({ description: await this.options.description(), sessionId: '', dataPathAddr: this.options.dataPathAddr, livenessPort: this.options.livenessPort ?? 0 }, { signal: abort.signal });
    if (this.stopped) abort.abort(); // stop() came while the description was read
    const first = await new Promise<{ sessionId: string; heartbeatPeriodMs: number; managers: WeightedPeer[]; node?: Node }>((resolve, reject) => {
      sessionStream.once('data', resolve);
      sessionStream.once('error', reject);
      sessionStream.once('end', () => reject(new RpcError('unavailable', 'session closed before it opened')));
    });
    this.current = { client, sessionId: first.sessionId, abort };
    this.lastContactMs = Date.now();
    this.heartbeatPeriodMs = first.heartbeatPeriodMs || DEFAULT_HEARTBEAT_PERIOD_MS;
    const managers = first.managers.map((m) => m.addr).filter(Boolean);
    if (managers.length > 0) {
      this.managers = [addr, ...managers.filter((m) => m !== addr)];
      this.next = 0;
      this.options.onManagers?.(managers);
    }
    this.options.log.info({ manager: addr, sessionId: first.sessionId }, 'session with dispatcher open');
    if (first.node) this.options.onNode?.(first.node);
    sessionStream.on('data', (m: { node?: Node; managers?: WeightedPeer[] }) => {
      const latest = (m.managers ?? []).map((p) => p.addr).filter(Boolean);
      if (latest.length > 0) {
        this.managers = [addr, ...latest.filter((a) => a !== addr)];
        this.options.onManagers?.(latest);
      }
      if (m.node) this.options.onNode?.(m.node);
    });
    this.checkReachability();
    const ended = new Promise<void>((resolve, reject) => {
      sessionStream.on('error', reject);
      sessionStream.on('end', () => reject(new RpcError('unavailable', 'session ended by the manager')));
    });
    ended.catch(() => undefined);
    const assignments = client.assignments({ sessionId: first.sessionId }, { signal: abort.signal });
    const assignmentsDone = (async () => {
      for await (const message of assignments as AsyncIterable<AssignmentsMessage>) {
        this.lastContactMs = Date.now();
        this.resources = foldAssignments(this.tasks, this.resources, message);
        this.options.agent.setResources?.(this.resources);
        this.options.agent.setAssignments([...this.tasks.values()]);
      }
      throw new RpcError('unavailable', 'assignments stream ended');
    })();
    const heartbeats = (async () => {
      let lastAnsweredMs = Date.now();
      while (!abort.signal.aborted) {
        await new Promise((r) => setTimeout(r, this.heartbeatPeriodMs * 0.5));
        if (abort.signal.aborted) return;
        try {
          const res = await client.heartbeat({ sessionId: first.sessionId, restarting: false }, { deadlineMs: this.heartbeatPeriodMs * 2 });
          lastAnsweredMs = this.lastContactMs = Date.now();
          this.heartbeatPeriodMs = res.periodMs || this.heartbeatPeriodMs;
        } catch (error) {
          const e = RpcError.from(error);
          // The leader no longer knows this session (it lost leadership, or declared the node Down): open a new one.
          if (e.kind === 'not-found' || e.kind === 'permission-denied' || e.kind === 'unauthenticated') throw e;
          if (Date.now() - lastAnsweredMs > this.heartbeatPeriodMs * SILENT_MANAGER_PERIODS) throw e;
          this.options.log.debug({ err: e.message }, 'heartbeat not answered in time; keeping the session');
        }
      }
    })();
    await this.flushStatus();
    const logsClient = this.options.logPublisher ? createClient(LogsService, addr, { tls: this.options.tls }) : undefined;
    if (logsClient && this.options.logPublisher) {
      void this.options.logPublisher.serve(logsClient, abort.signal).catch((error: unknown) => this.options.log.debug({ err: error }, 'log subscriptions stream ended'));
    }
    try {
      await Promise.race([ended, assignmentsDone, heartbeats]);
    } finally {
      logsClient?.close();
      abort.abort();
      heartbeats.catch(() => undefined);
      assignmentsDone.catch(() => undefined);
    }
  }


  private flushing = false;

  private async flushStatus(): Promise<void> {
    const current = this.current;
    if (!current || this.flushing || this.pendingStatus.size === 0) return;
    this.flushing = true;
    const updates = [...this.pendingStatus.values()];
    this.pendingStatus = new Map();
    let sent = false;
    try {
      await current.client.updateTaskStatus({ sessionId: current.sessionId, updates });
      sent = true;
    } catch (error) {
      // Keep them (newer reports for the same task win) for the next session.
      for (const u of updates) if (!this.pendingStatus.has(u.taskId)) this.pendingStatus.set(u.taskId, u);
      this.options.log.debug({ err: error }, 'reporting task status failed; will retry');
    } finally {
      this.flushing = false;
    }
    // After a failure, the next session's opening flushes; no busy retry here.
    if (sent && this.pendingStatus.size > 0 && this.current) void this.flushStatus();
  }
}

/** What a session's failure tells the node: it was removed, a follower named the leader, or just try again. */
function howSessionEnded(error: RpcError): { kind: 'removed' } | { kind: 'leader-named'; addr: string } | { kind: 'retry' } {
  const detail = error.detail;
  switch (detail?.kind) {
    case 'node-removed':
      return { kind: 'removed' };
    case 'not-leader':
      return detail.leaderAddr ? { kind: 'leader-named', addr: detail.leaderAddr } : { kind: 'retry' };
    case 'transport':
    case undefined:
      return { kind: 'retry' };
    default: {
      const unknown: never = detail;
      throw new Error(`unknown error detail ${JSON.stringify(unknown)}`);
    }
  }
}
