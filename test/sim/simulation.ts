// Deterministic simulation of a Raft cluster: the real core, a simulated
// clock, an in-memory network that drops, duplicates, delays and reorders
// messages and can be partitioned, disks that lose unsynced writes on
// crash, membership changes and compaction during faults, and a KV
// workload whose history is checked for linearizability. One seed = one
// exact run; `npm run sim -- raft --seed S` replays it with a trace.
import type { ConfChange_Type, RaftMessage } from '../../src/gen/index.js';
import type { InitialState, RaftId, RaftOptions, Ready } from '../../src/raft/core/index.js';
import { RaftCore, bootstrapState, seededRandom } from '../../src/raft/core/index.js';
import { contextKey } from '../../src/raft/core/index.js';
import { EventQueue } from './event-queue.js';
import { checkInvariantsAfterReady, checkLeaderCountsOnlySynced, checkLogMatching, Oracle } from './invariants.js';
import { KvStore, decodeCommand, encodeCommand } from './kv.js';
import type { KvCommand } from './kv.js';
import type { Operation } from './linearizability.js';
import { checkLinearizable } from './linearizability.js';
import { SimStorage } from './storage.js';

/** Knobs of one simulated run. */
export interface SimConfig {
  seed: number;
  trace: boolean;
  /** Fault phase length (simulated ms); then the cluster is healed. */
  faultMs: number;
  /** Time allowed after healing for a leader and full convergence. */
  healMs: number;
  clients: number;
  keys: number;
  /** Cap on client operations per run (keeps the linearizability check fast). */
  maxOps: number;
}

/** What one run found. */
export interface SimResult {
  seed: number;
  violations: string[];
  trace: string[];
  stats: { events: number; ops: number; acked: number; elections: number; crashes: number; confChanges: number; snapshotsSent: number; simMs: number; inconclusive: boolean };
}

type SimEvent =
  | { kind: 'tick'; id: RaftId; epoch: number }
  | { kind: 'deliver'; msg: RaftMessage }
  | { kind: 'fault' }
  | { kind: 'client'; client: number }
  | { kind: 'client-timeout'; client: number; opSeq: number }
  | { kind: 'restart'; id: RaftId }
  | { kind: 'heal' }
  | { kind: 'check-converged' };

interface PendingOp {
  client: number;
  opSeq: number;
  op: KvCommand | { kind: 'read'; opId: number; key: string };
  startMs: number;
  node: RaftId;
  index: number;
  term: number;
  readIndex?: number;
}

interface SimNode {
  id: RaftId;
  storage: SimStorage;
  core: RaftCore | undefined;
  kv: KvStore;
  appliedIndex: number;
  /** Incremented at each restart so stale tick events of a dead incarnation are ignored. */
  epoch: number;
  removed: boolean;
  crashed: boolean;
  proposals: Map<number, PendingOp>;
  reads: Map<string, PendingOp>;
  readsWaitingApply: PendingOp[];
  wasLeaderTerm: number;
}

interface Client {
  id: number;
  leaderHint: RaftId;
  current: PendingOp | undefined;
  opSeq: number;
}

const TICK_MS = 10;
const CLIENT_TIMEOUT_MS = 800;
const MAX_NODES = 8;

/** The default configuration for seed sweeps. */
export function defaultConfig(seed: number): SimConfig {
  return { seed, trace: false, faultMs: 3000, healMs: 4000, clients: 5, keys: 4, maxOps: 200 };
}

/** Run one seed to completion. */
export function runSimulation(cfg: SimConfig): SimResult {
  return new Simulation(cfg).run();
}

class Simulation {
  private readonly rng;
  private now = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes = new Map<RaftId, SimNode>();
  private readonly clients: Client[] = [];
  private readonly history: Operation[] = [];
  private readonly oracle = new Oracle();
  private readonly violations: string[] = [];
  private readonly traceLines: string[] = [];
  private readonly blocked = new Set<string>();
  private dropP = 0;
  private dupP = 0;
  private slowP = 0;
  private healed = false;
  private converged = false;
  private nextNodeId: RaftId;
  private nextOpId = 1;
  private events = 0;
  private stats = { events: 0, ops: 0, acked: 0, elections: 0, crashes: 0, confChanges: 0, snapshotsSent: 0, simMs: 0, inconclusive: false };
  private readonly opts: Omit<RaftOptions, 'id'>;
  private readonly tickMsOf = new Map<RaftId, number>();

