// The imperative shell around the pure core: one loop that feeds ticks,
// messages and proposals in, then handles each Ready in order — send the
// leader's appends → persist (synced) while applying the committed entries
// → send the rest → (install a snapshot and apply, once it is on disk) →
// serve reads → advance. Nothing is acknowledged to a peer (votes, append
// responses) before it is on disk; a leader's own entries count toward
// commit only once advance() reports them synced.
import type { ConfChange, ConfState, RaftEntry, RaftMessage } from '../gen/index.js';
import type { Logger } from '../common/log.js';
import { repeatEvery, systemClock, type Clock } from '../common/clock.js';
import type { InitialState, ProposeError, RaftId, RaftOptions, Random, Ready, SoftState } from './core/index.js';
import { DEFAULT_OPTIONS, RaftCore, bootstrapState, decodeConfChange, forceNewClusterState } from './core/index.js';
import { contextKey } from './core/read-only.js';
import type { LevelStorage } from './storage-level.js';

/** Outgoing messages leave through this port; delivery is best-effort (Raft retries). */
export interface Transport {
  send(messages: readonly RaftMessage[]): void;
}

/**
 * The application's state frozen at one applied index. Capturing it must be
 * cheap (an immutable view); encoding it may take long and yield to the
 * event loop, because it runs while the log goes on.
 */
export interface StateSnapshot {
  encode(): Promise<Uint8Array>;
}

/** The application the log drives: deterministic apply, plus snapshots of its whole state. */
export interface StateMachine {
  /** Apply a committed NORMAL entry; the return value resolves the matching propose(). */
  apply(entry: RaftEntry): unknown;
  /** The state as of the last applied entry, captured now and encoded later (see StateSnapshot). */
  snapshot(): StateSnapshot;
  restore(data: Uint8Array): void;
}

/** Why a proposal or read did not succeed. `unknown` means it may still take effect. */
export type RaftNodeErrorKind = 'not-leader' | 'no-leader' | 'dropped' | 'unknown' | 'timeout' | 'stopped' | 'removed' | 'refused' | 'busy';

/** An expected failure of propose()/readIndex(); callers switch on `kind`. */
export class RaftNodeError extends Error {
  override name = 'RaftNodeError';
  constructor(
    readonly kind: RaftNodeErrorKind,
    message: string,
    readonly leaderId: RaftId = 0,
  ) {
    super(message);
  }

  /** Worth retrying (possibly at another node) after a short, jittered pause. */
  get transient(): boolean {
    return this.kind === 'not-leader' || this.kind === 'no-leader' || this.kind === 'dropped' || this.kind === 'busy';
  }
}

/** The core's refusal as the error callers switch on. */
function proposeError(e: ProposeError): RaftNodeError {
  switch (e.kind) {
    case 'not-leader':
      return e.leaderId
        ? new RaftNodeError('not-leader', `not the leader (leader is ${e.leaderId})`, e.leaderId)
        : new RaftNodeError('no-leader', 'no leader known right now');
    case 'transferring-leadership':
      return new RaftNodeError('no-leader', 'leadership is being transferred; retry shortly');
    case 'removed':
      return new RaftNodeError('removed', 'this member was removed from the cluster');
    case 'conf-change-pending':
      // 'busy', not 'refused': the same change succeeds once the other one is applied.
      return new RaftNodeError('busy', 'another membership change is still in progress; retry once it is applied');
    case 'entry-too-large':
      return new RaftNodeError('refused', `entry of ${e.bytes} bytes is over the limit`);
    case 'invalid-conf-change':
      return new RaftNodeError('refused', `membership change refused: ${e.error.kind} (node ${e.error.nodeId})`);
  }
}

/** How a node is set up. */
export interface RaftNodeOptions {
  id: RaftId;
  storage: LevelStorage;
  transport: Transport;
  stateMachine: StateMachine;
  logger: Logger;
  random: Random;
  clock?: Clock;
  /** Wall-clock length of one core tick. */
  tickMs?: number;
  core?: Partial<Omit<RaftOptions, 'id'>>;
  /** Take a snapshot after this many applied entries past the last one (read at each check: the cluster may change it). */
  snapshotEveryEntries?: number | (() => number);
  /** Entries kept behind a snapshot so slightly slow followers avoid a snapshot. */
  keepEntriesAfterSnapshot?: number;
  /** For a brand-new member of a brand-new cluster: the initial voters. */
  bootstrapVoters?: RaftId[];
  /** Disaster recovery: keep what is committed and become the only voter (see forceNewClusterState). */
  forceNewCluster?: boolean;
  /**
   * The configuration changed: at start, after each applied CONF_CHANGE
   * (with it, so its `context` — e.g. the member's address — can be used),
   * and after a snapshot was installed (without one).
   */
  onMembership?: (confState: ConfState, change: ConfChange | undefined) => void;
  /** Called after each Ready whose soft state changed (leader, role, removal). */
  onSoftState?: (s: SoftState) => void;
  /** Storage failed or the state machine threw: the node has stopped; the process should exit. */
  onFatal?: (e: Error) => void;
}

