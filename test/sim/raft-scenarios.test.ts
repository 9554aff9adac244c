// Scenario tests, each naming the section of the Raft paper (or Ongaro's
// thesis) whose rule it checks. They drive the real core by hand through
// the synchronous harness: no timers, manual ticks.
import { describe, expect, it } from 'vitest';
import type { RaftEntry } from '../../src/gen/index.js';
import { codec } from '../../src/gen/index.js';
import type { InitialState, RaftId } from '../../src/raft/core/index.js';
import { Harness, TEST_OPTIONS } from './harness.js';

const enc = new TextEncoder();
const NO_PREVOTE = { ...TEST_OPTIONS, preVote: false, checkQuorum: false };

function entry(index: number, term: number, data = `e${index}`): RaftEntry {
  return { index, term, type: 'NORMAL', data: enc.encode(data) };
}

/** A node whose config is the given voters (via a snapshot at index 0) and whose log is `terms`. */
function stateWithLog(voters: RaftId[], terms: number[], term: number, commit: number): InitialState {
  return {
    hardState: { term, vote: 0, commit },
    snapshot: { meta: { index: 0, term: 0, confState: { voters, learners: [], removed: [] } }, data: new Uint8Array(0) },
    entries: terms.map((t, i) => entry(i + 1, t)),
  };
}

describe('leader election', () => {
  it('§5.2: elects exactly one leader and all agree on it', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.tick(5);
    const leaders = [...h.cores.values()].filter((c) => c.role === 'leader');
    expect(leaders).toHaveLength(1);
    for (const c of h.cores.values()) expect(c.leaderId).toBe(leader.id);
  });

  it('§5.4.1 election restriction: a node missing a committed entry cannot win', () => {
    const h = Harness.cluster(3, NO_PREVOTE);
    const leader = h.elect();
    const lagging = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    h.cutLink(leader.id, lagging);
    const p = leader.propose(enc.encode('x'));
    expect(p.ok).toBe(true);
    h.settle();
    expect(leader.log.committed).toBeGreaterThanOrEqual(p.ok ? p.value.index : 0);
    h.heal();
    h.isolate(leader.id);
    // The lagging node campaigns first; the up-to-date voter must refuse it.
    h.core(lagging).campaign();
    h.settle();
    expect(h.core(lagging).role).not.toBe('leader');
    const next = h.elect();
    expect(next.id).not.toBe(lagging);
    expect(p.ok && next.log.term(p.value.index)).toBe(p.ok ? p.value.term : -1);
  });

  it('§9.6 PreVote: a partitioned node rejoining does not disrupt the leader', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    const term = leader.term;
    const other = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    h.isolate(other);
    h.tick(100, [other]);
    expect(h.core(other).term).toBe(term); // pre-votes never bump the term
    h.heal();
    h.tick(20);
    expect(h.leader()?.id).toBe(leader.id);
    expect(leader.term).toBe(term);
  });

  it('§9.6 CheckQuorum: a leader that cannot reach a quorum steps down', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.isolate(leader.id);
    // Activity from before the cut counts for one round; the next round fails.
    h.tick(2 * TEST_OPTIONS.electionTicks + 1, [leader.id]);
    expect(leader.role).toBe('follower');
  });

  it('a leader whose stream closed (process died) is replaced within one election timeout, not two', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.tick(3);
    const term = leader.term;
    h.isolate(leader.id);
    const followers = [...h.cores.keys()].filter((id) => id !== leader.id);
    for (const id of followers) h.core(id).leaderLost(leader.id);
    // The randomized part only: [0, electionTicks) ticks; without the hint
    // no follower could campaign this early.
    h.tick(TEST_OPTIONS.electionTicks - 1, followers);
    const next = h.leader();
    expect(next?.id).not.toBe(leader.id);
    expect(next?.term).toBeGreaterThan(term);
  });

  it('a closed stream from a live leader, or from a non-leader, does not depose it', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.tick(3);
    const term = leader.term;
    const [a, b] = [...h.cores.keys()].filter((id) => id !== leader.id) as [RaftId, RaftId];
    h.core(a).leaderLost(leader.id); // a spurious reset on one link only
    h.core(b).leaderLost(a); // not b's leader: ignored
    h.tick(3 * TEST_OPTIONS.electionTicks);
    expect(h.leader()?.id).toBe(leader.id);
    expect(leader.term).toBe(term);
  });

  it('§9.6 leader lease: a live leader\'s followers ignore a higher-term vote request', () => {
    const h = Harness.cluster(3, { ...TEST_OPTIONS, preVote: false });
    const leader = h.elect();
    const term = leader.term;
    const other = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    h.isolate(other);
    h.tick(30, [other]); // without PreVote it campaigns and bumps its term
    expect(h.core(other).term).toBeGreaterThan(term);
    h.heal();
    h.tick(3);
    // The third node heard from the leader recently and did not vote for it.
    const third = [...h.cores.keys()].find((id) => id !== leader.id && id !== other) as RaftId;
    expect(h.core(third).leaderId).not.toBe(other);
  });
});

