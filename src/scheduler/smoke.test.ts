import { describe, expect, it } from 'vitest';
import { schedule } from './index.js';
import { makeNode, makeTask } from './fixtures.test-support.js';

describe('smoke', () => {
  it('spreads', () => {
    const plan = schedule({ nodes: [makeNode('a'), makeNode('b')], tasks: [makeTask('t1', 's'), makeTask('t2', 's')], now: 0, seed: 1 });
    expect(plan.assignments.map((a) => a.nodeId).sort()).toEqual(['a', 'b']);
  });
});
