// Safety properties checked on every step of a simulation (Raft paper
// Figure 3): election safety, log matching, leader completeness and state
// machine safety; plus "no acknowledged write is ever lost".
import type { RaftEntry } from '../../src/gen/index.js';
import type { RaftCore, RaftId, Ready } from '../../src/raft/core/index.js';

function digest(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of data) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** What the whole cluster has agreed on so far, as seen by an omniscient observer. */
export class Oracle {
  private readonly committed = new Map<number, number>();
  /** The lowest term of a node seen holding each index committed: the term it was committed in. */
  private readonly committedInTerm = new Map<number, number>();
  private readonly appliedAt = new Map<number, { term: number; digest: number; by: RaftId }>();
  private readonly leaders = new Map<number, RaftId>();
  private readonly checkedCommit = new Map<RaftId, number>();
  private readonly acked: Array<{ index: number; term: number }> = [];

  restarted(id: RaftId): void {
    this.checkedCommit.set(id, 0);
  }

  /** Election safety (§5.2) and leader completeness (§5.4). */
  leaderElected(id: RaftId, core: RaftCore): string | undefined {
    const prev = this.leaders.get(core.term);
    if (prev !== undefined && prev !== id) return `election safety: n${prev} and n${id} both leaders of term ${core.term}`;
    this.leaders.set(core.term, id);
    const compacted = core.compactedIndex();
    for (const [index, term] of this.committed) {
      if (index <= compacted) continue;
      // §5.4: an entry committed in term c is in the log of every leader of
      // a term after c. A leader of an older term can still win late (a
      // delayed vote) while a newer leader commits; it need not have those.
      if ((this.committedInTerm.get(index) ?? 0) >= core.term) continue;
      const mine = core.log.term(index);
      if (mine !== term) return `leader completeness: n${id} (term ${core.term}) lacks committed entry ${index}/${term} (has ${mine ?? 'nothing'})`;
    }
    return undefined;
  }

  /** State machine safety: the same entry is applied at an index everywhere. */
  applied(id: RaftId, e: RaftEntry): string | undefined {
    const d = digest(e.data);
    const prev = this.appliedAt.get(e.index);
    if (!prev) {
      this.appliedAt.set(e.index, { term: e.term, digest: d, by: id });
      return undefined;
    }
    if (prev.term !== e.term || prev.digest !== d) return `state machine safety: n${id} applied ${e.index}/${e.term} but n${prev.by} applied ${e.index}/${prev.term}`;
    return undefined;
  }

  acknowledged(index: number, term: number): void {
    this.acked.push({ index, term });
  }

  /** Every acknowledged write must be in the final leader's log (or its snapshot). */
  lostAcknowledged(leader: RaftCore): string | undefined {
    for (const { index, term } of this.acked) {
      if (index > leader.log.committed) return `acknowledged write ${index}/${term} beyond final commit ${leader.log.committed}`;
      if (index <= leader.compactedIndex()) {
        if (this.appliedAt.get(index)?.term !== term) return `acknowledged write ${index}/${term} lost (compacted)`;
      } else if (leader.log.term(index) !== term) {
        return `acknowledged write ${index}/${term} lost: final leader has term ${leader.log.term(index) ?? 'none'}`;
      }
    }
    return undefined;
  }

  /** Committed prefixes agree across nodes and time. */
  committedAdvanced(id: RaftId, core: RaftCore): string | undefined {
    const from = this.checkedCommit.get(id) ?? 0;
    const to = core.log.committed;
    for (let i = Math.max(from + 1, core.compactedIndex() + 1); i <= to; i++) {
      const t = core.log.term(i);
      if (t === undefined) return `n${id} committed ${to} but has no entry ${i}`;
      const known = this.committed.get(i);
      if (known === undefined) this.committed.set(i, t);
      else if (known !== t) return `committed entry ${i} has term ${t} on n${id} but ${known} elsewhere`;
      this.committedInTerm.set(i, Math.min(this.committedInTerm.get(i) ?? Infinity, core.term));
    }
    this.checkedCommit.set(id, Math.max(from, to));
    return undefined;
  }
}

/** Checks after one Ready was handled by node `id`. */
export function checkInvariantsAfterReady(oracle: Oracle, id: RaftId, core: RaftCore, rd: Ready): string | undefined {
  if (rd.hardState && rd.hardState.commit > core.log.lastIndex()) return `n${id} persisted commit ${rd.hardState.commit} beyond its log ${core.log.lastIndex()}`;
  return oracle.committedAdvanced(id, core);
}

/**
 * A leader counts its own log toward commit only for what its disk holds:
 * checked between ready() and the sync, when its newest entries are already
 * on their way to followers but not yet on its own disk.
 */
export function checkLeaderCountsOnlySynced(id: RaftId, core: RaftCore, lastSyncedIndex: number): string | undefined {
  if (core.role !== 'leader') return undefined;
  const self = core.progressOf(id);
  if (self && self.match > lastSyncedIndex) return `leader n${id} counts its own entry ${self.match} toward commit but its disk holds only up to ${lastSyncedIndex}`;
  return undefined;
}

/** Log matching (§5.3): if two logs share an entry's index and term, they agree on everything before it. */
export function checkLogMatching(cores: readonly RaftCore[]): string | undefined {
  for (let a = 0; a < cores.length; a++) {
    for (let b = a + 1; b < cores.length; b++) {
      const x = cores[a];
      const y = cores[b];
      if (!x || !y) continue;
      const lo = Math.max(x.log.firstIndex(), y.log.firstIndex());
      let i = Math.min(x.log.lastIndex(), y.log.lastIndex());
      while (i >= lo && x.log.term(i) !== y.log.term(i)) i--;
      for (let j = i - 1; j >= lo; j--) {
        if (x.log.term(j) !== y.log.term(j)) return `log matching: n${x.id} and n${y.id} agree at ${i} but differ at ${j}`;
      }
    }
  }
  return undefined;
}