describe('log replication', () => {
  it('Figure 8 / §5.4.2: an old-term entry on a majority is not committed by counting', () => {
    const voters = [1, 2, 3, 4, 5];
    const h = new Harness({ ...NO_PREVOTE, maxBatchEntries: 1 });
    // (a)/(b): S1 led term 2 and wrote index 2 on S1, S2; S5 led term 3 and wrote its own index 2.
    h.add(1, stateWithLog(voters, [1, 2], 3, 1));
    h.add(2, stateWithLog(voters, [1, 2], 3, 1));
    h.add(3, stateWithLog(voters, [1], 3, 1));
    h.add(4, stateWithLog(voters, [1], 3, 1));
    h.add(5, stateWithLog(voters, [1, 3], 3, 1));
    h.settle();
    // (c) S1 leads term 4 and copies index 2 (term 2) to S3 and S4, but
    // none of its own term-4 entries get out: index 2 is on a majority and
    // the leader knows it.
    h.dropIf = (m) => m.from === 1 && m.type === 'APPEND' && m.to === 2;
    h.rewrite = (m) => (m.from === 1 && m.type === 'APPEND' ? { ...m, entries: m.entries.filter((e) => e.index < 3) } : m);
    h.cutLink(1, 5);
    h.core(1).campaign();
    h.settle();
    expect(h.core(1).role).toBe('leader');
    h.tick(2, [1]);
    expect(h.core(3).log.term(2)).toBe(2);
    expect(h.core(4).log.term(2)).toBe(2);
    expect(h.core(1).progressOf(3)?.match).toBe(2);
    expect(h.core(1).progressOf(4)?.match).toBe(2);
    // Counting replicas would commit it; §5.4.2 forbids it: it is not from the leader's term.
    expect(h.core(1).log.committed).toBe(1);
    // (d) S1 is cut off; S5 (last term 3) wins and overwrites index 2 everywhere.
    h.dropIf = undefined;
    h.rewrite = undefined;
    h.isolate(1);
    for (let i = 0; i < 3 && h.core(5).role !== 'leader'; i++) {
      h.core(5).campaign();
      h.settle();
    }
    expect(h.core(5).role).toBe('leader');
    h.tick(2, [2, 3, 4, 5]);
    for (const id of [2, 3, 4]) expect(h.core(id).log.term(2)).toBe(3);
    // Nothing committed was overwritten: S1 never counted index 2 as committed.
    expect(h.core(1).log.committed).toBeLessThan(2);
  });

  it('§5.3 fast back-tracking: a long divergent suffix is resolved in few round trips', () => {
    const voters = [1, 2, 3];
    const h = new Harness(NO_PREVOTE);
    // Follower 3 has 100 entries of term 2 the leader never had.
    const leaderLog = Array.from({ length: 10 }, () => 1);
    h.add(1, stateWithLog(voters, [...leaderLog, 3, 3, 3], 3, 10));
    h.add(2, stateWithLog(voters, [...leaderLog, 3, 3, 3], 3, 10));
    h.add(3, stateWithLog(voters, [...leaderLog, ...Array.from({ length: 100 }, () => 2)], 3, 10));
    h.settle();
    h.core(1).campaign();
    h.settle();
    expect(h.core(1).role).toBe('leader');
    h.tick(3);
    expect(h.core(3).log.lastIndex()).toBe(h.core(1).log.lastIndex());
    expect(h.core(3).log.term(11)).toBe(3);
    // One rejection skips the whole term-2 suffix instead of one entry per round.
    expect(h.count('APPEND_RESPONSE', (m) => m.from === 3 && m.reject)).toBeLessThanOrEqual(3);
  });

  it('batches proposals and keeps at most maxInflightBatches in flight per follower', () => {
    const h = Harness.cluster(3, { ...TEST_OPTIONS, maxBatchEntries: 4, maxInflightBatches: 2 });
    const leader = h.elect();
    h.tick(2);
    const follower = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    for (let i = 0; i < 40; i++) expect(leader.propose(enc.encode(`p${i}`)).ok).toBe(true);
    const rd = leader.ready();
    const appends = rd.messagesBeforeSync.filter((m) => m.type === 'APPEND' && m.to === follower);
    expect(appends).toHaveLength(2); // pipelined, but bounded
    for (const m of appends) expect(m.entries.length).toBeLessThanOrEqual(4);
    h.storages.get(leader.id)?.persist(rd);
    leader.advance(rd);
    for (const m of [...rd.messagesBeforeSync, ...rd.messages]) h.core(m.to).step(m);
    h.settle();
    h.tick(3);
    for (const c of h.cores.values()) expect(c.log.committed).toBe(leader.log.lastIndex());
  });

  it('thesis §10.2.1: the leader sends appends before its own sync but counts itself only once synced', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.tick(2);
    const [a, b] = [...h.cores.keys()].filter((id) => id !== leader.id) as [RaftId, RaftId];
    const proposed = leader.propose(enc.encode('parallel'));
    if (!proposed.ok) throw new Error('propose refused');
    const index = proposed.value.index;
    const rd = leader.ready();
    expect(rd.entries.map((e) => e.index)).toContain(index);
    // The appends leave before the sync; nothing of the kind waits behind it.
    const early = rd.messagesBeforeSync.filter((m) => m.type === 'APPEND' && m.entries.some((e) => e.index === index));
    expect(early.map((m) => m.to).sort()).toEqual([a, b].sort());
    expect(rd.messages.filter((m) => m.type === 'APPEND')).toHaveLength(0);
    // Follower a writes and acknowledges while the leader's own write is still running.
    const fa = h.core(a);
    for (const m of early.filter((m) => m.to === a)) fa.step(m);
    const frd = fa.ready();
    expect(frd.messagesBeforeSync.filter((m) => m.type === 'APPEND_RESPONSE')).toHaveLength(0);
    h.storages.get(a)?.persist(frd);
    fa.advance(frd);
    for (const m of frd.messages) if (m.to === leader.id) leader.step(m);
    // One follower of three holds it: not a quorum until the leader's own copy is synced.
    expect(leader.log.committed).toBeLessThan(index);
    expect(leader.progressOf(leader.id)?.match).toBeLessThan(index);
    h.storages.get(leader.id)?.persist(rd);
    leader.advance(rd);
    expect(leader.log.committed).toBe(index);
  });

  it('a leader whose term is not on disk yet holds its appends until the sync', () => {
    // A single voter wins without asking anyone: its new term is in the same Ready.
    const learnerState: InitialState = {
      hardState: { term: 1, vote: 0, commit: 0 },
      snapshot: { meta: { index: 0, term: 0, confState: { voters: [1], learners: [2], removed: [] } }, data: new Uint8Array(0) },
      entries: [],
    };
    const h = new Harness();
    const voter = h.add(1, learnerState);
    h.add(2, learnerState);
    voter.campaign();
    expect(voter.role).toBe('leader');
    const rd = voter.ready();
    expect(rd.hardState?.term).toBe(2);
    expect(rd.messagesBeforeSync).toHaveLength(0);
    expect(rd.messages.filter((m) => m.type === 'APPEND' && m.to === 2)).not.toHaveLength(0);
    h.storages.get(1)?.persist(rd);
    voter.advance(rd);
    for (const m of rd.messages) h.core(m.to).step(m);
    h.settle();
    // Once the term is on disk, its replication no longer waits.
    voter.propose(enc.encode('next'));
    const next = voter.ready();
    expect(next.messagesBeforeSync.filter((m) => m.type === 'APPEND' && m.to === 2)).not.toHaveLength(0);
  });

  it('survives a crash that loses an unsynced, torn tail', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    const follower = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    for (let i = 0; i < 5; i++) leader.propose(enc.encode(`w${i}`));
    h.settle();
    h.tick(2);
    const committed = leader.log.committed;
    // The follower crashes while writing new entries: only part lands, torn.
    h.isolate(follower);
    for (let i = 0; i < 5; i++) leader.propose(enc.encode(`late${i}`));
    h.heal();
    h.settle();
    const f = h.core(follower);
    f.step({ ...codec.RaftMessage.fromPartial({}), type: 'APPEND', from: leader.id, to: follower, term: leader.term, index: leader.log.lastIndex(), logTerm: leader.term, entries: [entry(leader.log.lastIndex() + 1, leader.term, 'phantom')] });
    if (f.hasReady()) h.storages.get(follower)?.persistTorn(f.ready(), 1);
    const restarted = h.restart(follower);
    expect(restarted.log.lastIndex()).toBeGreaterThanOrEqual(committed);
    h.tick(5);
    expect(h.core(follower).log.committed).toBe(leader.log.committed);
  });
});

