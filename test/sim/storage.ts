// Simulated stable storage with the failure model of a real disk: a write
// is durable only once synced; a crash in the middle of persisting loses
// the unsynced part and leaves the last written entry torn (its checksum
// fails), which recovery must detect and drop. Nothing from a torn batch
// was acknowledged; a leader may have sent its entries to followers already,
// which is safe because it never counted them toward commit itself.
import type { HardState, RaftEntry } from '../../src/gen/index.js';
import type { InitialState, Ready, Snapshot } from '../../src/raft/core/index.js';

interface StoredEntry {
  entry: RaftEntry;
  torn: boolean;
}

/** One node's disk. Survives crashes; the core does not. */
export class SimStorage {
  hardState: HardState = { term: 0, vote: 0, commit: 0 };
  /** The hard state as of the last synced write (LevelStorage syncs commit-only moves lazily). */
  private durableHardState: HardState = { term: 0, vote: 0, commit: 0 };
  snapshot: Snapshot | undefined;
  private entries = new Map<number, StoredEntry>();
  private lastIndex = 0;

  constructor(initial?: InitialState) {
    if (initial) {
      this.hardState = { ...initial.hardState };
      this.durableHardState = { ...initial.hardState };
      this.snapshot = initial.snapshot;
      this.writeEntries(initial.entries, initial.entries.length, false);
    }
  }

  /** Persist a Ready fully (write + sync), as the driver does before acknowledging anything. */
  persist(rd: Ready): void {
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    this.writeEntries(rd.entries, rd.entries.length, false);
    const prev = this.hardState;
    if (rd.hardState) this.hardState = { ...rd.hardState };
    // Same rule as LevelStorage.save: sync unless only the commit index moved.
    const synced = rd.entries.length > 0 || rd.snapshot !== undefined || this.hardState.term !== prev.term || this.hardState.vote !== prev.vote;
    if (synced) this.durableHardState = { ...this.hardState };
  }

  /** The last entry index on disk (writes here are synced as they happen). */
  lastSyncedIndex(): number {
    return this.lastIndex;
  }

  /** A crash: a commit-only hard state write that was never synced may be lost. */
  crash(loseUnsynced: boolean): void {
    if (loseUnsynced) this.hardState = { ...this.durableHardState };
  }

  /** A crash while persisting: only the first `keep` entries reach the disk, the last of them torn; hard state not written. */
  persistTorn(rd: Ready, keep: number): void {
    this.writeEntries(rd.entries, Math.min(keep, rd.entries.length), true);
  }

  saveSnapshot(s: Snapshot, compactTo: number): void {
    this.snapshot = s;
    for (const i of [...this.entries.keys()]) if (i <= compactTo) this.entries.delete(i);
  }

  /** What a restarted node reads back: torn tail and anything after it discarded. */
  load(): InitialState {
    const snapIndex = this.snapshot?.meta.index ?? 0;
    const entries: RaftEntry[] = [];
    for (let i = snapIndex + 1; ; i++) {
      const s = this.entries.get(i);
      if (!s || s.torn) break;
      entries.push(s.entry);
    }
    // Recovery truncates the torn tail for good.
    const last = snapIndex + entries.length;
    for (const i of [...this.entries.keys()]) if (i > last) this.entries.delete(i);
    this.lastIndex = last;
    return { hardState: { ...this.hardState }, snapshot: this.snapshot, entries };
  }

  private installSnapshot(s: Snapshot): void {
    this.snapshot = s;
    this.entries.clear();
    this.lastIndex = s.meta.index;
  }

  private writeEntries(ents: readonly RaftEntry[], count: number, tornLast: boolean): void {
    const first = ents[0];
    if (!first || count === 0) return;
    for (let i = first.index; i <= this.lastIndex; i++) this.entries.delete(i);
    for (let k = 0; k < count; k++) {
      const e = ents[k];
      if (!e) break;
      this.entries.set(e.index, { entry: e, torn: tornLast && k === count - 1 });
    }
    this.lastIndex = first.index + count - 1;
  }
}
