import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';
import type { NodeId } from '../common/ids.js';
import { reconcileGlobal, SchedulerState, schedulePending } from './index.js';
import { makeNode, makeTask } from './fixtures.test-support.js';

const service = codec.Service.fromPartial({
  id: 'g',
  spec: { mode: { kind: 'GLOBAL' }, task: { placement: { constraints: ['node.labels.edge==true'] } } },
});
const placement = { constraints: ['node.labels.edge==true'] };

function cluster(): SchedulerState {
  const state = new SchedulerState();
  state.serviceUpserted(service);
  state.nodeUpserted(makeNode('a', { labels: { edge: 'true' } }));
  state.nodeUpserted(makeNode('b', { labels: { edge: 'true' } }));
  state.nodeUpserted(makeNode('c'));
  return state;
}

describe('global services', () => {
  it('wants one task on every eligible node', () => {
    const state = cluster();
    expect(reconcileGlobal(state, service)).toEqual({ create: ['a', 'b'], remove: [] });
    state.taskAdded(makeTask('g.a', 'g', { nodeId: 'a', placement }));
    expect(reconcileGlobal(state, service)).toEqual({ create: ['b'], remove: [] });
  });

  it('recomputes when labels change, nodes join, drain or leave', () => {
    const state = cluster();
    state.taskAdded(makeTask('g.a', 'g', { nodeId: 'a', placement }));
    state.taskAdded(makeTask('g.b', 'g', { nodeId: 'b', placement }));
    expect(reconcileGlobal(state, service)).toEqual({ create: [], remove: [] });
    state.nodeUpserted(makeNode('c', { labels: { edge: 'true' } }));
    expect(reconcileGlobal(state, service, ['c' as NodeId])).toEqual({ create: ['c'], remove: [] });
    state.nodeUpserted(makeNode('a'));
    expect(reconcileGlobal(state, service)).toEqual({ create: ['c'], remove: ['g.a'] });
    state.nodeUpserted(makeNode('b', { labels: { edge: 'true' }, availability: 'DRAIN' }));
    expect(reconcileGlobal(state, service).remove).toEqual(['g.a', 'g.b']);
    state.nodeRemoved('b' as NodeId);
    expect(reconcileGlobal(state, service).remove).toEqual(['g.a', 'g.b']);
  });

  it('keeps the task of a paused or down node but adds none there', () => {
    const state = cluster();
    state.taskAdded(makeTask('g.a', 'g', { nodeId: 'a', placement }));
    state.nodeUpserted(makeNode('a', { labels: { edge: 'true' }, availability: 'PAUSE' }));
    state.nodeUpserted(makeNode('b', { labels: { edge: 'true' }, ready: false }));
    expect(reconcileGlobal(state, service)).toEqual({ create: [], remove: [] });
  });

  it('counts pre-assigned pending tasks, and schedule() confirms or explains them', () => {
    const state = cluster();
    state.taskAdded(makeTask('g.a', 'g', { nodeId: 'a', state: 'PENDING', placement }));
    state.taskAdded(makeTask('g.b', 'g', { nodeId: 'b', state: 'PENDING', placement, memoryBytes: 64 * 2 ** 30 }));
    expect(reconcileGlobal(state, service)).toEqual({ create: [], remove: [] });
    const plan = schedulePending(state, { now: 0, seed: 0 });
    expect(plan.assignments).toEqual([{ taskId: 'g.a', nodeId: 'a' }]);
    expect(plan.unplaceable).toEqual([{ taskId: 'g.b', reason: 'no suitable node (1 node lacks 64GiB memory)' }]);
  });
});
