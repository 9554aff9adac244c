import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../common/clock.js';
import type { AssignmentChange, AssignmentsMessage, DispatcherService, SessionMessage } from '../../gen/index.js';
import { RpcError, type CallContext, type Handlers } from '../../rpc/index.js';
import { Batcher } from './batcher.js';
import { LivenessWatch, MISSED_HEARTBEATS_BEFORE_DOWN, type DeathCause, type WatchedSession } from './liveness.js';
import { removalFor } from './node-assignments.js';
import type { DispatcherStoreView, DispatcherWriter, LivenessProbe, NodeStatusUpdate, TaskStatusReport } from './ports.js';

interface Session {
  id: string;
  nodeId: string;
  watched: WatchedSession;
  /** Ends the node's streams (session replaced, node down, dispatcher stopped). */
  end: (error: RpcError) => void;
  ended: Promise<RpcError>;
}

/**
 * The leader's dispatcher: one session per node. Heartbeats keep a node
 * Ready; the LivenessWatch marks it Down only when it is dead, not when it
 * is slow (its tasks are then replaced by the orchestrators). Assignments
 * stream the node's tasks, first complete, then as changes. Status reports
 * are batched into few Raft proposals.
 */
export class Dispatcher {
  private readonly sessions = new Map<string, Session>(); // by node ID
  private readonly nodeStatuses: Batcher<NodeStatusUpdate>;
  private readonly taskStatuses: Batcher<TaskStatusReport>;
  private readonly liveness: LivenessWatch;
  private readonly expected: (() => void)[] = [];
  private stopped = false;
  private downTransitions = 0;

  constructor(
    private readonly store: DispatcherStoreView,
    writer: DispatcherWriter,
    private readonly clock: Clock,
    probe: LivenessProbe,
    private readonly log: Logger,
  ) {
    this.nodeStatuses = new Batcher((u) => writer.setNodeStatuses(u), clock, log);
    this.taskStatuses = new Batcher((u) => writer.setTaskStatuses(u), clock, log);
    this.liveness = new LivenessWatch(clock, probe, () => store.heartbeatPeriodMs(), (watched, cause) => this.declareDown(watched, cause), log);
  }

  /** gRPC handlers; every call is from a node, identified by its certificate. */
  handlers(): Handlers<typeof DispatcherService> {
    return {
      session: async (req, stream, ctx) => {
        const nodeId = this.callerNode(ctx);
        const liveness = req.livenessPort > 0 && ctx.address ? { host: ctx.address, port: req.livenessPort } : undefined;
        const session = this.openSession(nodeId, liveness);
        this.nodeStatuses.add({ nodeId, status: { state: 'READY', message: '', addr: ctx.address }, description: req.description, dataPathAddr: req.dataPathAddr || undefined });
        const node = this.store.node(nodeId);
        const message: SessionMessage = { sessionId: session.id, node, managers: this.store.managers(), heartbeatPeriodMs: this.store.heartbeatPeriodMs() };
        stream.write(message);
        // The node learns of changes to itself (role, availability) on this stream.
        let sentVersion = node?.meta?.version?.index ?? 0;
        const unwatch = this.store.watchNode(nodeId, () => {
          const current = this.store.node(nodeId);
          const version = current?.meta?.version?.index ?? 0;
          if (!current || version === sentVersion) return;
          sentVersion = version;
          stream.write({ sessionId: session.id, node: current, managers: this.store.managers(), heartbeatPeriodMs: this.store.heartbeatPeriodMs() });
        });
        try {
          const error = await Promise.race([session.ended, aborted(ctx.signal)]);
          if (error) throw error;
        } finally {
          unwatch();
          this.closeSession(session);
        }
      },
      heartbeat: async (req, ctx) => {
        const nodeId = this.callerNode(ctx);
        const session = this.sessions.get(nodeId);
        if (!session || session.id !== req.sessionId) throw new RpcError('not-found', 'session not found: open a new session');
        if (req.restarting) {
          this.liveness.restarting(session.watched);
          this.log.info({ nodeId }, 'node is restarting; keeping its tasks for the restart grace');
        } else {
          this.liveness.heard(session.watched);
        }
        return { periodMs: this.store.heartbeatPeriodMs() };
      },
      updateTaskStatus: async (req, ctx) => {
        const nodeId = this.callerNode(ctx);
        const session = this.sessions.get(nodeId);
        if (!session || session.id !== req.sessionId) throw new RpcError('not-found', 'session not found: open a new session');
        const assigned = new Set(this.store.tasksForNode(nodeId).map((t) => t.id));
        const mine = req.updates.filter((u) => assigned.has(u.taskId));
        if (mine.length !== req.updates.length) this.log.warn({ nodeId, ignored: req.updates.length - mine.length }, 'node reported status of tasks not assigned to it');
        this.taskStatuses.add(...mine.flatMap((u) => (u.status ? [{ taskId: u.taskId, status: u.status }] : [])));
        return {};
      },
      assignments: async (req, stream, ctx) => {
        const nodeId = this.callerNode(ctx);
        const session = this.sessions.get(nodeId);
        if (!session || session.id !== req.sessionId) throw new RpcError('not-found', 'session not found: open a new session');
        const sent = new Map<string, string>(); // item key → fingerprint sent
        let pending = false;
        const push = (type: AssignmentsMessage['type']): void => {
          const changes: AssignmentChange[] = [];
          const current = new Map(this.store.assignmentsForNode(nodeId).map((item) => [item.key, item]));
          for (const [key, item] of current) {
            if (type === 'COMPLETE' || sent.get(key) !== item.fingerprint) changes.push({ action: 'UPDATE', assignment: item.assignment });
            sent.set(key, item.fingerprint);
          }
          for (const key of [...sent.keys()]) {
            if (current.has(key)) continue;
            sent.delete(key);
            if (type === 'INCREMENTAL') changes.push({ action: 'REMOVE', assignment: removalFor(key) });
          }
          if (type === 'COMPLETE' || changes.length > 0) stream.write({ type, appliesTo: '', resultsIn: '', changes });
        };
        push('COMPLETE');
        const unwatch = this.store.watchNode(nodeId, () => {
          // Coalesce bursts of store events into one message.
          if (pending) return;
          pending = true;
          this.clock.setTimer(10, () => {
            pending = false;
            push('INCREMENTAL');
          });
        });
        try {
          const error = await Promise.race([session.ended, aborted(ctx.signal)]);
          if (error) throw error;
        } finally {
          unwatch();
        }
      },
    };
  }