interface PendingProposal {
  term: number;
  resolve: (v: unknown) => void;
  reject: (e: RaftNodeError) => void;
  timer: NodeJS.Timeout;
}

interface PendingRead {
  index: number;
  resolve: () => void;
  reject: (e: RaftNodeError) => void;
  timer: NodeJS.Timeout;
}

/** Bounds on queued work, so a flood of requests degrades into refusals, not memory growth. */
export const MAX_INBOX = 100_000;
const DEFAULT_TIMEOUT_MS = 5_000;

/** A running Raft member. */
export class RaftNode {
  private readonly inbox: Array<() => void> = [];
  private running = false;
  private stopped = false;
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly readsWaiting: PendingRead[] = [];
  private appliedIndex = 0;
  /** Index of the newest snapshot (taken or installed): intervals count from it, not from the compaction point. */
  private snapshotIndex = 0;
  /** The snapshot being encoded and written in the background, if any. */
  private snapshotting: Promise<void> | undefined;
  private readSeq = 0;
  private stopClock: () => void = () => undefined;
  private lastSoft: SoftState;
  private idle: Array<() => void> = [];

  private constructor(
    private readonly core: RaftCore,
    private readonly opts: RaftNodeOptions,
    initialApplied: number,
  ) {
    this.appliedIndex = initialApplied;
    this.snapshotIndex = initialApplied;
    this.lastSoft = core.softState();
  }

  /** Load state from storage (bootstrapping a new cluster if asked and empty) and start ticking. */
  static async start(opts: RaftNodeOptions): Promise<RaftNode> {
    const loaded = await opts.storage.load();
    if (!loaded.ok) throw new Error(`raft storage: ${loaded.error.kind}: ${'detail' in loaded.error ? loaded.error.detail : JSON.stringify(loaded.error)}`);
    let initial: InitialState = loaded.value.state;
    if (loaded.value.report.tornEntriesDropped > 0) {
      opts.logger.warn({ dropped: loaded.value.report.tornEntriesDropped }, 'raft: cut a torn log tail left by a crash (never acknowledged)');
    }
    const empty = initial.entries.length === 0 && !initial.snapshot && initial.hardState.term === 0;
    if (empty && opts.bootstrapVoters) {
      initial = bootstrapState(opts.bootstrapVoters);
      await opts.storage.save({
        softState: { leaderId: 0, role: 'follower', term: 0, removed: false },
        hardState: initial.hardState,
        snapshot: undefined,
        entries: initial.entries,
        messagesBeforeSync: [],
        messages: [],
        committedEntries: [],
        readStates: [],
      });
    }
    if (opts.forceNewCluster && !empty) {
      const forced = forceNewClusterState(initial, opts.id);
      const fresh = forced.entries.filter((e) => e.index > initial.hardState.commit);
      await opts.storage.save({
        softState: { leaderId: 0, role: 'follower', term: forced.hardState.term, removed: false },
        hardState: forced.hardState,
        snapshot: undefined,
        entries: fresh,
        messagesBeforeSync: [],
        messages: [],
        committedEntries: [],
        readStates: [],
      });
      opts.logger.warn({ term: forced.hardState.term, commit: forced.hardState.commit }, 'raft: forced a new single-member cluster from this member\'s committed state');
      initial = forced;
    }
    const core = new RaftCore({ ...DEFAULT_OPTIONS, ...opts.core, id: opts.id }, opts.random, initial);
    if (initial.snapshot) opts.stateMachine.restore(initial.snapshot.data);
    const node = new RaftNode(core, opts, initial.snapshot?.meta.index ?? 0);
    opts.onMembership?.(core.membership.toConfState(), undefined);
    node.stopClock = repeatEvery(opts.clock ?? systemClock, opts.tickMs ?? 100, () => node.enqueue(() => core.tick()));
    node.kick();
    return node;
  }

