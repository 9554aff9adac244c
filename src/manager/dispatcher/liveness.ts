import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { CancelTimer, Clock } from '../../common/clock.js';
import type { LivenessProbe, ProbeResult } from './ports.js';

/** Heartbeat periods a node may stay silent before it is declared Down (Docker's grace multiplier). */
export const MISSED_HEARTBEATS_BEFORE_DOWN = 3;
/** Heartbeat periods a node that said it is restarting has to come back before it is declared Down. */
export const RESTART_GRACE_HEARTBEATS = 10;
/**
 * After a session's stream closed, how long a refused probe is forgiven: a
 * daemon its supervisor restarts at once may be back within it.
 */
export const CLOSE_GRACE_MS = 1_000;
/** How often a node whose stream closed is probed while it has not come back. */
export const PROBE_INTERVAL_MS = 500;
/** How long one probe may take before it proves nothing. */
export const PROBE_TIMEOUT_MS = 1_000;
/**
 * A deadline timer firing this late means this manager itself was stopped or
 * starved: heartbeats that arrived meanwhile still wait to be read, so no
 * node is judged until they have had a period to be heard.
 */
export const STALL_TOLERANCE_MS = 1_000;

/** One node session as the liveness watch sees it. */
export interface WatchedSession {
  readonly nodeId: string;
  /** Where the node's daemon listens for liveness probes; undefined when it does not. */
  readonly liveness: { host: string; port: number } | undefined;
  /** The last time the node was heard (session opened, heartbeat). */
  lastHeardMs: number;
  /** The node said it is stopping cleanly and will be back. */
  restarting: boolean;
  /** When its session stream closed, if it did. */
  closedAtMs: number | undefined;
  deadline: CancelTimer | undefined;
  probing: CancelTimer | undefined;
  forgotten: boolean;
}

/** Why a node was judged dead. */
export type DeathCause = 'silent' | 'daemon-gone';

/**
 * Tells a dead node from a slow one. A node is Down when it was not heard
 * for MISSED_HEARTBEATS_BEFORE_DOWN periods (RESTART_GRACE_HEARTBEATS after
 * it said it is restarting), or, sooner, when its session stream closed and
 * its liveness port is refused: the kernel answers that port for a live
 * daemon even while the process is stopped or starved of CPU, so a refusal
 * is a second, independent signal that the process is gone. A stream that
 * closed while the port still answers (a reset connection, a keepalive
 * timeout on a paused daemon) proves nothing and waits out the silent grace.
 */
export class LivenessWatch {
  constructor(
    private readonly clock: Clock,
    private readonly probe: LivenessProbe,
    private readonly heartbeatPeriodMs: () => number,
    private readonly onDead: (session: WatchedSession, cause: DeathCause) => void,
    private readonly log: Logger,
  ) {}

  /** A new session to watch, heard now. */
  open(nodeId: string, liveness: WatchedSession['liveness']): WatchedSession {
    const session: WatchedSession = { nodeId, liveness, lastHeardMs: this.clock.nowMs(), restarting: false, closedAtMs: undefined, deadline: undefined, probing: undefined, forgotten: false };
    this.armDeadline(session, this.deadlineMs(session));
    return session;
  }

  /** The node was heard from (a heartbeat): O(1), the deadline timer re-checks when it fires. */
  heard(session: WatchedSession): void {
    session.lastHeardMs = this.clock.nowMs();
  }

  /** The node said it is stopping cleanly: it gets the restart grace, and no probe judges it. */
  restarting(session: WatchedSession): void {
    session.restarting = true;
    session.lastHeardMs = this.clock.nowMs();
    session.probing?.();
    session.probing = undefined;
  }

  /** The session's stream closed; unless the node said it is restarting, probe whether its daemon lives. */
  closed(session: WatchedSession): void {
    if (session.forgotten || session.closedAtMs !== undefined) return;
    session.closedAtMs = this.clock.nowMs();
    if (!session.restarting && session.liveness) void this.probeUntilBack(session);
  }

  /** Stops watching (replaced by a newer session, declared Down, dispatcher stopped). */
  forget(session: WatchedSession): void {
    session.forgotten = true;
    session.deadline?.();
    session.probing?.();
    session.deadline = undefined;
    session.probing = undefined;
  }

  private deadlineMs(session: WatchedSession): number {
    const periods = session.restarting ? RESTART_GRACE_HEARTBEATS : MISSED_HEARTBEATS_BEFORE_DOWN;
    return session.lastHeardMs + this.heartbeatPeriodMs() * periods;
  }

  private armDeadline(session: WatchedSession, atMs: number): void {
    session.deadline?.();
    const dueMs = Math.max(atMs, this.clock.nowMs());
    session.deadline = this.clock.setTimer(dueMs - this.clock.nowMs(), () => {
      session.deadline = undefined;
      if (session.forgotten) return;
      const nowMs = this.clock.nowMs();
      if (nowMs - dueMs > STALL_TOLERANCE_MS) {
        this.log.warn({ nodeId: session.nodeId, lateMs: nowMs - dueMs }, 'this manager was stalled; giving the node a heartbeat period to be heard before judging it');
        this.armDeadline(session, nowMs + this.heartbeatPeriodMs());
        return;
      }
      const deadline = this.deadlineMs(session);
      if (nowMs < deadline) {
        this.armDeadline(session, deadline);
        return;
      }
      this.onDead(session, 'silent');
    });
  }

  private async probeUntilBack(session: WatchedSession): Promise<void> {
    const liveness = session.liveness;
    if (!liveness || session.forgotten || session.restarting) return;
    const result = await this.probe(liveness.host, liveness.port);
    if (session.forgotten || session.restarting) return;
    const sinceCloseMs = this.clock.nowMs() - (session.closedAtMs ?? this.clock.nowMs());
    const graceMs = Math.min(CLOSE_GRACE_MS, this.heartbeatPeriodMs());
    if (result === 'refused' && sinceCloseMs >= graceMs) {
      this.onDead(session, 'daemon-gone');
      return;
    }
    const nextMs = result === 'refused' ? Math.max(graceMs - sinceCloseMs, 1) : PROBE_INTERVAL_MS;
    session.probing = this.clock.setTimer(nextMs, () => {
      session.probing = undefined;
      void this.probeUntilBack(session);
    });
  }
}

/**
 * The real probe: one TCP connection to the node's liveness port. Only a
 * refusal (ECONNREFUSED: the host answered, nothing listens) counts as
 * death; every other failure is 'unknown'.
 */
export const tcpLivenessProbe: LivenessProbe = (host, port) =>
  new Promise<ProbeResult>((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done('unknown'));
    socket.once('connect', () => done('open'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : 'unknown'));
  });