  constructor(private readonly cfg: SimConfig) {
    this.rng = seededRandom(cfg.seed);
    const voters = this.rng.float() < 0.5 ? 3 : 5;
    this.opts = {
      electionTicks: 10,
      heartbeatTicks: 1 + this.rng.int(2),
      // Some runs without CheckQuorum: deposed leaders linger longer, which
      // is what stale reads and lost writes need to show up.
      preVote: this.rng.float() < 0.8,
      checkQuorum: this.rng.float() < 0.7,
      maxBatchBytes: 256 + this.rng.int(4096),
      maxBatchEntries: 1 + this.rng.int(16),
      maxInflightBatches: 1 + this.rng.int(8),
      snapshotChunkBytes: 16 + this.rng.int(256),
      maxEntryBytes: 1 << 16,
      maxApplyBytes: 512 + this.rng.int(4096),
    };
    const ids = Array.from({ length: voters }, (_, i) => i + 1);
    this.nextNodeId = voters + 1;
    for (const id of ids) this.addNode(id, bootstrapState(ids));
    for (let c = 0; c < cfg.clients; c++) {
      this.clients.push({ id: c, leaderHint: 0, current: undefined, opSeq: 0 });
      this.queue.push(this.rng.int(50), { kind: 'client', client: c });
    }
    this.queue.push(100 + this.rng.int(200), { kind: 'fault' });
    this.queue.push(cfg.faultMs, { kind: 'heal' });
    this.trace(`start seed=${cfg.seed} voters=${ids.join(',')} opts=${JSON.stringify(this.opts)}`);
  }

  run(): SimResult {
    const endMs = this.cfg.faultMs + this.cfg.healMs;
    while (this.violations.length === 0 && !this.converged) {
      const ev = this.queue.pop();
      if (!ev) break;
      if (ev.atMs > endMs) break;
      this.now = ev.atMs;
      this.events++;
      this.handle(ev.value);
      this.checkLogs(); // log matching after every event (logs stay short: compaction)
    }
    if (this.violations.length === 0 && !this.converged) {
      this.violation(`no convergence ${this.cfg.healMs} ms after healing (leader ${this.currentLeader()?.id ?? 'none'})`);
      for (const n of this.nodes.values()) this.trace(`  ${this.describe(n)}`);
    }
    if (this.violations.length === 0) this.finalChecks();
    this.stats.events = this.events;
    this.stats.simMs = this.now;
    return { seed: this.cfg.seed, violations: this.violations, trace: this.traceLines, stats: this.stats };
  }

