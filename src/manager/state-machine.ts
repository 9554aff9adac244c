import { codec, type RaftEntry } from '../gen/index.js';
import type { StateMachine, StateSnapshot } from '../raft/index.js';
import { decodeBatch, type ApplyResult, type MemoryStore } from './store/index.js';
import type { StoreSnapshot } from '../gen/index.js';

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

  /** The store's objects as of now (immutable: writes replace them), encoded later in slices. */
  snapshot(): StateSnapshot {
    const view = this.store.snapshot();
    const appliedIndex = this.store.appliedIndex;
    return { encode: () => encodeStoreSnapshot(view, appliedIndex) };
  }

  restore(data: Uint8Array): void {
    const index = new DataView(data.buffer, data.byteOffset, 8).getFloat64(0);
    this.store.restore(codec.StoreSnapshot.decode(data.subarray(8)), index);
  }
}

/** Objects encoded between yields to the event loop: a slice costs well under a millisecond. */
const SNAPSHOT_SLICE = 256;

type RepeatedKind = 'nodes' | 'services' | 'tasks' | 'networks' | 'secrets' | 'configs' | 'clusters';
const REPEATED: readonly RepeatedKind[] = ['nodes', 'services', 'tasks', 'networks', 'secrets', 'configs', 'clusters'];

/**
 * Encodes a store snapshot exactly as codec.StoreSnapshot.encode would, but
 * a slice of objects at a time, yielding to the event loop in between, so
 * Raft keeps committing while 100,000 tasks are written out. Protobuf
 * concatenates repeated fields, so the encoded slices joined are the
 * encoded whole.
 */
export async function encodeStoreSnapshot(view: StoreSnapshot, appliedIndex: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [codec.StoreSnapshot.encode({ version: view.version })];
  for (const kind of REPEATED) {
    const objects = view[kind];
    for (let i = 0; i < objects.length; i += SNAPSHOT_SLICE) {
      parts.push(codec.StoreSnapshot.encode({ [kind]: objects.slice(i, i + SNAPSHOT_SLICE) }));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const bodyBytes = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(8 + bodyBytes);
  new DataView(out.buffer).setFloat64(0, appliedIndex);
  let offset = 8;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
