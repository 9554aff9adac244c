import { describe, expect, it } from 'vitest';
import { makeNode, makeService, TestCluster } from './test-cluster.test-support.js';

describe('scaling a replicated service down', () => {
  it('deletes the scaled-away slots\' tasks once they have stopped, keeping no history for them', () => {
    const c = new TestCluster();
    c.upsert(makeNode('n1'), makeNode('n2'), makeService('web', { mode: { kind: 'REPLICATED', replicas: 5 } }));
    c.settle('web');
    expect(c.wanted('web').map((t) => t.slot).sort()).toEqual([1, 2, 3, 4, 5]);
    c.updateService('web', (s) => {
      s.spec!.mode!.replicas = 2;
    });
    c.settle('web');
    const slots = c.store.tasksOfService('web').map((t) => t.slot).sort();
    // Slots 3-5 are gone from the store entirely (their agents then remove the containers).
    expect(slots).toEqual([1, 2]);
  });
});
