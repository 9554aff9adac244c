import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AssignmentChange, AssignmentsMessage, DispatcherService, SessionMessage } from '../../gen/index.js';
import { RpcError, type CallContext, type Handlers } from '../../rpc/index.js';
import { Batcher } from './batcher.js';
import { removalFor } from './node-assignments.js';
import type { DispatcherStoreView, DispatcherWriter, NodeStatusUpdate, TaskStatusReport, Timers } from './ports.js';

/** Heartbeats a node may miss before it is declared Down. */
export const MISSED_HEARTBEATS_BEFORE_DOWN = 3;
/** Heartbeat periods a node that said it is restarting has to come back before it is declared Down. */
export const RESTART_GRACE_HEARTBEATS = 10;

interface Session {
  id: string;
  nodeId: string;
  expiry: { cancel(): void } | undefined;
  /** Ends the node's streams (session replaced, node down, dispatcher stopped). */
  end: (error: RpcError) => void;
  ended: Promise<RpcError>;
  /** The node said it is stopping cleanly and will be back (HeartbeatRequest.restarting). */
  restarting: boolean;
}

/**
 * The leader's dispatcher: one session per node. Heartbeats keep a node
 * Ready; missing MISSED_HEARTBEATS_BEFORE_DOWN of them marks it Down (its
 * tasks are then replaced by the orchestrators). Assignments stream the
 * node's tasks, first complete, then as changes. Status reports are
 * batched into few Raft proposals.
 */
export class Dispatcher {
  private readonly sessions = new Map<string, Session>(); // by node ID
  private readonly nodeStatuses: Batcher<NodeStatusUpdate>;
  private readonly taskStatuses: Batcher<TaskStatusReport>;
  private stopped = false;

  constructor(
    private readonly store: DispatcherStoreView,
    writer: DispatcherWriter,
    private readonly timers: Timers,
    private readonly log: Logger,
  ) {
    this.nodeStatuses = new Batcher((u) => writer.setNodeStatuses(u), timers, log);
    this.taskStatuses = new Batcher((u) => writer.setTaskStatuses(u), timers, log);
  }

  /** gRPC handlers; every call is from a node, identified by its certificate. */
  handlers(): Handlers<typeof DispatcherService> {
    return {
      session: async (req, stream, ctx) => {
        const nodeId = this.callerNode(ctx);
        const session = this.openSession(nodeId);
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
          session.restarting = true;
          this.log.info({ nodeId }, 'node is restarting; keeping its tasks for the restart grace');
        }
        this.armExpiry(session, this.graceMs(session));
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
          this.timers.setTimeout(() => {
            pending = false;
            push('INCREMENTAL');
          }, 10);
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
      this.timers.setTimeout(() => {
        if (this.stopped || this.sessions.has(nodeId)) return;
        const node = this.store.node(nodeId);
        if (!node || node.status?.state === 'DOWN') return;
        this.log.warn({ nodeId }, 'node did not reconnect to the new leader; marking it down');
        this.nodeStatuses.add({ nodeId, status: { state: 'DOWN', message: 'heartbeat failure', addr: node.status?.addr ?? '' } });
      }, graceMs);
    }
  }

  /** Stops serving (leadership lost): agents reconnect to the new leader. */
  stop(): void {
    this.stopped = true;
    this.nodeStatuses.clear();
    this.taskStatuses.clear();
    for (const s of this.sessions.values()) {
      s.expiry?.cancel();
      s.end(new RpcError('unavailable', 'this manager is no longer the leader; reconnect'));
    }
    this.sessions.clear();
  }

  /** Node IDs with an open session. */
  connectedNodes(): string[] {
    return [...this.sessions.keys()];
  }

  private callerNode(ctx: CallContext): string {
    if (this.stopped) throw new RpcError('unavailable', 'this manager is no longer the leader; reconnect');
    if (ctx.peer.kind !== 'node') throw new RpcError('unauthenticated', 'the dispatcher serves nodes with a node certificate only');
    if (!this.store.node(ctx.peer.nodeId)) throw new RpcError('permission-denied', `node ${ctx.peer.nodeId} is not a member of this swarm (it was removed)`, { kind: 'node-removed' });
    return ctx.peer.nodeId;
  }

  private openSession(nodeId: string): Session {
    const previous = this.sessions.get(nodeId);
    if (previous) {
      previous.expiry?.cancel();
      previous.end(new RpcError('failed-precondition', 'session replaced by a newer one from the same node'));
    }
    let end!: (error: RpcError) => void;
    const ended = new Promise<RpcError>((resolve) => (end = resolve));
    const session: Session = { id: randomUUID(), nodeId, expiry: undefined, end, ended, restarting: false };
    this.sessions.set(nodeId, session);
    this.armExpiry(session);
    this.log.info({ nodeId, sessionId: session.id }, 'node session opened');
    return session;
  }

  private closeSession(session: Session): void {
    if (this.sessions.get(session.nodeId) !== session) return;
    // The stream is gone: the node's daemon died or restarted (its
    // connection was reset; a silent network stall does not close a stream,
    // and heartbeats still arriving re-arm the full grace). A daemon that
    // said it is restarting gets the restart grace (its containers keep
    // running); one that did not gets one heartbeat period, not three, so a
    // dead node's tasks are replaced sooner. Only the expiry marks it Down.
    this.log.info({ nodeId: session.nodeId, restarting: session.restarting }, 'node session stream closed');
    this.armExpiry(session, session.restarting ? this.graceMs(session) : this.store.heartbeatPeriodMs());
  }

  /** How long a session may go without a heartbeat: longer for a node restarting cleanly. */
  private graceMs(session: Session): number {
    return this.store.heartbeatPeriodMs() * (session.restarting ? RESTART_GRACE_HEARTBEATS : MISSED_HEARTBEATS_BEFORE_DOWN);
  }

  private armExpiry(session: Session, afterMs = this.store.heartbeatPeriodMs() * MISSED_HEARTBEATS_BEFORE_DOWN): void {
    session.expiry?.cancel();
    session.expiry = this.timers.setTimeout(() => {
      if (this.sessions.get(session.nodeId) !== session) return;
      this.sessions.delete(session.nodeId);
      this.log.warn({ nodeId: session.nodeId }, 'node missed its heartbeats; marking it down');
      this.nodeStatuses.add({ nodeId: session.nodeId, status: { state: 'DOWN', message: 'heartbeat failure', addr: this.store.node(session.nodeId)?.status?.addr ?? '' } });
      session.end(new RpcError('unavailable', 'heartbeat expired'));
    }, afterMs);
  }
}

/** Resolves (to undefined) when the client goes away. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}