  // ---- event handling -------------------------------------------------------

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick': {
        const n = this.nodes.get(ev.id);
        if (!n || !n.core || n.epoch !== ev.epoch) return;
        n.core.tick();
        this.backgroundWrite(n);
        this.process(n);
        this.maybeCompact(n);
        this.queue.push(this.now + (this.tickMsOf.get(n.id) ?? TICK_MS), { kind: 'tick', id: n.id, epoch: n.epoch });
        return;
      }
      case 'deliver': {
        const n = this.nodes.get(ev.msg.to);
        if (!n || !n.core) return;
        if (this.blocked.has(`${ev.msg.from}>${ev.msg.to}`)) return; // partitioned while in flight
        n.core.step(ev.msg);
        this.process(n);
        return;
      }
      case 'fault':
        if (this.healed) return;
        this.injectFault();
        this.queue.push(this.now + 50 + this.rng.int(300), { kind: 'fault' });
        return;
      case 'client':
        this.clientStep(ev.client);
        return;
      case 'client-timeout': {
        const c = this.clients[ev.client];
        if (c?.current && c.current.opSeq === ev.opSeq) this.finishUnknown(c.current);
        return;
      }
      case 'restart':
        this.restart(ev.id);
        return;
      case 'heal':
        this.heal();
        return;
      case 'check-converged':
        this.checkConverged();
        if (!this.converged) this.queue.push(this.now + 50, { kind: 'check-converged' });
        return;
    }
  }

  /** Drain the core's Ready batches: persist, send, apply, advance. */
  private process(n: SimNode): void {
    const core = n.core;
    if (!core) return;
    while (core.hasReady()) {
      const rd = core.ready();
      // The driver's order: the leader's appends leave before its own sync,
      // and committed entries are applied while it runs (snapshots after).
      for (const m of rd.messagesBeforeSync) this.send(m);
      const unsynced = checkLeaderCountsOnlySynced(n.id, core, n.storage.lastSyncedIndex());
      if (unsynced) this.violation(unsynced);
      const applyDuringSave = rd.snapshot === undefined;
      if (applyDuringSave) this.apply(n, rd);
      n.storage.persist(rd);
      for (const m of rd.messages) this.send(m);
      if (!applyDuringSave) this.apply(n, rd);
      core.advance(rd);
      const problem = checkInvariantsAfterReady(this.oracle, n.id, core, rd);
      if (problem) this.violation(problem);
      this.serveReads(n);
      this.observeRole(n);
    }
    if (core.removed && !n.removed) {
      n.removed = true;
      this.trace(`n${n.id} learned it was removed; stopping`);
      this.stopNode(n);
    }
  }

  private apply(n: SimNode, rd: Ready): void {
    if (rd.snapshot) {
      n.kv.restore(rd.snapshot.data);
      n.appliedIndex = rd.snapshot.meta.index;
      this.trace(`n${n.id} installed snapshot @${rd.snapshot.meta.index}`);
    }
    for (const e of rd.committedEntries) {
      if (e.index <= n.appliedIndex) continue;
      const problem = this.oracle.applied(n.id, e);
      if (problem) this.violation(problem);
      n.appliedIndex = e.index;
      let result: { ok: boolean } | undefined;
      if (e.type === 'NORMAL') {
        const cmd = decodeCommand(e.data);
        if (cmd) result = n.kv.apply(cmd);
      }
      const p = n.proposals.get(e.index);
      if (p) {
        n.proposals.delete(e.index);
        if (p.term === e.term && result) this.finishOk(p, result.ok);
        else this.finishFailed(p);
      }
    }
    this.takeReadStates(n, rd);
  }

  private observeRole(n: SimNode): void {
    const core = n.core;
    if (!core) return;
    if (core.role === 'leader' && n.wasLeaderTerm !== core.term) {
      n.wasLeaderTerm = core.term;
      this.stats.elections++;
      this.trace(`n${n.id} leader of term ${core.term}`);
      const problem = this.oracle.leaderElected(n.id, core);
      if (problem) this.violation(problem);
    }
  }

  private send(m: RaftMessage): void {
    if (m.type === 'SNAPSHOT_CHUNK' && m.chunkOffset === 0) this.stats.snapshotsSent++;
    if (this.blocked.has(`${m.from}>${m.to}`)) return;
    if (this.rng.float() < this.dropP) return;
    const copies = this.rng.float() < this.dupP ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.rng.float() < this.slowP ? 20 + this.rng.int(200) : 1 + this.rng.int(8);
      this.queue.push(this.now + delay, { kind: 'deliver', msg: m });
    }
  }

  // ---- nodes ----------------------------------------------------------------

  private addNode(id: RaftId, initial: InitialState | undefined): SimNode {
    const n: SimNode = {
      id,
      storage: new SimStorage(initial),
      core: undefined,
      kv: new KvStore(),
      appliedIndex: 0,
      epoch: 0,
      removed: false,
      crashed: false,
      proposals: new Map(),
      reads: new Map(),
      readsWaitingApply: [],
      wasLeaderTerm: 0,
    };
    this.nodes.set(id, n);
    this.tickMsOf.set(id, TICK_MS - 1 + this.rng.int(3)); // clock skew between nodes
    this.start(n);
    return n;
  }

  private start(n: SimNode): void {
    const initial = n.storage.load();
    n.core = new RaftCore({ ...this.opts, id: n.id }, seededRandom(this.rng.int(2 ** 31)), initial);
    n.kv = new KvStore();
    if (initial.snapshot) n.kv.restore(initial.snapshot.data);
    n.appliedIndex = initial.snapshot?.meta.index ?? 0;
    n.crashed = false;
    n.epoch++;
    n.wasLeaderTerm = 0;
    this.oracle.restarted(n.id);
    this.queue.push(this.now + this.rng.int(TICK_MS), { kind: 'tick', id: n.id, epoch: n.epoch });
    this.process(n);
  }

  private stopNode(n: SimNode): void {
    for (const p of n.proposals.values()) this.finishUnknown(p);
    for (const p of n.reads.values()) this.finishDropped(p);
    for (const p of n.readsWaitingApply) this.finishDropped(p);
    n.proposals.clear();
    n.reads.clear();
    n.readsWaitingApply = [];
    n.core = undefined;
    n.epoch++;
  }

  private crash(n: SimNode): void {
    const core = n.core;
    if (!core) return;
    this.stats.crashes++;
    if (this.rng.float() < 0.5 && core.hasReady()) {
      // Die in the middle of persisting: a prefix of the batch, last entry torn.
      // The leader's appends of this batch already left (the driver sends
      // them before syncing), so followers may hold entries it loses here,
      // and its committed entries applied (clients may have been answered).
      const rd = core.ready();
      for (const m of rd.messagesBeforeSync) this.send(m);
      if (rd.snapshot === undefined) this.apply(n, rd);
      const keep = this.rng.int(rd.entries.length + 1);
      n.storage.persistTorn(rd, keep);
      this.trace(`n${n.id} crashed mid-write (${keep}/${rd.entries.length} entries, last torn)`);
    } else {
      this.trace(`n${n.id} crashed`);
    }
    n.storage.crash(this.rng.float() < 0.5);
    n.crashed = true;
    this.stopNode(n);
    // Its streams close: the others' transports tell their cores (RaftNode.peerStreamClosed).
    for (const other of this.nodes.values()) other.core?.leaderLost(n.id);
  }

  private restart(id: RaftId): void {
    const n = this.nodes.get(id);
    if (!n || n.core || n.removed) return;
    this.trace(`n${id} restarted`);
    this.start(n);
  }

  private maybeCompact(n: SimNode): void {
    const core = n.core;
    if (!core) return;
    const snapIndex = core.compactedIndex();
    if (core.log.applied - snapIndex < 20 + this.rng.int(40)) return;
    if (n.appliedIndex !== core.log.applied) return;
    const keep = this.rng.int(10);
    const snap = core.compact(n.kv.snapshot(), keep);
    n.storage.saveSnapshot(snap, core.compactedIndex());
    this.trace(`n${n.id} compacted: snapshot @${snap.meta.index}, log from ${core.compactedIndex() + 1}`);
  }

  // ---- faults ---------------------------------------------------------------

  private live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.core !== undefined);
  }

  private members(): RaftId[] {
    return [...this.nodes.values()].filter((n) => !n.removed).map((n) => n.id);
  }

  private currentLeader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.live()) {
      if (n.core?.role === 'leader' && (!best || (best.core && n.core.term > best.core.term))) best = n;
    }
    return best;
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[this.rng.int(xs.length)];
  }

  private injectFault(): void {
    const r = this.rng.int(16);
    const ids = this.members();
    switch (r) {
      case 0:
      case 1: {
        // Random partition: each directed link cut with some probability.
        this.blocked.clear();
        for (const a of ids) for (const b of ids) if (a !== b && this.rng.float() < 0.3) this.blocked.add(`${a}>${b}`);
        this.trace(`partition random: ${[...this.blocked].join(' ')}`);
        return;
      }
      case 2: {
        // Minority/majority split.
        const shuffled = this.shuffle(ids);
        const k = this.rng.int(Math.ceil(ids.length / 2)) + 1;
        this.split(shuffled.slice(0, k), shuffled.slice(k));
        this.trace(`partition split: {${shuffled.slice(0, k).join(',')}} | {${shuffled.slice(k).join(',')}}`);
        return;
      }
      case 3: {
        // Bridge: two halves that only one node can talk to.
        const shuffled = this.shuffle(ids);
        const bridge = shuffled[0];
        const rest = shuffled.slice(1);
        const half = Math.floor(rest.length / 2);
        this.split(rest.slice(0, half), rest.slice(half));
        this.trace(`partition bridge n${bridge}: {${rest.slice(0, half).join(',')}} | {${rest.slice(half).join(',')}}`);
        return;
      }
      case 4: {
        const leader = this.currentLeader();
        if (!leader) return;
        this.split([leader.id], ids.filter((i) => i !== leader.id));
        this.trace(`partition isolate leader n${leader.id}`);
        return;
      }
      case 5:
        this.blocked.clear();
        this.trace('partition healed');
        return;
      case 6:
      case 7: {
        const n = this.pick(this.live());
        if (!n) return;
        this.crash(n);
        this.queue.push(this.now + 20 + this.rng.int(600), { kind: 'restart', id: n.id });
        return;
      }
      case 8:
        this.dropP = this.rng.float() * 0.2;
        this.dupP = this.rng.float() * 0.1;
        this.slowP = this.rng.float() * 0.2;
        this.trace(`network drop=${this.dropP.toFixed(2)} dup=${this.dupP.toFixed(2)} slow=${this.slowP.toFixed(2)}`);
        return;
      case 9:
      case 10:
      case 11:
        this.membershipFault();
        return;
      case 12: {
        const leader = this.currentLeader();
        const core = leader?.core;
        if (!core) return;
        const target = this.pick([...core.membership.voters].filter((v) => v !== core.id));
        if (target === undefined) return;
        const r2 = core.transferLeadership(target);
        this.trace(`n${core.id} transfer leadership to n${target}: ${r2.ok ? 'started' : r2.error.kind}`);
        this.process(leader as SimNode);
        return;
      }
      default:
        return; // quiet period
    }
  }

  private membershipFault(): void {
    const leader = this.currentLeader();
    const core = leader?.core;
    if (!leader || !core) return;
    const voters = [...core.membership.voters];
    const learners = [...core.membership.learners];
    const choice = this.rng.int(4);
    let type: ConfChange_Type;
    let nodeId: RaftId | undefined;
    if (choice === 0 && this.nodes.size < MAX_NODES) {
      type = 'ADD_LEARNER';
      nodeId = this.nextNodeId;
    } else if (choice === 1) {
      type = 'PROMOTE';
      nodeId = this.pick(learners);
    } else if (choice === 2 && voters.length > 3) {
      type = 'DEMOTE';
      nodeId = this.pick(voters);
    } else if (choice === 3 && (voters.length > 3 || learners.length > 0)) {
      type = 'REMOVE';
      nodeId = this.pick(voters.length > 3 ? [...voters, ...learners] : learners);
    } else {
      return;
    }
    if (nodeId === undefined) return;
    const r = core.proposeConfChange({ type, nodeId, context: new Uint8Array(0) });
    this.trace(`n${core.id} propose ${type} n${nodeId}: ${r.ok ? `@${r.value.index}` : r.error.kind}`);
    if (!r.ok) return;
    this.stats.confChanges++;
    if (type === 'ADD_LEARNER') {
      this.nextNodeId++;
      this.addNode(nodeId, undefined);
    }
    this.process(leader);
  }

  private split(a: readonly RaftId[], b: readonly RaftId[]): void {
    this.blocked.clear();
    for (const x of a) for (const y of b) {
      this.blocked.add(`${x}>${y}`);
      this.blocked.add(`${y}>${x}`);
    }
  }

  private shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }

  private heal(): void {
    this.healed = true;
    this.blocked.clear();
    this.dropP = 0;
    this.dupP = 0;
    this.slowP = 0;
    this.trace('heal: network repaired, every crashed node restarts');
    for (const n of this.nodes.values()) if (!n.core && !n.removed) this.restart(n.id);
    this.queue.push(this.now + 50, { kind: 'check-converged' });
  }

  // ---- clients --------------------------------------------------------------

  private clientStep(ci: number): void {
    const c = this.clients[ci];
    if (!c || c.current) return;
    if (this.stats.ops >= this.cfg.maxOps || this.now > this.cfg.faultMs + this.cfg.healMs / 2) return;
    const candidates = this.live();
    let target = this.nodes.get(c.leaderHint);
    if (!target?.core || this.rng.float() < 0.1) target = this.pick(candidates);
    const core = target?.core;
    if (!target || !core) {
      this.queue.push(this.now + 20, { kind: 'client', client: ci });
      return;
    }
    const key = `k${this.rng.int(this.cfg.keys)}`;
    const opId = this.nextOpId++;
    const kind = this.rng.int(3);
    c.opSeq++;
    const pending: PendingOp = { client: ci, opSeq: c.opSeq, op: { kind: 'read', opId, key }, startMs: this.now, node: target.id, index: 0, term: 0 };
    if (kind === 0) {
      const ctx = new Uint8Array(new Float64Array([opId]).buffer);
      const r = core.readIndex(ctx);
      if (!r.ok) {
        this.redirect(c, core.leaderId);
        return;
      }
      target.reads.set(contextKey(ctx), pending);
    } else {
      const value = `v${opId}`;
      const cmd: KvCommand = kind === 1
        ? { kind: 'write', opId, key, value }
        : { kind: 'cas', opId, key, expected: this.rng.float() < 0.3 ? null : `v${this.pickRecentValue()}`, value };
      const r = core.propose(encodeCommand(cmd));
      if (!r.ok) {
        this.redirect(c, r.error.kind === 'not-leader' ? r.error.leaderId : 0);
        return;
      }
      pending.op = cmd;
      pending.index = r.value.index;
      pending.term = r.value.term;
      target.proposals.set(r.value.index, pending);
    }
    this.stats.ops++;
    c.current = pending;
    c.leaderHint = target.id;
    this.queue.push(this.now + CLIENT_TIMEOUT_MS, { kind: 'client-timeout', client: ci, opSeq: c.opSeq });
    this.process(target);
  }

  /**
   * Unchecked background writes keep the log growing through the faults, so
   * compaction and snapshot streaming happen under partitions and crashes too.
   */
  private backgroundWrite(n: SimNode): void {
    if (this.healed || n.core?.role !== 'leader' || this.rng.float() >= 0.3) return;
    n.core.propose(encodeCommand({ kind: 'write', opId: 0, key: 'background', value: `b${this.now}` }));
  }

  private pickRecentValue(): number {
    return Math.max(1, this.nextOpId - 1 - this.rng.int(8));
  }

  private redirect(c: Client, leaderId: RaftId): void {
    c.leaderHint = leaderId;
    this.queue.push(this.now + 5 + this.rng.int(20), { kind: 'client', client: c.id });
  }

  private serveReads(n: SimNode): void {
    const core = n.core;
    if (!core) return;
    // ReadStates arrive in the Ready; a read is served once its index is applied here.
    const still: PendingOp[] = [];
    for (const p of n.readsWaitingApply) {
      if ((p.readIndex ?? 0) <= n.appliedIndex) this.finishRead(p, n.kv.get(p.op.key));
      else still.push(p);
    }
    n.readsWaitingApply = still;
  }

  /** Called with the Ready's read states before advance (see process). */
  private takeReadStates(n: SimNode, rd: Ready): void {
    for (const rs of rd.readStates) {
      const key = contextKey(rs.context);
      const p = n.reads.get(key);
      if (!p) continue;
      n.reads.delete(key);
      p.readIndex = rs.index;
      n.readsWaitingApply.push(p);
    }
  }

  private done(p: PendingOp): Client | undefined {
    const c = this.clients[p.client];
    if (!c || c.current !== p) return undefined;
    c.current = undefined;
    // Think time spreads the bounded number of checked operations over the whole fault phase.
    const thinkMs = Math.max(20, Math.floor((2 * this.cfg.faultMs * this.cfg.clients) / this.cfg.maxOps));
    this.queue.push(this.now + this.rng.int(thinkMs), { kind: 'client', client: c.id });
    return c;
  }

  private finishOk(p: PendingOp, ok: boolean): void {
    if (!this.done(p)) return;
    this.stats.acked++;
    const op = p.op;
    if (op.kind === 'write') this.history.push({ kind: 'write', key: op.key, value: op.value, startMs: p.startMs, endMs: this.now });
    else if (op.kind === 'cas') this.history.push({ kind: 'cas', key: op.key, expected: op.expected, value: op.value, ok, startMs: p.startMs, endMs: this.now });
    if (op.kind !== 'read') this.oracle.acknowledged(p.index, p.term);
    this.trace(`client ${p.client} ${op.kind} ${op.key} acked @${p.index}/${p.term} ok=${ok}`);
  }

  private finishRead(p: PendingOp, value: string | null): void {
    if (!this.done(p)) return;
    this.history.push({ kind: 'read', key: p.op.key, result: value, startMs: p.startMs, endMs: this.now });
    this.trace(`client ${p.client} read ${p.op.key} = ${value} (index ${p.readIndex})`);
  }

  /** The proposal was definitely not committed (its slot holds another entry). */
  private finishFailed(p: PendingOp): void {
    if (this.done(p)) this.trace(`client ${p.client} ${p.op.kind} failed (slot ${p.index} taken by another term)`);
  }

  private finishDropped(p: PendingOp): void {
    this.done(p);
  }

  /** The client gave up without knowing: a write may or may not have happened. */
  private finishUnknown(p: PendingOp): void {
    if (!this.done(p)) return;
    const op = p.op;
    if (op.kind === 'write') this.history.push({ kind: 'write', key: op.key, value: op.value, startMs: p.startMs, endMs: Infinity });
    else if (op.kind === 'cas') this.history.push({ kind: 'cas', key: op.key, expected: op.expected, value: op.value, ok: undefined, startMs: p.startMs, endMs: Infinity });
    const node = this.nodes.get(p.node);
    if (node) {
      node.proposals.delete(p.index);
      for (const [k, v] of node.reads) if (v === p) node.reads.delete(k);
      node.readsWaitingApply = node.readsWaitingApply.filter((x) => x !== p);
    }
  }

  // ---- checks ---------------------------------------------------------------

  private checkLogs(): void {
    const cores = this.live().map((n) => n.core).filter((c): c is RaftCore => c !== undefined);
    const problem = checkLogMatching(cores);
    if (problem) this.violation(problem);
  }

  private checkConverged(): void {
    const leader = this.currentLeader();
    const core = leader?.core;
    if (!leader || !core) return;
    if (core.log.term(core.log.committed) !== core.term) return;
    const members = core.membership.members();
    for (const id of members) {
      const n = this.nodes.get(id);
      if (!n?.core) return;
      if (n.core.log.committed !== core.log.committed || n.appliedIndex !== core.log.committed) return;
    }
    for (const id of core.membership.removed) {
      const n = this.nodes.get(id);
      // A removed member must learn it, unless it never heard from the
      // cluster at all (it knows no one to ask; joining handles that case).
      if (n && !n.removed && (n.core?.membership.voters.size ?? 0) > 0) return;
    }
    if (this.clients.some((c) => c.current !== undefined)) return;
    this.converged = true;
    this.trace(`converged: leader n${core.id} term ${core.term} commit ${core.log.committed}`);
  }

  private finalChecks(): void {
    this.checkLogs();
    const leader = this.currentLeader();
    const core = leader?.core;
    if (!leader || !core) return;
    const digest = leader.kv.digest();
    for (const id of core.membership.members()) {
      const n = this.nodes.get(id);
      if (n && n.kv.digest() !== digest) this.violation(`n${id} state differs from leader n${leader.id} after convergence`);
    }
    const lost = this.oracle.lostAcknowledged(core);
    if (lost) this.violation(lost);
    const lin = checkLinearizable(this.history);
    this.stats.inconclusive = lin.inconclusive;
    if (!lin.ok) this.violation(`history not linearizable on key ${lin.badKey}`);
  }

  private describe(n: SimNode): string {
    const c = n.core;
    if (!c) return `n${n.id} down removed=${n.removed}`;
    const prs = c.role === 'leader'
      ? c.membership.members().map((id) => {
        const pr = c.progressOf(id);
        return pr ? `n${id}:${pr.state}/m${pr.match}/n${pr.next}${pr.isPaused() ? '/paused' : ''}` : `n${id}:-`;
      }).join(' ')
      : '';
    return `n${n.id} ${c.role} term=${c.term} lead=${c.leaderId} commit=${c.log.committed} applied=${n.appliedIndex} last=${c.log.lastIndex()} first=${c.log.firstIndex()} conf=${JSON.stringify(c.membership.toConfState())} ${prs}`;
  }

  private violation(what: string): void {
    this.violations.push(`t=${this.now}ms: ${what}`);
    this.trace(`VIOLATION ${what}`);
  }

  private trace(line: string): void {
    if (this.cfg.trace) this.traceLines.push(`${String(this.now).padStart(6)} ${line}`);
  }
}

