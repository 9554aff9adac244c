import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import { encodeStoreSnapshot, StoreStateMachine } from './state-machine.js';
import { MemoryStore } from './store/index.js';

describe('store snapshots for Raft', () => {
  it('encodes in slices exactly what one encode of the whole snapshot gives, and restores from it', async () => {
    const store = new MemoryStore();
    const tasks = Array.from({ length: 1_000 }, (_, i) => ({ kind: 'CREATE' as const, object: { task: codec.Task.fromPartial({ id: `t${i}`, serviceId: 's1', slot: i + 1, desiredState: 'RUNNING' }) } }));
    const nodes = Array.from({ length: 300 }, (_, i) => ({ kind: 'CREATE' as const, object: { node: codec.Node.fromPartial({ id: `n${i}`, description: { hostname: `h${i}` } }) } }));
    const applied = store.apply(codec.StoreBatch.fromPartial({ proposalId: 'p', actions: [...tasks, ...nodes] }), 7);
    expect(applied.ok).toBe(true);
    const whole = codec.StoreSnapshot.encode(store.snapshot());
    const sliced = await encodeStoreSnapshot(store.snapshot(), store.appliedIndex);
    expect(Buffer.from(sliced.subarray(8)).equals(Buffer.from(whole))).toBe(true);

    const restored = new MemoryStore();
    new StoreStateMachine(restored).restore(sliced);
    expect(restored.appliedIndex).toBe(7);
    expect(restored.snapshot()).toEqual(store.snapshot());
  });

  it('captures the store as it was when asked, whatever is applied while it encodes', async () => {
    const store = new MemoryStore();
    const sm = new StoreStateMachine(store);
    store.apply(codec.StoreBatch.fromPartial({ proposalId: 'a', actions: [{ kind: 'CREATE', object: { task: codec.Task.fromPartial({ id: 'before' }) } }] }), 1);
    const frozen = sm.snapshot();
    store.apply(codec.StoreBatch.fromPartial({ proposalId: 'b', actions: [{ kind: 'CREATE', object: { task: codec.Task.fromPartial({ id: 'after' }) } }] }), 2);
    const restored = new MemoryStore();
    new StoreStateMachine(restored).restore(await frozen.encode());
    expect(restored.appliedIndex).toBe(1);
    expect(restored.snapshot().tasks.map((t) => t.id)).toEqual(['before']);
  });
});
