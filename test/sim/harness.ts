// A synchronous in-process network for scenario tests (as in etcd-io/raft's
// tests): deliver everything until quiet, with links that can be cut.
// Storage is the simulated disk; messages are delivered in send order.
import type { RaftMessage, RaftMessage_Type } from '../../src/gen/index.js';
import type { InitialState, RaftId, RaftOptions } from '../../src/raft/core/index.js';
import { DEFAULT_OPTIONS, RaftCore, bootstrapState, seededRandom } from '../../src/raft/core/index.js';
import { SimStorage } from './storage.js';

/** Options used by scenario tests: small timeouts, PreVote and CheckQuorum on. */
export const TEST_OPTIONS: Omit<RaftOptions, 'id'> = { ...DEFAULT_OPTIONS, electionTicks: 10, heartbeatTicks: 1 };

/** A test cluster driven by hand. */
export class Harness {
  readonly cores = new Map<RaftId, RaftCore>();
  readonly storages = new Map<RaftId, SimStorage>();
  readonly applied = new Map<RaftId, number[]>();
  /** ReadStates each node received, as decoded context strings with their index. */
  readonly reads = new Map<RaftId, Array<{ context: string; index: number }>>();
  private readonly cut = new Set<string>();
  /** Every message delivered, for assertions. */
  readonly delivered: RaftMessage[] = [];
  /** Drop filter for one-off surgery. */
  dropIf: ((m: RaftMessage) => boolean) | undefined;
  /** Rewrite filter for one-off surgery (e.g. strip entries). */
  rewrite: ((m: RaftMessage) => RaftMessage) | undefined;

  constructor(private readonly opts: Omit<RaftOptions, 'id'> = TEST_OPTIONS, private readonly seed = 1) {}

  /** A fresh cluster of `n` voters with ids 1..n. */
  static cluster(n: number, opts: Omit<RaftOptions, 'id'> = TEST_OPTIONS, seed = 1): Harness {
    const h = new Harness(opts, seed);
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    for (const id of ids) h.add(id, bootstrapState(ids));
    h.settle();
    return h;
  }

  add(id: RaftId, initial: InitialState | undefined): RaftCore {
    const storage = new SimStorage(initial);
    this.storages.set(id, storage);
    const core = new RaftCore({ ...this.opts, id }, seededRandom(this.seed * 1000 + id), storage.load());
    this.cores.set(id, core);
    this.applied.set(id, []);
    return core;
  }

  /** Crash and restart from disk. */
  restart(id: RaftId): RaftCore {
    const storage = this.storages.get(id);
    if (!storage) throw new Error(`no node ${id}`);
    const core = new RaftCore({ ...this.opts, id }, seededRandom(this.seed * 1000 + id + 7), storage.load());
    this.cores.set(id, core);
    return core;
  }

  core(id: RaftId): RaftCore {
    const c = this.cores.get(id);
    if (!c) throw new Error(`no node ${id}`);
    return c;
  }

  isolate(id: RaftId): void {
    for (const other of this.cores.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  cutLink(a: RaftId, b: RaftId): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Run Readys and deliver messages until nothing moves. */
  settle(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      const inflight: RaftMessage[] = [];
      for (const [id, core] of this.cores) {
        while (core.hasReady()) {
          const rd = core.ready();
          inflight.push(...rd.messagesBeforeSync);
          this.storages.get(id)?.persist(rd);
          inflight.push(...rd.messages);
          for (const e of rd.committedEntries) this.applied.get(id)?.push(e.index);
          for (const r of rd.readStates) {
            const list = this.reads.get(id) ?? [];
            list.push({ context: new TextDecoder().decode(r.context), index: r.index });
            this.reads.set(id, list);
          }
          core.advance(rd);
        }
      }
      if (inflight.length === 0) return;
      for (const sent of inflight) {
        const m = this.rewrite ? this.rewrite(sent) : sent;
        if (this.cut.has(`${m.from}>${m.to}`)) continue;
        if (this.dropIf?.(m)) continue;
        const to = this.cores.get(m.to);
        if (!to) continue;
        this.delivered.push(m);
        to.step(m);
      }
    }
    throw new Error('harness did not settle');
  }

  /** Tick every node (or those given) `n` times, settling after each tick. */
  tick(n: number, ids: RaftId[] = [...this.cores.keys()]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.core(id).tick();
      this.settle();
    }
  }

  /** Tick until some node leads, or fail. */
  elect(maxTicks = 200): RaftCore {
    for (let i = 0; i < maxTicks; i++) {
      const leader = this.leader();
      if (leader) return leader;
      this.tick(1);
    }
    throw new Error('no leader elected');
  }

  leader(): RaftCore | undefined {
    let best: RaftCore | undefined;
    for (const c of this.cores.values()) if (c.role === 'leader' && (!best || c.term > best.term)) best = c;
    return best;
  }

  count(type: RaftMessage_Type, filter: (m: RaftMessage) => boolean = () => true): number {
    return this.delivered.filter((m) => m.type === type && filter(m)).length;
  }
}
