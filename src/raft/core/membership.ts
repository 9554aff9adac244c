// Who votes, who only listens, who is gone. Changes are single-server
// (§6 / Ongaro's thesis §4): each change moves one node, so any two
// consecutive majorities overlap, and the leader allows only one change in
// flight. A change takes effect when its entry is applied (as in etcd);
// that is safe because of that one-at-a-time rule plus a new leader
// committing an entry of its own term before accepting a change.
import type { ConfChange, ConfState } from '../../gen/index.js';
import type { Result } from '../../common/result.js';
import { err, ok } from '../../common/result.js';
import type { LogIndex, RaftId } from './types.js';

/** Why a configuration change was refused. */
export type ConfChangeError =
  | { kind: 'already-member'; nodeId: RaftId }
  | { kind: 'not-a-learner'; nodeId: RaftId }
  | { kind: 'not-a-voter'; nodeId: RaftId }
  | { kind: 'not-a-member'; nodeId: RaftId }
  | { kind: 'id-was-removed'; nodeId: RaftId }
  | { kind: 'last-voter'; nodeId: RaftId }
  | { kind: 'invalid-id'; nodeId: RaftId };

/** The current configuration. */
export class Membership {
  readonly voters = new Set<RaftId>();
  readonly learners = new Set<RaftId>();
  readonly removed = new Set<RaftId>();

  static fromConfState(cs: ConfState | undefined): Membership {
    const m = new Membership();
    for (const v of cs?.voters ?? []) m.voters.add(v);
    for (const l of cs?.learners ?? []) m.learners.add(l);
    for (const r of cs?.removed ?? []) m.removed.add(r);
    return m;
  }

  toConfState(): ConfState {
    const sorted = (s: Set<RaftId>): RaftId[] => [...s].sort((a, b) => a - b);
    return { voters: sorted(this.voters), learners: sorted(this.learners), removed: sorted(this.removed) };
  }

  isVoter(id: RaftId): boolean {
    return this.voters.has(id);
  }

  isMember(id: RaftId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  /** Everyone the leader replicates to, in a stable order. */
  members(): RaftId[] {
    return [...this.voters, ...this.learners].sort((a, b) => a - b);
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** The largest index a majority of voters has (§5.3 commit rule, before the term check). */
  committedIndex(matchOf: (id: RaftId) => LogIndex): LogIndex {
    if (this.voters.size === 0) return 0;
    const matches = [...this.voters].map(matchOf).sort((a, b) => b - a);
    return matches[this.quorum() - 1] ?? 0;
  }

  /** Tally of an election among voters. */
  voteResult(votes: ReadonlyMap<RaftId, boolean>): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const v of this.voters) {
      const vote = votes.get(v);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (rejected > this.voters.size - q) return 'lost';
    return 'pending';
  }

  /** Whether a leader may propose `cc` now. */
  validate(cc: ConfChange): Result<void, ConfChangeError> {
    const id = cc.nodeId;
    if (!Number.isSafeInteger(id) || id <= 0) return err({ kind: 'invalid-id', nodeId: id });
    switch (cc.type) {
      case 'ADD_LEARNER':
        if (this.removed.has(id)) return err({ kind: 'id-was-removed', nodeId: id });
        if (this.isMember(id)) return err({ kind: 'already-member', nodeId: id });
        return ok(undefined);
      case 'PROMOTE':
        if (!this.learners.has(id)) return err({ kind: 'not-a-learner', nodeId: id });
        return ok(undefined);
      case 'DEMOTE':
        if (!this.voters.has(id)) return err({ kind: 'not-a-voter', nodeId: id });
        if (this.voters.size === 1) return err({ kind: 'last-voter', nodeId: id });
        return ok(undefined);
      case 'REMOVE':
        if (!this.isMember(id)) return err({ kind: 'not-a-member', nodeId: id });
        if (this.voters.has(id) && this.voters.size === 1) return err({ kind: 'last-voter', nodeId: id });
        return ok(undefined);
    }
  }

  /**
   * Apply a committed change. Idempotent, and PROMOTE of an unknown node
   * adds it as a voter: that is how bootstrap entries build the first
   * configuration.
   */
  apply(cc: ConfChange): void {
    const id = cc.nodeId;
    switch (cc.type) {
      case 'ADD_LEARNER':
        if (!this.voters.has(id) && !this.removed.has(id)) this.learners.add(id);
        return;
      case 'PROMOTE':
        if (this.removed.has(id)) return;
        this.learners.delete(id);
        this.voters.add(id);
        return;
      case 'DEMOTE':
        if (this.voters.delete(id)) this.learners.add(id);
        return;
      case 'REMOVE':
        this.voters.delete(id);
        this.learners.delete(id);
        this.removed.add(id);
        return;
    }
  }
}
