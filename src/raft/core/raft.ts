// The Raft state machine: no I/O, no clock, no global randomness. Ticks,
// messages and proposals go in; a Ready comes out (see types.ts) and is
// acknowledged with advance(). Paper references: §5 (Raft paper), thesis
// chapters for PreVote/CheckQuorum (§9.6), ReadIndex (§6.4), membership (§4).
import type { ConfChange, HardState, RaftEntry, RaftMessage, RaftMessage_Type, SnapshotMetadata } from '../../gen/index.js';
import { decodeConfChange } from './bootstrap.js';
import { codec } from '../../gen/index.js';
import { assert, unreachable } from '../../common/assert.js';
import type { Result } from '../../common/result.js';
import { err, ok } from '../../common/result.js';
import { entryBytes, RaftLog } from './log.js';
import type { ConfChangeError } from './membership.js';
import { Membership } from './membership.js';
import { checkMessage, isTransferContext, makeMessage, TRANSFER_CONTEXT } from './messages.js';
import { Progress } from './progress.js';
import type { Random } from './random.js';
import { ReadOnlyQueue } from './read-only.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import type { InitialState, LogIndex, RaftId, RaftOptions, ReadState, Ready, Role, Snapshot, SoftState, Term } from './types.js';

/** Why a proposal was refused (expected, the caller retries elsewhere or later). */
export type ProposeError =
  | { kind: 'not-leader'; leaderId: RaftId }
  | { kind: 'transferring-leadership' }
  | { kind: 'entry-too-large'; bytes: number }
  | { kind: 'conf-change-pending' }
  | { kind: 'removed' }
  | { kind: 'invalid-conf-change'; error: ConfChangeError };

/** Where an accepted proposal landed; it is durable once that index is applied with that term. */
export interface Proposed {
  index: LogIndex;
  term: Term;
}

/** Why a read could not start. */
export type ReadIndexError = { kind: 'no-leader' } | { kind: 'too-many-reads' } | { kind: 'removed' };

/** Why a leadership transfer could not start. */
export type TransferError = { kind: 'not-leader'; leaderId: RaftId } | { kind: 'not-a-voter'; nodeId: RaftId } | { kind: 'already-leader' };

/** Counters for tests and metrics. */
export interface RaftStats {
  droppedMessages: number;
  lastDropReason: string;
}

const EMPTY = new Uint8Array(0);

/** One Raft node's state machine. */
export class RaftCore {
  readonly id: RaftId;
  private readonly opts: RaftOptions;
  private readonly random: Random;

  term: Term;
  private vote: RaftId;
  leaderId: RaftId = 0;
  role: Role = 'follower';
  removed = false;
  readonly log: RaftLog;
  membership: Membership;

  private progress = new Map<RaftId, Progress>();
  private votes = new Map<RaftId, boolean>();
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Index of the last conf change proposed; another waits until it is applied. */
  private pendingConfIndex: LogIndex = 0;
  private leadTransferee: RaftId = 0;
  private readOnly = new ReadOnlyQueue();
  /** Reads that arrived before this leader committed an entry of its term (§6.4 step 1). */
  private readsAwaitingCommit: Array<{ from: RaftId; context: Uint8Array }> = [];
  private readonly receiver = new SnapshotReceiver();
  /** The latest local snapshot, sent to followers that are too far behind. */
  private snapshot: Snapshot | undefined;
  /** A snapshot received from the leader, to hand to the driver. */
  private pendingSnapshot: Snapshot | undefined;
  private msgs: RaftMessage[] = [];
  private readStates: ReadState[] = [];
  private prevHardState: HardState;
  private needBroadcast = false;
  private readyOutstanding = false;
  readonly stats: RaftStats = { droppedMessages: 0, lastDropReason: '' };

  constructor(opts: RaftOptions, random: Random, initial: InitialState) {
    assert(opts.id > 0, 'raft id must be positive');
    assert(opts.heartbeatTicks > 0 && opts.electionTicks > opts.heartbeatTicks, 'electionTicks must exceed heartbeatTicks');
    this.id = opts.id;
    this.opts = opts;
    this.random = random;
    const snap = initial.snapshot;
    this.snapshot = snap;
    // A snapshot holds only applied, hence committed, state: its index is
    // committed even if the (lazily synced) commit index on disk is older.
    const commit = Math.max(initial.hardState.commit, snap?.meta.index ?? 0);
    this.log = new RaftLog(snap?.meta.index ?? 0, snap?.meta.term ?? 0, [...initial.entries], commit);
    this.membership = Membership.fromConfState(snap?.meta.confState);
    this.term = initial.hardState.term;
    this.vote = initial.hardState.vote;
    this.prevHardState = { ...initial.hardState, commit };
    if (this.membership.removed.has(this.id)) this.removed = true;
    this.resetRandomizedElectionTimeout();
  }