  get id(): RaftId {
    return this.core.id;
  }

  /** Soft state as of the last Ready. */
  status(): SoftState & { commit: number; applied: number; firstIndex: number } {
    return { ...this.core.softState(), commit: this.core.log.committed, applied: this.appliedIndex, firstIndex: this.core.log.firstIndex() };
  }

  /** A message from a peer (transport calls this). */
  step(m: RaftMessage): void {
    this.enqueue(() => {
      const before = this.core.stats.droppedMessages;
      this.core.step(m);
      if (this.core.stats.droppedMessages > before) this.logDrop(m);
    });
  }

  /** The transport saw a peer's stream to us close (see RaftCore.leaderLost). */
  peerStreamClosed(from: RaftId): void {
    this.enqueue(() => this.core.leaderLost(from));
  }

  private dropWindow = { startMs: 0, n: 0 };

  /** A malformed or misaddressed message: say so, but at most 10 lines a minute. */
  private logDrop(m: RaftMessage): void {
    const now = Date.now();
    if (now - this.dropWindow.startMs > 60_000) this.dropWindow = { startMs: now, n: 0 };
    if (++this.dropWindow.n > 10) return;
    this.opts.logger.warn({ from: m.from, to: m.to, type: m.type, term: m.term, reason: this.core.stats.lastDropReason }, 'raft: dropped a malformed message');
  }