  /**
   * A new leader knows nodes that were Ready under the old one but have no
   * session here yet: each gets the heartbeat grace to reconnect, then is
   * marked Down (a dead old leader's own node among them).
   */
  expectNodes(nodeIds: readonly string[]): void {
    const graceMs = this.store.heartbeatPeriodMs() * MISSED_HEARTBEATS_BEFORE_DOWN * 2;
    for (const nodeId of nodeIds) {
      this.expected.push(this.clock.setTimer(graceMs, () => {
        if (this.stopped || this.sessions.has(nodeId)) return;
        const node = this.store.node(nodeId);
        if (!node || node.status?.state === 'DOWN') return;
        this.log.warn({ nodeId }, 'node did not reconnect to the new leader; marking it down');
        this.downTransitions++;
        this.nodeStatuses.add({ nodeId, status: { state: 'DOWN', message: 'heartbeat failure', addr: node.status?.addr ?? '' } });
      }));
    }
  }

  /** Stops serving (leadership lost): agents reconnect to the new leader. */
  stop(): void {
    this.stopped = true;
    this.nodeStatuses.clear();
    this.taskStatuses.clear();
    for (const cancel of this.expected.splice(0)) cancel();
    for (const s of this.sessions.values()) {
      this.liveness.forget(s.watched);
      s.end(new RpcError('unavailable', 'this manager is no longer the leader; reconnect'));
    }
    this.sessions.clear();
  }

  /** Node IDs with an open session. */
  connectedNodes(): string[] {
    return [...this.sessions.keys()];
  }

  /** Node IDs whose session stream closed and which are neither back nor judged yet. */
  disconnectedNodes(): string[] {
    return [...this.sessions.values()].filter((s) => s.watched.closedAtMs !== undefined).map((s) => s.nodeId);
  }

  /** How many times this dispatcher declared a node Down (zero when no daemon died). */
  nodeDownTransitions(): number {
    return this.downTransitions;
  }

  private callerNode(ctx: CallContext): string {
    if (this.stopped) throw new RpcError('unavailable', 'this manager is no longer the leader; reconnect');
    if (ctx.peer.kind !== 'node') throw new RpcError('unauthenticated', 'the dispatcher serves nodes with a node certificate only');
    if (!this.store.node(ctx.peer.nodeId)) throw new RpcError('permission-denied', `node ${ctx.peer.nodeId} is not a member of this swarm (it was removed)`, { kind: 'node-removed' });
    return ctx.peer.nodeId;
  }

  private openSession(nodeId: string, liveness: WatchedSession['liveness']): Session {
    const previous = this.sessions.get(nodeId);
    if (previous) {
      this.liveness.forget(previous.watched);
      previous.end(new RpcError('failed-precondition', 'session replaced by a newer one from the same node'));
    }
    let end!: (error: RpcError) => void;
    const ended = new Promise<RpcError>((resolve) => (end = resolve));
    const session: Session = { id: randomUUID(), nodeId, watched: this.liveness.open(nodeId, liveness), end, ended };
    this.sessions.set(nodeId, session);
    this.log.info({ nodeId, sessionId: session.id, liveness }, 'node session opened');
    return session;
  }

  private closeSession(session: Session): void {
    if (this.sessions.get(session.nodeId) !== session) return;
    // The stream is gone: the daemon died or restarted, or only its
    // connection did (reset, keepalive timeout while paused). The session
    // stays until the node reconnects or the liveness watch judges it dead.
    this.log.info({ nodeId: session.nodeId, restarting: session.watched.restarting }, 'node session stream closed');
    this.liveness.closed(session.watched);
  }

  private declareDown(watched: WatchedSession, cause: DeathCause): void {
    const session = this.sessions.get(watched.nodeId);
    this.liveness.forget(watched);
    if (!session || session.watched !== watched) return;
    this.sessions.delete(session.nodeId);
    this.downTransitions++;
    this.log.warn({ nodeId: session.nodeId, cause }, cause === 'daemon-gone' ? 'node session closed and its daemon is gone; marking it down' : 'node missed its heartbeats; marking it down');
    this.nodeStatuses.add({ nodeId: session.nodeId, status: { state: 'DOWN', message: 'heartbeat failure', addr: this.store.node(session.nodeId)?.status?.addr ?? '' } });
    session.end(new RpcError('unavailable', 'heartbeat expired'));
  }
}

/** Resolves (to undefined) when the client goes away. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}
