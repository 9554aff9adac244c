// The leader's view of one follower (etcd-style): how much of the log it
// has, and how fast we may push more. Probe sends one batch at a time until
// the follower's position is known; replicate pipelines up to a bounded
// number of batches; snapshot pauses appends while a snapshot streams.
import type { LogIndex } from './types.js';
import type { Snapshot } from './types.js';

/** How the leader is currently sending to a follower. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Replication state of one follower, kept by the leader. */
export class Progress {
  match: LogIndex = 0;
  next: LogIndex;
  state: ProgressState = 'probe';
  /** In probe state: a batch is outstanding; wait for its answer or a heartbeat. */
  probeSent = false;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  isLearner: boolean;
  /** Last index of each batch in flight, oldest first (replicate state). */
  private inflights: LogIndex[] = [];
  /** The snapshot being streamed and how many of its bytes the follower has acknowledged. */
  snapshot: Snapshot | undefined;
  snapshotOffsetBytes = 0;

  constructor(next: LogIndex, isLearner: boolean, private readonly maxInflightBatches: number) {
    this.next = next;
    this.isLearner = isLearner;
  }

  becomeProbe(): void {
    // After a snapshot, resume right after it; otherwise just after what matched.
    const snapIndex = this.state === 'snapshot' && this.snapshot ? this.snapshot.meta.index : 0;
    this.state = 'probe';
    this.probeSent = false;
    this.inflights = [];
    this.next = Math.max(this.match + 1, snapIndex + 1);
    this.snapshot = undefined;
    this.snapshotOffsetBytes = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.inflights = [];
    this.next = this.match + 1;
    this.snapshot = undefined;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.state = 'snapshot';
    this.probeSent = false;
    this.inflights = [];
    this.snapshot = snapshot;
    this.snapshotOffsetBytes = 0;
  }

  /** An acknowledgement up to `index`; false if it tells us nothing new. */
  maybeUpdate(index: LogIndex): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /** Record a batch ending at `last` sent in replicate state (pipelining). */
  sentBatch(last: LogIndex): void {
    this.next = last + 1;
    this.inflights.push(last);
  }

  /** Acks free every batch they cover. */
  freeInflightsUpTo(index: LogIndex): void {
    let n = 0;
    while (n < this.inflights.length && (this.inflights[n] ?? Infinity) <= index) n++;
    if (n > 0) this.inflights.splice(0, n);
  }

  /** A heartbeat answer while full means a batch was probably lost: let one more go. */
  freeFirstInflight(): void {
    this.inflights.shift();
  }

  inflightsFull(): boolean {
    return this.inflights.length >= this.maxInflightBatches;
  }

  /**
   * A rejection of the append whose previous index was `rejected`. Returns
   * false when stale (an answer to something we no longer care about).
   * `hint` is the follower's best guess at where our logs may agree.
   */
  maybeDecrTo(rejected: LogIndex, hint: LogIndex): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflightsFull();
      case 'snapshot':
        return true;
    }
  }
}