  /**
   * Replicate `data`; resolves with the state machine's result once applied
   * here. Rejects with not-leader (retry at `leaderId`), dropped (not
   * committed, safe to retry), or timeout/unknown (may still commit).
   */
  propose(data: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => {
        const r = this.core.propose(data);
        if (!r.ok) {
          const e = r.error;
          reject(proposeError(e));
          return;
        }
        this.track(r.value.index, r.value.term, resolve, reject, timeoutMs);
      }, reject);
    });
  }

  /** Propose a membership change; resolves once applied here. */
  proposeConfChange(cc: ConfChange, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => {
        const r = this.core.proposeConfChange(cc);
        if (!r.ok) {
          const e = r.error;
          reject(proposeError(e));
          return;
        }
        this.track(r.value.index, r.value.term, () => resolve(), reject, timeoutMs);
      }, reject);
    });
  }

  /** Resolves when this node's state machine reflects every write committed before the call (linearizable read). */
  readIndex(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => {
        const ctx = new Uint8Array(12);
        const view = new DataView(ctx.buffer);
        view.setUint32(0, this.core.id >>> 0);
        view.setFloat64(4, ++this.readSeq);
        const r = this.core.readIndex(ctx);
        if (!r.ok) {
          reject(new RaftNodeError(r.error.kind === 'no-leader' ? 'no-leader' : 'refused', `read refused: ${r.error.kind}`));
          return;
        }
        const key = contextKey(ctx);
        const timer = setTimeout(() => {
          this.reads.delete(key);
          const i = this.readsWaiting.indexOf(read);
          if (i >= 0) this.readsWaiting.splice(i, 1);
          reject(new RaftNodeError('timeout', `read not confirmed within ${timeoutMs} ms`));
        }, timeoutMs);
        const read: PendingRead = { index: 0, resolve, reject, timer };
        this.reads.set(key, read);
      }, reject);
    });
  }

  transferLeadership(to: RaftId): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(() => {
        const r = this.core.transferLeadership(to);
        if (r.ok) resolve();
        else reject(new RaftNodeError('refused', `transfer refused: ${r.error.kind}`));
      }, reject);
    });
  }

  /** Stop ticking and processing; pending calls fail with `stopped` (their outcome is unknown). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopClock();
    await new Promise<void>((resolve) => {
      if (!this.running) resolve();
      else this.idle.push(resolve);
    });
    await this.snapshotting; // its write must end before the caller closes the storage
    this.failAll(new RaftNodeError('stopped', 'raft node stopped'));
  }

  // ---- the loop -------------------------------------------------------------

  private enqueue(fn: () => void, reject?: (e: RaftNodeError) => void): void {
    if (this.stopped) {
      reject?.(new RaftNodeError('stopped', 'raft node stopped'));
      return;
    }
    if (this.inbox.length >= MAX_INBOX) {
      reject?.(new RaftNodeError('refused', 'raft node overloaded'));
      return;
    }
    this.inbox.push(fn);
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop().then(
      () => this.loopEnded(),
      (e: unknown) => {
        const error = this.failed(e, 'raft: storage or state machine failure; stopping this member');
        this.loopEnded();
        this.opts.onFatal?.(error);
      },
    );
  }

  /** Storage or the state machine failed: stop this member and fail every waiter; the caller tells the owner. */
  private failed(e: unknown, message: string): Error {
    const error = e instanceof Error ? e : new Error(String(e));
    this.opts.logger.error({ err: error }, message);
    this.stopped = true;
    this.stopClock();
    this.failAll(new RaftNodeError('unknown', `raft node failed: ${error.message}`));
    return error;
  }

  private loopEnded(): void {
    this.running = false;
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
    if (this.inbox.length > 0 && !this.stopped) this.kick();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      // Everything queued since the last Ready goes into one batch (group commit).
      const batch = this.inbox.splice(0, this.inbox.length);
      for (const fn of batch) fn();
      if (!this.core.hasReady()) {
        if (this.inbox.length === 0) return;
        continue;
      }
      const rd = this.core.ready();
      // The leader's appends go out first so followers write while we do;
      // the core counts our own log toward commit only after advance().
      if (rd.messagesBeforeSync.length > 0) this.opts.transport.send(rd.messagesBeforeSync);
      // Committed entries are on a quorum's disks already (ours counted only
      // once synced), so they are applied while our own write runs rather
      // than after it. A snapshot to install waits until it is on disk.
      const applyDuringSave = rd.snapshot === undefined;
      // A snapshot to install must not race our own snapshot's write (same keys).
      if (rd.snapshot) await this.snapshotting;
      const saving = this.opts.storage.save(rd);
      if (applyDuringSave) {
        try {
          this.apply(rd);
        } catch (e) {
          await saving.catch(() => undefined);
          throw e;
        }
      }
      await saving;
      if (rd.messages.length > 0) this.opts.transport.send(rd.messages);
      if (!applyDuringSave) this.apply(rd);
      this.core.advance(rd);
      this.reportMembership(rd);
      this.releaseReads();
      this.observe(rd.softState);
      this.maybeSnapshot();
    }
  }

  private apply(rd: Ready): void {
    const sm = this.opts.stateMachine;
    if (rd.snapshot) {
      sm.restore(rd.snapshot.data);
      this.appliedIndex = rd.snapshot.meta.index;
      this.snapshotIndex = rd.snapshot.meta.index;
      // Proposals the snapshot covers: we cannot tell whether they made it.
      for (const [index, p] of this.proposals) {
        if (index <= this.appliedIndex) this.settle(index, p, new RaftNodeError('unknown', 'replaced by a snapshot before we saw it apply'));
      }
    }
    for (const e of rd.committedEntries) {
      if (e.index <= this.appliedIndex) continue;
      const result = e.type === 'NORMAL' && e.data.length > 0 ? sm.apply(e) : undefined;
      this.appliedIndex = e.index;
      const p = this.proposals.get(e.index);
      if (!p) continue;
      if (p.term === e.term) this.settle(e.index, p, undefined, result);
      else this.settle(e.index, p, new RaftNodeError('dropped', 'lost to a leadership change before commit; safe to retry'));
    }
    for (const rs of rd.readStates) {
      const key = contextKey(rs.context);
      const read = this.reads.get(key);
      if (!read) continue;
      this.reads.delete(key);
      read.index = rs.index;
      this.readsWaiting.push(read);
    }
  }

  private reportMembership(rd: Ready): void {
    const hook = this.opts.onMembership;
    if (!hook) return;
    if (rd.snapshot) hook(this.core.membership.toConfState(), undefined);
    for (const e of rd.committedEntries) {
      if (e.type !== 'CONF_CHANGE') continue;
      let cc: ConfChange;
      try {
        cc = decodeConfChange(e);
      } catch {
        continue; // skipped by the core as well
      }
      hook(this.core.membership.toConfState(), cc);
    }
  }

  /** The configuration as of the last applied entry. */
  confState(): ConfState {
    return this.core.membership.toConfState();
  }

  private releaseReads(): void {
    if (this.readsWaiting.length === 0) return;
    const still: PendingRead[] = [];
    for (const r of this.readsWaiting) {
      if (r.index <= this.appliedIndex) {
        clearTimeout(r.timer);
        r.resolve();
      } else still.push(r);
    }
    this.readsWaiting.length = 0;
    this.readsWaiting.push(...still);
  }

  private observe(s: SoftState): void {
    const prev = this.lastSoft;
    if (s.leaderId === prev.leaderId && s.role === prev.role && s.term === prev.term && s.removed === prev.removed) return;
    this.lastSoft = s;
    if (s.leaderId !== prev.leaderId || s.term !== prev.term) this.failUnconfirmedReads(s);
    if (s.leaderId !== prev.leaderId) this.opts.logger.info({ term: s.term, leader: s.leaderId, role: s.role }, 'raft: leader changed');
    if (s.removed && !prev.removed) this.opts.logger.warn('raft: this member was removed from the cluster');
    this.opts.onSoftState?.(s);
  }

  /**
   * Reads still waiting for a leader's confirmation when the leader or term
   * changes will never get it (a leader that lost its quorum steps down; the
   * core drops the reads it had in flight): fail them now, not at their
   * timeout, so a caller hears "no leader" in about an election timeout.
   * Confirmed reads (waiting only to apply) stay valid.
   */
  private failUnconfirmedReads(s: SoftState): void {
    if (this.reads.size === 0) return;
    const error = s.leaderId ? new RaftNodeError('not-leader', `leadership moved to ${s.leaderId} before the read was confirmed`, s.leaderId) : new RaftNodeError('no-leader', 'no leader known right now');
    for (const read of this.reads.values()) {
      clearTimeout(read.timer);
      read.reject(error);
    }
    this.reads.clear();
  }

  /**
   * Starts a snapshot when enough entries were applied since the last one,
   * without holding up the loop: the state machine's view is captured here,
   * at the applied index, then encoded and written in the background while
   * entries keep committing; only the compaction itself (in memory) comes
   * back onto the loop. One snapshot at a time.
   */
  private maybeSnapshot(): void {
    const option = this.opts.snapshotEveryEntries ?? 10_000;
    const every = typeof option === 'function' ? option() : option;
    if (this.snapshotting || this.core.log.applied - this.snapshotIndex < every || this.appliedIndex !== this.core.log.applied) return;
    const meta = this.core.snapshotMeta();
    const view = this.opts.stateMachine.snapshot();
    this.snapshotIndex = meta.index;
    const startedMs = performance.now();
    this.snapshotting = (async () => {
      const data = await view.encode();
      const snap = await this.onLoop(() => this.core.compactAt(meta, data, this.opts.keepEntriesAfterSnapshot ?? 500));
      if (!snap) return; // a newer snapshot was installed meanwhile
      await this.opts.storage.saveSnapshot(snap, this.core.compactedIndex());
      this.opts.logger.info({ index: snap.meta.index, compactedTo: this.core.compactedIndex(), bytes: data.length, tookMs: Math.round(performance.now() - startedMs) }, 'raft: snapshot taken, log compacted');
    })().then(
      () => {
        this.snapshotting = undefined;
      },
      (e: unknown) => {
        this.snapshotting = undefined;
        if (e instanceof RaftNodeError && e.kind === 'stopped') return; // the member stopped mid-snapshot
        this.opts.onFatal?.(this.failed(e, 'raft: taking a snapshot failed; stopping this member'));
      },
    );
  }

  /** Runs `fn` on the loop (between Readies) and resolves with its result. */
  private onLoop<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue(() => {
        try {
          resolve(fn());
        } catch (e) {
          reject(e);
        }
      }, reject);
    });
  }

  private track(index: number, term: number, resolve: (v: unknown) => void, reject: (e: RaftNodeError) => void, timeoutMs: number): void {
    const timer = setTimeout(() => {
      this.proposals.delete(index);
      reject(new RaftNodeError('timeout', `not applied within ${timeoutMs} ms; it may still commit`));
    }, timeoutMs);
    const prev = this.proposals.get(index);
    if (prev) this.settle(index, prev, new RaftNodeError('dropped', 'slot reused by a newer proposal'));
    this.proposals.set(index, { term, resolve, reject, timer });
  }

  private settle(index: number, p: PendingProposal, error: RaftNodeError | undefined, value?: unknown): void {
    clearTimeout(p.timer);
    this.proposals.delete(index);
    if (error) p.reject(error);
    else p.resolve(value);
  }

  private failAll(e: RaftNodeError): void {
    for (const [index, p] of this.proposals) this.settle(index, p, e);
    for (const r of [...this.reads.values(), ...this.readsWaiting]) {
      clearTimeout(r.timer);
      r.reject(e);
    }
    this.reads.clear();
    this.readsWaiting.length = 0;
  }
}