describe('snapshots', () => {
  it('§7: a follower behind the compaction point catches up from a chunked snapshot', () => {
    const h = Harness.cluster(3, { ...TEST_OPTIONS, snapshotChunkBytes: 8 });
    const leader = h.elect();
    const lagging = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    h.isolate(lagging);
    for (let i = 0; i < 30; i++) leader.propose(enc.encode(`v${i}`));
    h.settle();
    h.tick(2, [...h.cores.keys()].filter((id) => id !== lagging));
    const state = enc.encode('application state as of the snapshot: 52 bytes long!');
    const snap = leader.compact(state, 0);
    expect(leader.log.firstIndex()).toBe(snap.meta.index + 1);
    h.heal();
    h.tick(15);
    const f = h.core(lagging);
    expect(f.log.committed).toBe(leader.log.committed);
    expect(h.storages.get(lagging)?.snapshot?.data).toEqual(state);
    expect(h.count('SNAPSHOT_CHUNK', (m) => m.to === lagging)).toBeGreaterThanOrEqual(Math.ceil(state.length / 8));
  });
});

describe('membership (§6, thesis §4 single-server changes)', () => {
  it('adds a learner, promotes it, then removes the old leader, who learns it', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.add(4, undefined);
    expect(leader.proposeConfChange({ type: 'ADD_LEARNER', nodeId: 4, context: new Uint8Array(0) }).ok).toBe(true);
    // Only one change at a time.
    expect(leader.proposeConfChange({ type: 'PROMOTE', nodeId: 4, context: new Uint8Array(0) })).toMatchObject({ ok: false, error: { kind: 'conf-change-pending' } });
    h.tick(5);
    expect(h.core(4).membership.learners.has(4)).toBe(true);
    expect(h.core(4).log.committed).toBe(leader.log.committed);
    expect(leader.proposeConfChange({ type: 'PROMOTE', nodeId: 4, context: new Uint8Array(0) }).ok).toBe(true);
    h.tick(5);
    expect(leader.membership.voters.has(4)).toBe(true);
    expect(leader.proposeConfChange({ type: 'REMOVE', nodeId: leader.id, context: new Uint8Array(0) }).ok).toBe(true);
    h.tick(3);
    expect(leader.removed).toBe(true);
    expect(leader.role).toBe('follower');
    const next = h.elect();
    expect(next.id).not.toBe(leader.id);
    expect(next.membership.removed.has(leader.id)).toBe(true);
    h.tick(3);
    const again = next.proposeConfChange({ type: 'ADD_LEARNER', nodeId: leader.id, context: new Uint8Array(0) });
    expect(again.ok ? 'accepted' : again.error).toMatchObject({ kind: 'invalid-conf-change', error: { kind: 'id-was-removed' } });
  });

  it('a demoted voter learns it and stops campaigning', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    const victim = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    expect(leader.proposeConfChange({ type: 'DEMOTE', nodeId: victim, context: new Uint8Array(0) }).ok).toBe(true);
    h.tick(3);
    expect(h.core(victim).membership.learners.has(victim)).toBe(true);
    h.isolate(leader.id);
    h.tick(50, [victim]);
    expect(h.core(victim).role).toBe('follower');
  });

  it('a removed node that missed its removal is told so when it speaks', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    const victim = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    h.isolate(victim);
    expect(leader.proposeConfChange({ type: 'REMOVE', nodeId: victim, context: new Uint8Array(0) }).ok).toBe(true);
    h.tick(3, [...h.cores.keys()].filter((id) => id !== victim));
    expect(h.core(victim).removed).toBe(false);
    h.heal();
    h.tick(40, [victim]);
    expect(h.core(victim).removed).toBe(true);
  });
});