  // ---- inputs -------------------------------------------------------------

  /** Advance logical time by one tick. */
  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Feed a message from a peer. Malformed ones are counted and dropped. */
  step(m: RaftMessage): void {
    const problem = checkMessage(m, this.id);
    if (problem !== undefined) {
      this.drop(problem);
      return;
    }
    if (m.type === 'REMOVED') {
      // The sender applied our removal, which is committed: true at any term.
      this.becomeRemoved();
      return;
    }
    if (this.membership.removed.has(m.from)) {
      this.send(makeMessage('REMOVED', this.id, m.from, this.term));
      return;
    }
    if (!this.stepTerm(m)) return;
    switch (m.type) {
      case 'PRE_VOTE':
      case 'VOTE':
        this.handleVoteRequest(m);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        return;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        return;
      case 'follower':
        this.stepFollower(m);
        return;
      default:
        unreachable(this.role, 'role');
    }
  }

  /** Append `data` to the log if leader. Replication goes out with the next Ready (batching). */
  propose(data: Uint8Array): Result<Proposed, ProposeError> {
    const refused = this.checkCanPropose(data.length);
    if (refused) return err(refused);
    return ok(this.appendOwn('NORMAL', data));
  }

  /** Propose a single-server membership change. */
  proposeConfChange(cc: ConfChange): Result<Proposed, ProposeError> {
    const refused = this.checkCanPropose(cc.context.length);
    if (refused) return err(refused);
    if (this.pendingConfIndex > this.log.applied) return err({ kind: 'conf-change-pending' });
    const valid = this.membership.validate(cc);
    if (!valid.ok) return err({ kind: 'invalid-conf-change', error: valid.error });
    const at = this.appendOwn('CONF_CHANGE', codec.ConfChange.encode(cc));
    this.pendingConfIndex = at.index;
    return ok(at);
  }

  /** Start a linearizable read identified by `context` (unique per read). The answer comes as a ReadState. */
  readIndex(context: Uint8Array): Result<void, ReadIndexError> {
    if (this.removed) return err({ kind: 'removed' });
    if (this.role === 'leader') return this.handleReadIndex(this.id, context);
    if (this.leaderId === 0) return err({ kind: 'no-leader' });
    this.send(makeMessage('READ_INDEX', this.id, this.leaderId, this.term, { context }));
    return ok(undefined);
  }

  /** Hand leadership to `to` once it has our whole log (thesis §3.10). */
  transferLeadership(to: RaftId): Result<void, TransferError> {
    if (this.role !== 'leader') return err({ kind: 'not-leader', leaderId: this.leaderId });
    if (to === this.id) return err({ kind: 'already-leader' });
    const pr = this.progress.get(to);
    if (!pr || pr.isLearner) return err({ kind: 'not-a-voter', nodeId: to });
    this.leadTransferee = to;
    this.electionElapsed = 0; // the transfer is abandoned after one election timeout
    if (pr.match === this.log.lastIndex()) this.send(makeMessage('TIMEOUT_NOW', this.id, to, this.term));
    else this.sendAppend(to, true);
    return ok(undefined);
  }

  /**
   * The transport saw `from`'s stream to us close (its process died or
   * restarted: the connection was reset). If it is our leader, its lease
   * ends now and we campaign after only the randomized part of the election
   * timeout. A silent network stall does not close streams, so it still
   * waits the full timeout; a spurious call costs at most a refused PreVote.
   */
  leaderLost(from: RaftId): void {
    if (this.role !== 'follower' || this.leaderId !== from || from === 0) return;
    this.electionElapsed = Math.max(this.electionElapsed, this.opts.electionTicks);
  }

  /** Campaign now (tests, and `force` operations); respects PreVote. */
  campaign(): void {
    if (this.role !== 'leader' && this.promotable()) this.startCampaign(this.opts.preVote ? 'pre' : 'real');
  }

