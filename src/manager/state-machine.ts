import { codec, type RaftEntry } from '../gen/index.js';
import type { StateMachine } from '../raft/index.js';
import { decodeBatch, type ApplyResult, type MemoryStore } from './store/index.js';

/**
 * The store as the Raft log's state machine. A snapshot carries the applied
 * index in its first 8 bytes, since restore() is handed bytes only.
 */
export class StoreStateMachine implements StateMachine {
  constructor(private readonly store: MemoryStore) {}

  apply(entry: RaftEntry): ApplyResult {
    const batch = decodeBatch(entry.data);
    if (!batch.ok) return { ok: false, error: { kind: 'invalid', message: batch.error } };
    return this.store.apply(batch.value, entry.index);
  }

  snapshot(): Uint8Array {
    const body = codec.StoreSnapshot.encode(this.store.snapshot());
    const out = new Uint8Array(8 + body.length);
    new DataView(out.buffer).setFloat64(0, this.store.appliedIndex);
    out.set(body, 8);
    return out;
  }

  restore(data: Uint8Array): void {
    const index = new DataView(data.buffer, data.byteOffset, 8).getFloat64(0);
    this.store.restore(codec.StoreSnapshot.decode(data.subarray(8)), index);
  }
}
