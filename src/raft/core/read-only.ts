// ReadIndex (Raft thesis §6.4): a read is linearizable at the commit index
// the leader had when the read arrived, once a quorum confirms it is still
// leader (a heartbeat round carrying the read's context). A later round's
// quorum also confirms every earlier pending read.
import type { LogIndex, RaftId } from './types.js';

interface PendingRead {
  key: string;
  context: Uint8Array;
  index: LogIndex;
  from: RaftId;
  acks: Set<RaftId>;
}

/** A confirmed read: answer `from` with `index`. */
export interface ConfirmedRead {
  index: LogIndex;
  context: Uint8Array;
  from: RaftId;
}

/** Bound on outstanding reads; more are refused rather than queued without limit. */
export const MAX_PENDING_READS = 4096;

/** The leader's queue of reads waiting for a heartbeat quorum. */
export class ReadOnlyQueue {
  private pending: PendingRead[] = [];

  size(): number {
    return this.pending.length;
  }

  add(index: LogIndex, context: Uint8Array, from: RaftId, self: RaftId): boolean {
    if (this.pending.length >= MAX_PENDING_READS) return false;
    this.pending.push({ key: contextKey(context), context, index, from, acks: new Set([self]) });
    return true;
  }

  /** Record `from`'s ack of `context`; returns reads now confirmed, oldest first. */
  ack(from: RaftId, context: Uint8Array, hasQuorum: (acks: Set<RaftId>) => boolean): ConfirmedRead[] {
    const key = contextKey(context);
    const at = this.pending.findIndex((p) => p.key === key);
    if (at < 0) return [];
    const read = this.pending[at];
    if (!read) return [];
    read.acks.add(from);
    if (!hasQuorum(read.acks)) return [];
    const done = this.pending.splice(0, at + 1);
    return done.map((p) => ({ index: p.index, context: p.context, from: p.from }));
  }

  lastContext(): Uint8Array | undefined {
    return this.pending[this.pending.length - 1]?.context;
  }

  clear(): void {
    this.pending = [];
  }
}

/** A map key for a context's bytes. */
export function contextKey(context: Uint8Array): string {
  let key = '';
  for (const b of context) key += (b < 16 ? '0' : '') + b.toString(16);
  return key;
}
