// The in-memory view of the log: entries after the last compaction point,
// which of them are known to be on disk, and what is committed and applied.
// The driver owns the disk; this only tracks what it has been told.
import type { RaftEntry } from '../../gen/index.js';
import { assert } from '../../common/assert.js';
import type { LogIndex, Term } from './types.js';

/** Bytes an entry costs in a batch (data plus a fixed header estimate). */
export function entryBytes(e: RaftEntry): number {
  return e.data.length + 24;
}

/** The log of one node. */
export class RaftLog {
  /** entries[i].index === offsetIndex + 1 + i */
  private entries: RaftEntry[];
  /** Index and term of the entry just before entries[0] (the compaction point). */
  private offsetIndex: LogIndex;
  private offsetTerm: Term;
  committed: LogIndex;
  /** Highest index the application has applied (acknowledged by advance()). */
  applied: LogIndex;
  /** Highest index handed out for applying but not yet acknowledged. */
  applying: LogIndex;
  /** First index not yet known to be on stable storage. */
  unstableFrom: LogIndex;

  constructor(offsetIndex: LogIndex, offsetTerm: Term, entries: RaftEntry[], committed: LogIndex) {
    this.offsetIndex = offsetIndex;
    this.offsetTerm = offsetTerm;
    this.entries = entries;
    for (let i = 0; i < entries.length; i++) assert(entries[i]?.index === offsetIndex + 1 + i, 'log entries must be contiguous');
    assert(committed >= offsetIndex && committed <= this.lastIndex(), `commit ${committed} outside log [${offsetIndex}, ${this.lastIndex()}]`);
    this.committed = committed;
    this.applied = offsetIndex;
    this.applying = offsetIndex;
    this.unstableFrom = this.lastIndex() + 1;
  }

  firstIndex(): LogIndex {
    return this.offsetIndex + 1;
  }

  lastIndex(): LogIndex {
    return this.offsetIndex + this.entries.length;
  }

  lastTerm(): Term {
    const last = this.entries[this.entries.length - 1];
    return last ? last.term : this.offsetTerm;
  }

  /** Term of the entry at `index`, or undefined when compacted away or not yet written. */
  term(index: LogIndex): Term | undefined {
    if (index === this.offsetIndex) return this.offsetTerm;
    return this.entries[index - this.offsetIndex - 1]?.term;
  }

  entry(index: LogIndex): RaftEntry | undefined {
    return this.entries[index - this.offsetIndex - 1];
  }

  matchTerm(index: LogIndex, term: Term): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: LogIndex, lastTerm: Term): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi), cut at `maxBytes` / `maxCount` but always at least one. */
  slice(lo: LogIndex, hi: LogIndex, maxBytes: number, maxCount: number): RaftEntry[] {
    assert(lo > this.offsetIndex, `slice from compacted index ${lo}`);
    const out: RaftEntry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi && i <= this.lastIndex(); i++) {
      const e = this.entry(i);
      assert(e, `missing entry ${i}`);
      bytes += entryBytes(e);
      if (out.length > 0 && (bytes > maxBytes || out.length >= maxCount)) break;
      out.push(e);
    }
    return out;
  }

  /** Appends, replacing any conflicting suffix. Never touches committed entries. */
  append(ents: readonly RaftEntry[]): void {
    const first = ents[0];
    if (!first) return;
    assert(first.index > this.committed, `append at ${first.index} would overwrite committed ${this.committed}`);
    assert(first.index <= this.lastIndex() + 1, `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    this.entries.length = first.index - this.offsetIndex - 1;
    for (const e of ents) this.entries.push(e);
    this.unstableFrom = Math.min(this.unstableFrom, first.index);
  }

  /**
   * Follower side of AppendEntries (§5.3): if our entry at prevIndex has
   * prevTerm, keep what agrees, replace from the first conflict, and return
   * the last index now known to match the leader; otherwise undefined.
   */
  maybeAppend(prevIndex: LogIndex, prevTerm: Term, ents: readonly RaftEntry[]): LogIndex | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    let conflictAt = -1;
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i];
      assert(e, 'dense array');
      if (e.index <= this.offsetIndex) continue; // already compacted, hence committed and matching
      if (!this.matchTerm(e.index, e.term)) {
        conflictAt = i;
        break;
      }
    }
    if (conflictAt >= 0) this.append(ents.slice(conflictAt));
    return lastNew;
  }

  /**
   * Fast back-tracking: the largest index <= `index` whose term is <= `term`,
   * with its term. Lets a rejected probe skip a whole divergent term at once.
   */
  findConflictByTerm(index: LogIndex, term: Term): { index: LogIndex; term: Term } {
    let i = Math.min(index, this.lastIndex());
    for (; i > this.offsetIndex; i--) {
      const t = this.term(i);
      if (t !== undefined && t <= term) return { index: i, term: t };
    }
    return { index: i, term: this.term(i) ?? 0 };
  }

  commitTo(index: LogIndex): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** §5.4.2: a leader only counts replicas for entries of its own term. */
  maybeCommit(index: LogIndex, term: Term): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.committed = index;
      return true;
    }
    return false;
  }

  stableTo(index: LogIndex, term: Term): void {
    // A later step may have replaced the entry we wrote; then it stays unstable.
    if (this.term(index) === term && index >= this.unstableFrom) this.unstableFrom = index + 1;
  }

  unstableEntries(): RaftEntry[] {
    if (this.unstableFrom > this.lastIndex()) return [];
    return this.entries.slice(this.unstableFrom - this.offsetIndex - 1);
  }

  lastStableIndex(): LogIndex {
    return this.unstableFrom - 1;
  }

  /** Committed entries not yet handed out, up to `maxBytes` (at least one). */
  nextToApply(maxBytes: number): RaftEntry[] {
    const lo = Math.max(this.applying, this.applied) + 1;
    if (lo > this.committed) return [];
    return this.slice(lo, this.committed + 1, maxBytes, Number.MAX_SAFE_INTEGER);
  }

  hasUnapplied(predicate: (e: RaftEntry) => boolean): boolean {
    for (let i = Math.max(this.applied + 1, this.firstIndex()); i <= this.committed; i++) {
      const e = this.entry(i);
      if (e && predicate(e)) return true;
    }
    return false;
  }

  /** Replace everything with a snapshot's position (follower install). */
  restore(index: LogIndex, term: Term): void {
    this.entries = [];
    this.offsetIndex = index;
    this.offsetTerm = term;
    this.committed = index;
    this.applied = Math.max(this.applied, index);
    this.applying = Math.max(this.applying, index);
    this.unstableFrom = index + 1;
  }

  /** Drop entries up to and including `index` (they are in a snapshot). */
  compact(index: LogIndex): void {
    if (index <= this.offsetIndex) return;
    assert(index <= this.applied, `compact ${index} beyond applied ${this.applied}`);
    const term = this.term(index);
    assert(term !== undefined, `compact at unknown index ${index}`);
    this.entries = this.entries.slice(index - this.offsetIndex);
    this.offsetIndex = index;
    this.offsetTerm = term;
  }
}