  /** Where a snapshot taken now stands: the applied index, its term and the configuration as of it. */
  snapshotMeta(): SnapshotMetadata {
    const index = this.log.applied;
    const term = this.log.term(index);
    assert(term !== undefined, `no term for applied index ${index}`);
    return { index, term, confState: this.membership.toConfState() };
  }

  /**
   * The application has a snapshot of its state as of the applied index:
   * remember it (for slow followers) and drop log entries up to
   * `appliedIndex - keepEntries`. Returns the metadata the driver persists.
   */
  compact(data: Uint8Array, keepEntries: number): Snapshot {
    const snapshot = this.compactAt(this.snapshotMeta(), data, keepEntries);
    assert(snapshot !== undefined, 'a snapshot at the applied index is never stale');
    return snapshot;
  }

  /**
   * Like compact(), for a snapshot whose state was captured at `meta`
   * (from snapshotMeta()) and encoded since, while entries went on being
   * applied. Returns undefined, changing nothing, when a snapshot at or
   * past `meta.index` is already held (one was installed meanwhile).
   */
  compactAt(meta: SnapshotMetadata, data: Uint8Array, keepEntries: number): Snapshot | undefined {
    if (this.snapshot && this.snapshot.meta.index >= meta.index) return undefined;
    assert(meta.index <= this.log.applied, `snapshot at ${meta.index} is past the applied index ${this.log.applied}`);
    const snapshot: Snapshot = { meta, data };
    this.snapshot = snapshot;
    const cut = Math.max(0, meta.index - Math.max(0, keepEntries));
    if (cut > this.log.firstIndex() - 1) this.log.compact(cut);
    return snapshot;
  }

  /** Index up to which entries may be deleted from storage. */
  compactedIndex(): LogIndex {
    return this.log.firstIndex() - 1;
  }

  // ---- outputs ------------------------------------------------------------