describe('leadership transfer (thesis §3.10)', () => {
  it('hands leadership to a caught-up voter', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    const target = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    expect(leader.transferLeadership(target).ok).toBe(true);
    h.settle();
    expect(h.core(target).role).toBe('leader');
    expect(h.core(target).term).toBe(leader.term);
    expect(leader.role).toBe('follower');
  });
});

describe('ReadIndex (thesis §6.4)', () => {
  it('serves a read only after a heartbeat quorum confirms leadership', () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.tick(2);
    h.isolate(leader.id);
    expect(leader.readIndex(enc.encode('read-1')).ok).toBe(true);
    h.settle();
    h.tick(3, [leader.id]);
    expect(h.reads.get(leader.id) ?? []).toHaveLength(0); // no quorum, no answer
    h.heal();
    h.tick(1);
    expect(h.reads.get(leader.id)).toEqual([{ context: 'read-1', index: leader.log.committed }]);
  });

  it('a deposed leader never answers a read', () => {
    const h = Harness.cluster(3);
    const old = h.elect();
    h.tick(2);
    h.isolate(old.id);
    h.tick(30, [...h.cores.keys()].filter((id) => id !== old.id));
    const next = h.leader();
    expect(next && next.id !== old.id).toBe(true);
    expect(old.readIndex(enc.encode('stale')).ok).toBe(true);
    h.tick(5, [old.id]);
    expect(h.reads.get(old.id) ?? []).toHaveLength(0);
  });

  it("a follower read is forwarded and answered with the leader's commit index", () => {
    const h = Harness.cluster(3);
    const leader = h.elect();
    h.tick(2);
    const follower = [...h.cores.keys()].find((id) => id !== leader.id) as RaftId;
    expect(h.core(follower).readIndex(enc.encode('f-read')).ok).toBe(true);
    h.settle();
    h.tick(1);
    expect(h.reads.get(follower)).toEqual([{ context: 'f-read', index: leader.log.committed }]);
  });
});
