// Follower side of chunked snapshot streaming. Chunks arrive in order at
// increasing byte offsets; anything out of order is answered with the offset
// we expect, so the leader resumes there instead of starting over.
import type { RaftMessage, SnapshotMetadata } from '../../gen/index.js';
import type { RaftId, Snapshot } from './types.js';

/** What to answer a chunk with. */
export type ChunkOutcome =
  | { kind: 'ack'; offsetBytes: number }
  | { kind: 'reject'; offsetBytes: number }
  | { kind: 'complete'; snapshot: Snapshot };

/** Hard bound on a snapshot we are willing to buffer (1 GiB). */
export const MAX_SNAPSHOT_BYTES = 1 << 30;

/** Reassembles one snapshot at a time. */
export class SnapshotReceiver {
  private meta: SnapshotMetadata | undefined;
  private from: RaftId = 0;
  private term = 0;
  private chunks: Uint8Array[] = [];
  private receivedBytes = 0;

  accept(m: RaftMessage, meta: SnapshotMetadata): ChunkOutcome {
    const same = this.meta !== undefined && this.meta.index === meta.index && this.meta.term === meta.term && this.from === m.from && this.term === m.term;
    if (!same) {
      // A new stream (new snapshot, new leader or new term) must start at 0.
      if (m.chunkOffset !== 0) return { kind: 'reject', offsetBytes: 0 };
      this.meta = meta;
      this.from = m.from;
      this.term = m.term;
      this.chunks = [];
      this.receivedBytes = 0;
    }
    if (m.chunkOffset !== this.receivedBytes) return { kind: 'reject', offsetBytes: this.receivedBytes };
    if (this.receivedBytes + m.chunk.length > MAX_SNAPSHOT_BYTES) {
      this.reset();
      return { kind: 'reject', offsetBytes: 0 };
    }
    this.chunks.push(m.chunk);
    this.receivedBytes += m.chunk.length;
    if (!m.chunkLast) return { kind: 'ack', offsetBytes: this.receivedBytes };
    const data = new Uint8Array(this.receivedBytes);
    let at = 0;
    for (const c of this.chunks) {
      data.set(c, at);
      at += c.length;
    }
    const snapshot: Snapshot = { meta, data };
    this.reset();
    return { kind: 'complete', snapshot };
  }

  reset(): void {
    this.meta = undefined;
    this.from = 0;
    this.term = 0;
    this.chunks = [];
    this.receivedBytes = 0;
  }
}