  softState(): SoftState {
    return { leaderId: this.leaderId, role: this.role, term: this.term, removed: this.removed };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  hasReady(): boolean {
    if (this.needBroadcast || this.msgs.length > 0 || this.readStates.length > 0 || this.pendingSnapshot) return true;
    if (this.log.unstableFrom <= this.log.lastIndex()) return true;
    if (this.log.committed > Math.max(this.log.applied, this.log.applying)) return true;
    return !sameHardState(this.hardState(), this.prevHardState);
  }

  /** The next batch of work. Must be followed by advance() before the next ready(). */
  ready(): Ready {
    assert(!this.readyOutstanding, 'ready() called twice without advance()');
    if (this.needBroadcast) {
      this.needBroadcast = false;
      if (this.role === 'leader') this.broadcastAppend();
    }
    const hs = this.hardState();
    const committedEntries = this.log.nextToApply(this.opts.maxApplyBytes);
    const last = committedEntries[committedEntries.length - 1];
    if (last) this.log.applying = last.index;
    const rd: Ready = {
      softState: this.softState(),
      hardState: sameHardState(hs, this.prevHardState) ? undefined : hs,
      snapshot: this.pendingSnapshot,
      entries: this.log.unstableEntries(),
      ...this.splitMessages(this.msgs),
      committedEntries,
      readStates: this.readStates,
    };
    this.msgs = [];
    this.readStates = [];
    this.readyOutstanding = true;
    return rd;
  }

  /** The driver has persisted, sent and applied `rd`. */
  advance(rd: Ready): void {
    assert(this.readyOutstanding, 'advance() without ready()');
    this.readyOutstanding = false;
    if (rd.snapshot && this.pendingSnapshot === rd.snapshot) this.pendingSnapshot = undefined;
    if (rd.hardState) this.prevHardState = rd.hardState;
    const lastWritten = rd.entries[rd.entries.length - 1];
    if (lastWritten) {
      this.log.stableTo(lastWritten.index, lastWritten.term);
      if (this.role === 'leader') {
        // The leader counts itself only for what is on its own disk.
        const self = this.progress.get(this.id);
        if (self?.maybeUpdate(this.log.lastStableIndex())) this.maybeCommitAndBroadcast();
      }
    }
    for (const e of rd.committedEntries) {
      if (e.index <= this.log.applied) continue; // superseded by a snapshot in the meantime
      if (e.type === 'CONF_CHANGE') {
        const cc = safeDecodeConfChange(e);
        // Undecodable or nonsensical changes are skipped by every member alike.
        if (cc && Number.isSafeInteger(cc.nodeId) && cc.nodeId > 0) this.applyConfChange(cc);
      }
      this.log.applied = e.index;
    }
    if (this.log.applying < this.log.applied) this.log.applying = this.log.applied;
  }

  // ---- elections ----------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed < this.randomizedElectionTimeout) return;
    this.electionElapsed = 0;
    if (this.promotable()) {
      this.startCampaign(this.opts.preVote ? 'pre' : 'real');
    } else if (!this.removed) {
      // A learner (or a node with a stale config) that hears nothing speaks
      // up: a leader then catches it up, and a member that already applied
      // our removal answers REMOVED, which we might otherwise never learn.
      this.resetRandomizedElectionTimeout();
      for (const id of this.membership.voters) {
        if (id !== this.id) this.send(makeMessage('HEARTBEAT_RESPONSE', this.id, id, this.term));
      }
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.opts.electionTicks) {
      this.electionElapsed = 0;
      // §9.6 CheckQuorum: a leader that cannot hear a quorum steps down, so
      // clients go find the real one and reads stay linearizable.
      if (this.opts.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, 0);
        return;
      }
      this.leadTransferee = 0;
    }
    if (this.heartbeatElapsed >= this.opts.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat(this.readOnly.lastContext() ?? EMPTY);
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const [id, pr] of this.progress) {
      if (id === this.id) {
        if (this.membership.isVoter(id)) active++;
        continue;
      }
      if (pr.recentActive && this.membership.isVoter(id)) active++;
      pr.recentActive = false;
    }
    return active >= this.membership.quorum();
  }

  private promotable(): boolean {
    if (this.removed || !this.membership.isVoter(this.id) || this.pendingSnapshot) return false;
    // A node that has not applied a committed config change may be counting the wrong voters.
    return !this.log.hasUnapplied((e) => e.type === 'CONF_CHANGE');
  }

  private startCampaign(kind: 'pre' | 'real' | 'transfer'): void {
    if (kind === 'pre') {
      this.role = 'pre-candidate';
      this.leaderId = 0;
      this.votes.clear();
      this.resetRandomizedElectionTimeout();
      this.electionElapsed = 0;
    } else {
      this.becomeCandidate();
    }
    const voteType: RaftMessage_Type = kind === 'pre' ? 'PRE_VOTE' : 'VOTE';
    const term = kind === 'pre' ? this.term + 1 : this.term;
    this.votes.set(this.id, true);
    if (this.membership.voteResult(this.votes) === 'won') {
      this.wonElection(kind);
      return;
    }
    for (const id of this.membership.voters) {
      if (id === this.id) continue;
      this.send(makeMessage(voteType, this.id, id, term, {
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        context: kind === 'transfer' ? TRANSFER_CONTEXT : EMPTY,
      }));
    }
  }

  private wonElection(kind: 'pre' | 'real' | 'transfer'): void {
    if (kind === 'pre') this.startCampaign('real');
    else this.becomeLeader();
  }

  /**
   * Term rules shared by every role (§5.1), plus the lease of §9.6: while we
   * have a live leader, vote requests from a higher term are ignored so a
   * partitioned node rejoining cannot depose it. Returns false to drop `m`.
   */
  private stepTerm(m: RaftMessage): boolean {
    if (m.term > this.term) {
      if (m.type === 'VOTE' || m.type === 'PRE_VOTE') {
        const force = isTransferContext(m.context);
        const inLease = this.opts.checkQuorum && this.leaderId !== 0 && this.electionElapsed < this.opts.electionTicks;
        if (!force && inLease) return false;
      }
      if (m.type === 'PRE_VOTE') return true; // a pre-vote never changes our term
      if (m.type === 'PRE_VOTE_RESPONSE' && !m.reject) return true; // granted pre-votes carry the future term
      const fromLeader = m.type === 'APPEND' || m.type === 'HEARTBEAT' || m.type === 'SNAPSHOT_CHUNK';
      this.becomeFollower(m.term, fromLeader ? m.from : 0);
      return true;
    }
    if (m.term < this.term) {
      if ((this.opts.checkQuorum || this.opts.preVote) && (m.type === 'HEARTBEAT' || m.type === 'APPEND')) {
        // A stale leader cut off by a partition: our higher term makes it step down.
        this.send(makeMessage('APPEND_RESPONSE', this.id, m.from, this.term));
      } else if (m.type === 'PRE_VOTE') {
        this.send(makeMessage('PRE_VOTE_RESPONSE', this.id, m.from, this.term, { reject: true }));
      }
      return false;
    }
    return true;
  }

  private handleVoteRequest(m: RaftMessage): void {
    const pre = m.type === 'PRE_VOTE';
    const canVote = this.vote === m.from || (this.vote === 0 && this.leaderId === 0) || (pre && m.term > this.term);
    const respType: RaftMessage_Type = pre ? 'PRE_VOTE_RESPONSE' : 'VOTE_RESPONSE';
    // §5.4.1 election restriction: only for a log at least as up to date as ours.
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.send(makeMessage(respType, this.id, m.from, m.term));
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(makeMessage(respType, this.id, m.from, this.term, { reject: true }));
    }
  }

  private becomeFollower(term: Term, leaderId: RaftId): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = 0;
    }
    this.role = 'follower';
    this.leaderId = leaderId;
    this.reset();
  }

  private becomeCandidate(): void {
    this.term += 1;
    this.vote = this.id;
    this.role = 'candidate';
    this.leaderId = 0;
    this.reset();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.reset();
    for (const id of this.membership.members()) this.addProgress(id);
    if (!this.progress.has(this.id)) this.addProgress(this.id);
    // Until our no-op commits we cannot know whether an older config change did.
    this.pendingConfIndex = this.log.lastIndex();
    this.appendOwn('NORMAL', EMPTY);
  }

  private becomeRemoved(): void {
    this.removed = true;
    if (this.role !== 'follower') this.becomeFollower(this.term, 0);
  }

  private reset(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.votes.clear();
    this.leadTransferee = 0;
    this.readOnly.clear();
    this.readsAwaitingCommit = [];
    this.progress.clear();
    this.needBroadcast = false;
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.opts.electionTicks + this.random.int(this.opts.electionTicks);
  }

  // ---- role-specific message handling ---------------------------------------

  private stepCandidate(m: RaftMessage): void {
    switch (m.type) {
      case 'APPEND':
      case 'HEARTBEAT':
      case 'SNAPSHOT_CHUNK':
        // Someone won this term.
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case 'PRE_VOTE_RESPONSE':
      case 'VOTE_RESPONSE': {
        const mine = this.role === 'pre-candidate' ? 'PRE_VOTE_RESPONSE' : 'VOTE_RESPONSE';
        if (m.type !== mine) return;
        this.votes.set(m.from, !m.reject);
        const result = this.membership.voteResult(this.votes);
        if (result === 'won') this.wonElection(this.role === 'pre-candidate' ? 'pre' : 'real');
        else if (result === 'lost') this.becomeFollower(this.term, 0);
        return;
      }
      case 'TIMEOUT_NOW':
      case 'READ_INDEX':
      case 'READ_INDEX_RESPONSE':
        return;
      default:
        return;
    }
  }

  private stepFollower(m: RaftMessage): void {
    switch (m.type) {
      case 'APPEND':
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleAppend(m);
        return;
      case 'HEARTBEAT':
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.send(makeMessage('HEARTBEAT_RESPONSE', this.id, m.from, this.term, { context: m.context }));
        return;
      case 'SNAPSHOT_CHUNK':
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleSnapshotChunk(m);
        return;
      case 'TIMEOUT_NOW':
        // The leader asks us to take over now: skip PreVote and the lease.
        if (this.promotable()) this.startCampaign('transfer');
        return;
      case 'READ_INDEX_RESPONSE':
        this.readStates.push({ index: m.index, context: m.context });
        return;
      default:
        return;
    }
  }

  private stepLeader(m: RaftMessage): void {
    const pr = this.progress.get(m.from);
    switch (m.type) {
      case 'APPEND_RESPONSE':
        if (pr) this.handleAppendResponse(m, pr);
        return;
      case 'HEARTBEAT_RESPONSE':
        if (pr) this.handleHeartbeatResponse(m, pr);
        return;
      case 'SNAPSHOT_RESPONSE':
        if (pr) this.handleSnapshotResponse(m, pr);
        return;
      case 'READ_INDEX':
        if (pr) {
          const r = this.handleReadIndex(m.from, m.context);
          if (!r.ok) this.drop(`read from ${m.from} refused: ${r.error.kind}`);
        }
        return;
      default:
        return;
    }
  }

  // ---- replication: follower side -------------------------------------------

  private handleAppend(m: RaftMessage): void {
    if (m.index < this.log.committed) {
      // Already committed here; tell the leader how far we are.
      this.send(makeMessage('APPEND_RESPONSE', this.id, m.from, this.term, { index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.entries);
    if (lastNew !== undefined) {
      this.log.commitTo(Math.min(m.commit, lastNew));
      this.send(makeMessage('APPEND_RESPONSE', this.id, m.from, this.term, { index: lastNew }));
      return;
    }
    // §5.3 with the thesis' optimisation: point the leader at the last index
    // whose term could match, so it skips a whole divergent term per round.
    const hint = this.log.findConflictByTerm(m.index, m.logTerm);
    this.send(makeMessage('APPEND_RESPONSE', this.id, m.from, this.term, {
      index: m.index,
      reject: true,
      rejectHint: hint.index,
      logTerm: hint.term,
    }));
  }

  private handleSnapshotChunk(m: RaftMessage): void {
    const meta = m.snapshot;
    if (!meta) return;
    if (meta.index <= this.log.committed) {
      this.receiver.reset();
      this.send(makeMessage('APPEND_RESPONSE', this.id, m.from, this.term, { index: this.log.committed }));
      return;
    }
    const outcome = this.receiver.accept(m, meta);
    switch (outcome.kind) {
      case 'ack':
      case 'reject':
        this.send(makeMessage('SNAPSHOT_RESPONSE', this.id, m.from, this.term, {
          index: meta.index,
          chunkOffset: outcome.offsetBytes,
          reject: outcome.kind === 'reject',
        }));
        return;
      case 'complete':
        this.restore(outcome.snapshot);
        this.send(makeMessage('APPEND_RESPONSE', this.id, m.from, this.term, { index: this.log.lastIndex() }));
        return;
      default:
        unreachable(outcome, 'chunk outcome');
    }
  }

  private restore(s: Snapshot): void {
    if (this.log.matchTerm(s.meta.index, s.meta.term)) {
      // We already hold this prefix; only the commit point moves.
      this.log.commitTo(s.meta.index);
      return;
    }
    this.log.restore(s.meta.index, s.meta.term);
    this.membership = Membership.fromConfState(s.meta.confState);
    if (this.membership.removed.has(this.id)) this.removed = true;
    this.snapshot = s;
    this.pendingSnapshot = s;
  }

  // ---- replication: leader side ---------------------------------------------

  private addProgress(id: RaftId): void {
    const pr = new Progress(this.log.lastIndex() + 1, !this.membership.isVoter(id), this.opts.maxInflightBatches);
    if (id === this.id) {
      pr.match = this.log.lastStableIndex();
      pr.recentActive = true;
    }
    this.progress.set(id, pr);
  }

  private appendOwn(type: RaftEntry['type'], data: Uint8Array): Proposed {
    const entry: RaftEntry = { term: this.term, index: this.log.lastIndex() + 1, type, data };
    this.log.append([entry]);
    this.needBroadcast = true;
    return { index: entry.index, term: entry.term };
  }

  private checkCanPropose(bytes: number): ProposeError | undefined {
    if (this.removed) return { kind: 'removed' };
    if (this.role !== 'leader') return { kind: 'not-leader', leaderId: this.leaderId };
    if (this.leadTransferee !== 0) return { kind: 'transferring-leadership' };
    if (bytes > this.opts.maxEntryBytes) return { kind: 'entry-too-large', bytes };
    return undefined;
  }

  private broadcastAppend(): void {
    for (const id of this.progress.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  private broadcastHeartbeat(context: Uint8Array): void {
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      // Never claim a commit the follower may not hold yet.
      const commit = Math.min(pr.match, this.log.committed);
      this.send(makeMessage('HEARTBEAT', this.id, id, this.term, { commit, context }));
    }
  }

  /** Send the next batch to `to` if its flow control allows; keeps pipelining up to the inflight bound. */
  private sendAppend(to: RaftId, sendIfEmpty: boolean): void {
    const pr = this.progress.get(to);
    if (!pr) return;
    let first = true;
    while (!pr.isPaused()) {
      const prevIndex = pr.next - 1;
      const prevTerm = this.log.term(prevIndex);
      if (prevTerm === undefined) {
        this.startSnapshot(to, pr);
        return;
      }
      const entries = pr.next <= this.log.lastIndex()
        ? this.log.slice(pr.next, this.log.lastIndex() + 1, this.opts.maxBatchBytes, this.opts.maxBatchEntries)
        : [];
      if (entries.length === 0 && !(sendIfEmpty && first)) return;
      this.send(makeMessage('APPEND', this.id, to, this.term, {
        index: prevIndex,
        logTerm: prevTerm,
        entries,
        commit: this.log.committed,
      }));
      first = false;
      const last = entries[entries.length - 1];
      if (pr.state === 'replicate' && last) pr.sentBatch(last.index);
      else if (pr.state === 'probe') pr.probeSent = true;
      if (!last) return;
    }
  }

  private handleAppendResponse(m: RaftMessage, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      const nextProbe = m.logTerm > 0 ? this.log.findConflictByTerm(m.rejectHint, m.logTerm).index : m.rejectHint;
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    // No correct peer acknowledges an entry this leader never had: drop it
    // rather than let `match` run past our log (found by the fuzzer).
    if (m.index > this.log.lastIndex()) return;
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) {
      if (wasPaused && pr.state === 'probe') pr.probeSent = false;
      return;
    }
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.snapshot && pr.match >= pr.snapshot.meta.index) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.freeInflightsUpTo(m.index);
    if (!this.maybeCommitAndBroadcast()) this.sendAppend(m.from, false);
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
      this.send(makeMessage('TIMEOUT_NOW', this.id, m.from, this.term));
    }
  }

  private handleHeartbeatResponse(m: RaftMessage, pr: Progress): void {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflightsFull()) pr.freeFirstInflight();
    if (pr.state === 'snapshot') this.resumeSnapshot(m.from, pr);
    else if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
    if (m.context.length > 0) {
      const confirmed = this.readOnly.ack(m.from, m.context, (acks) => this.membership.voteResult(new Map([...acks].map((a) => [a, true]))) === 'won');
      for (const r of confirmed) this.answerRead(r.from, r.index, r.context);
    }
  }

  private maybeCommitAndBroadcast(): boolean {
    const index = this.membership.committedIndex((id) => this.progress.get(id)?.match ?? 0);
    if (!this.log.maybeCommit(index, this.term)) return false;
    // First commit in our term: reads that waited for it can proceed (§6.4).
    const waiting = this.readsAwaitingCommit;
    this.readsAwaitingCommit = [];
    for (const r of waiting) {
      const res = this.handleReadIndex(r.from, r.context);
      if (!res.ok) this.drop(`read refused: ${res.error.kind}`);
    }
    this.broadcastAppend();
    return true;
  }

  // ---- snapshots: leader side -------------------------------------------------

  private startSnapshot(to: RaftId, pr: Progress): void {
    const snap = this.snapshot;
    assert(snap, 'log compacted without a snapshot');
    pr.becomeSnapshot(snap);
    this.sendChunk(to, pr);
  }

  private sendChunk(to: RaftId, pr: Progress): void {
    const snap = pr.snapshot;
    if (!snap) return;
    const offset = pr.snapshotOffsetBytes;
    const chunk = snap.data.subarray(offset, offset + this.opts.snapshotChunkBytes);
    this.send(makeMessage('SNAPSHOT_CHUNK', this.id, to, this.term, {
      snapshot: snap.meta,
      chunkOffset: offset,
      chunk,
      chunkLast: offset + chunk.length >= snap.data.length,
    }));
  }

  private handleSnapshotResponse(m: RaftMessage, pr: Progress): void {
    pr.recentActive = true;
    const snap = pr.snapshot;
    if (pr.state !== 'snapshot' || !snap || m.index !== snap.meta.index) return;
    if (m.reject) {
      pr.snapshotOffsetBytes = Math.min(m.chunkOffset, snap.data.length);
      this.sendChunk(m.from, pr);
      return;
    }
    if (m.chunkOffset <= pr.snapshotOffsetBytes) return; // duplicate ack
    pr.snapshotOffsetBytes = Math.min(m.chunkOffset, snap.data.length);
    if (pr.snapshotOffsetBytes < snap.data.length) this.sendChunk(m.from, pr);
  }

  /** On a heartbeat answer mid-stream: resend the unacknowledged chunk (it may have been lost). */
  private resumeSnapshot(to: RaftId, pr: Progress): void {
    const snap = pr.snapshot;
    if (!snap) return;
    if (pr.snapshotOffsetBytes >= snap.data.length && snap.data.length > 0) {
      // All bytes acked but the install answer was lost: probe right after the snapshot.
      pr.becomeProbe();
      this.sendAppend(to, true);
      return;
    }
    this.sendChunk(to, pr);
  }

  // ---- reads ---------------------------------------------------------------

  private handleReadIndex(from: RaftId, context: Uint8Array): Result<void, ReadIndexError> {
    if (this.log.term(this.log.committed) !== this.term) {
      if (this.readsAwaitingCommit.length >= 4096) return err({ kind: 'too-many-reads' });
      this.readsAwaitingCommit.push({ from, context });
      return ok(undefined);
    }
    if (this.membership.voters.size === 1 && this.membership.isVoter(this.id)) {
      this.answerRead(from, this.log.committed, context);
      return ok(undefined);
    }
    if (!this.readOnly.add(this.log.committed, context, from, this.id)) return err({ kind: 'too-many-reads' });
    this.broadcastHeartbeat(context);
    return ok(undefined);
  }

  private answerRead(from: RaftId, index: LogIndex, context: Uint8Array): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send(makeMessage('READ_INDEX_RESPONSE', this.id, from, this.term, { index, context }));
  }

  // ---- membership -----------------------------------------------------------

  private applyConfChange(cc: ConfChange): void {
    const wasMember = this.membership.isMember(cc.nodeId);
    this.membership.apply(cc);
    if (cc.nodeId === this.id && cc.type === 'REMOVE') {
      this.becomeRemoved();
      return;
    }
    if (this.role !== 'leader') return;
    if (cc.nodeId === this.id && !this.membership.isVoter(this.id)) {
      // Demoted: a learner cannot lead.
      this.becomeFollower(this.term, 0);
      return;
    }
    const pr = this.progress.get(cc.nodeId);
    if (this.membership.isMember(cc.nodeId)) {
      if (!pr) this.addProgress(cc.nodeId);
      else pr.isLearner = !this.membership.isVoter(cc.nodeId);
    } else if (wasMember || pr) {
      // Tell it once more with the commit index covering its removal, then forget it.
      if (pr) this.send(makeMessage('REMOVED', this.id, cc.nodeId, this.term));
      this.progress.delete(cc.nodeId);
      if (this.leadTransferee === cc.nodeId) this.leadTransferee = 0;
    }
    // The quorum changed: something may now be committed.
    this.maybeCommitAndBroadcast();
    if (this.progress.has(cc.nodeId)) this.sendAppend(cc.nodeId, true);
  }

  // ---- plumbing -------------------------------------------------------------

  private send(m: RaftMessage): void {
    this.msgs.push(m);
  }

  /**
   * Which messages may leave before this Ready is synced: the leader's
   * replication traffic, once its term (and vote) is on disk. Anything sent
   * in a term not yet persisted waits: a leader that won an election without
   * asking anyone (a single voter) must not replicate a term it could forget
   * in a crash and win again with a different log.
   */
  private splitMessages(msgs: RaftMessage[]): Pick<Ready, 'messagesBeforeSync' | 'messages'> {
    const persistedTerm = this.prevHardState.term;
    const messagesBeforeSync: RaftMessage[] = [];
    const messages: RaftMessage[] = [];
    for (const m of msgs) {
      if (m.term === persistedTerm && EARLY_TYPES.has(m.type)) messagesBeforeSync.push(m);
      else messages.push(m);
    }
    return { messagesBeforeSync, messages };
  }

  private drop(reason: string): void {
    this.stats.droppedMessages++;
    this.stats.lastDropReason = reason;
  }

  /** Test hook: progress of a follower as the leader sees it. */
  progressOf(id: RaftId): Readonly<Progress> | undefined {
    return this.progress.get(id);
  }

  /** Entries handed out since the last ready (bytes), for flow control in drivers. */
  unstableBytes(): number {
    let n = 0;
    for (const e of this.log.unstableEntries()) n += entryBytes(e);
    return n;
  }
}

/** Leader-only message types that assert nothing about the sender's disk. */
const EARLY_TYPES: ReadonlySet<RaftMessage_Type> = new Set<RaftMessage_Type>(['APPEND', 'HEARTBEAT', 'SNAPSHOT_CHUNK']);

function safeDecodeConfChange(e: RaftEntry): ConfChange | undefined {
  try {
    return decodeConfChange(e);
  } catch {
    return undefined;
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
