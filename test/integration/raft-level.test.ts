// Raft members in one process over real `level` storage on disk: replication,
// restart from disk, leader loss, snapshots, torn tails and refused data dirs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RaftEntry, RaftMessage } from '../../src/gen/index.js';
import { codec } from '../../src/gen/index.js';
import { LevelStorage, RaftNode, RaftNodeError, seededRandom, storageKeyForEntry } from '../../src/raft/index.js';
import type { StateMachine, StateSnapshot } from '../../src/raft/index.js';

const logger = pino({ level: 'silent' });
const enc = new TextEncoder();
const dec = new TextDecoder();
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-raft-'));
  dirs.push(d);
  return d;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A tiny KV: "key=value" entries. */
class Kv implements StateMachine {
  map = new Map<string, string>();
  apply(e: RaftEntry): unknown {
    const [k, v] = dec.decode(e.data).split('=');
    if (k !== undefined && v !== undefined) this.map.set(k, v);
    return e.index;
  }
  snapshot(): StateSnapshot {
    const data = enc.encode(JSON.stringify([...this.map])); // tiny: captured and encoded at once
    return { encode: async () => data };
  }
  restore(data: Uint8Array): void {
    this.map = new Map(JSON.parse(dec.decode(data)) as Array<[string, string]>);
  }
}

/** In-process delivery through the wire codec, as the real transport would encode. */
class LocalNet {
  nodes = new Map<number, RaftNode>();
  down = new Set<number>();
  transport(from: number) {
    return {
      send: (msgs: readonly RaftMessage[]) => {
        for (const m of msgs) {
          const bytes = codec.RaftMessage.encode(m);
          setImmediate(() => {
            if (this.down.has(from) || this.down.has(m.to)) return;
            this.nodes.get(m.to)?.step(codec.RaftMessage.decode(bytes));
          });
        }
      },
    };
  }
}

interface Member {
  id: number;
  dir: string;
  kv: Kv;
  node: RaftNode;
  storage: LevelStorage;
}

const membershipEvents = new Map<number, Array<{ voters: number[]; learners: number[]; change?: string }>>();

async function startMember(net: LocalNet, id: number, dir: string, voters: number[] | undefined, snapshotEvery = 10_000, forceNewCluster = false): Promise<Member> {
  const opened = await LevelStorage.open(dir, 'cluster-a', id);
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  const kv = new Kv();
  const node = await RaftNode.start({
    id,
    storage: opened.value,
    transport: net.transport(id),
    stateMachine: kv,
    logger,
    random: seededRandom(id * 7919),
    tickMs: 10,
    bootstrapVoters: voters,
    snapshotEveryEntries: snapshotEvery,
    keepEntriesAfterSnapshot: 5,
    forceNewCluster,
    onMembership: (cs, cc) => {
      const list = membershipEvents.get(id) ?? [];
      list.push({ voters: cs.voters, learners: cs.learners, change: cc ? `${cc.type} ${cc.nodeId} ${dec.decode(cc.context)}` : undefined });
      membershipEvents.set(id, list);
    },
  });
  net.nodes.set(id, node);
  net.down.delete(id);
  return { id, dir, kv, node, storage: opened.value };
}

async function stopMember(net: LocalNet, m: Member): Promise<void> {
  net.down.add(m.id);
  await m.node.stop();
  await m.storage.close();
  net.nodes.delete(m.id);
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function leaderOf(members: Member[]): Member | undefined {
  return members.find((m) => m.node.status().role === 'leader');
}

async function proposeAt(members: Member[], data: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const leader = leaderOf(members);
    if (leader) {
      try {
        await leader.node.propose(enc.encode(data), 2_000);
        return;
      } catch (e) {
        if (!(e instanceof RaftNodeError) || !e.transient) throw e;
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`could not commit ${data}`);
}

describe('raft on level', () => {
  it('replicates, survives a follower restart from disk and the loss of the leader', async () => {
    const net = new LocalNet();
    const voters = [1, 2, 3];
    const members = await Promise.all(voters.map(async (id) => startMember(net, id, await tempDir(), voters)));
    await waitFor('a leader', () => leaderOf(members));
    await Promise.all(Array.from({ length: 100 }, (_, i) => proposeAt(members, `k${i}=v${i}`)));
    // A follower restarts from its data dir and catches up.
    const follower = members.find((m) => m.node.status().role !== 'leader') as Member;
    await stopMember(net, follower);
    await proposeAt(members.filter((m) => m !== follower), 'after=restart');
    const restarted = await startMember(net, follower.id, follower.dir, voters);
    members[members.indexOf(follower)] = restarted;
    await waitFor('restarted follower caught up', () => (restarted.kv.map.get('after') === 'restart' ? true : undefined));
    // The leader dies; the other two elect a new one that has every acknowledged write.
    const oldLeader = leaderOf(members) as Member;
    await stopMember(net, oldLeader);
    const rest = members.filter((m) => m !== oldLeader);
    const newLeader = await waitFor('a new leader', () => leaderOf(rest), 5_000);
    await proposeAt(rest, 'final=yes');
    await newLeader.node.readIndex();
    for (let i = 0; i < 100; i++) expect(newLeader.kv.map.get(`k${i}`)).toBe(`v${i}`);
    expect(newLeader.kv.map.get('after')).toBe('restart');
    for (const m of rest) await stopMember(net, m);
  });

  it('adds a member at runtime (learner, then voter) that catches up from a snapshot, then removes one', async () => {
    const net = new LocalNet();
    const voters = [1, 2, 3];
    const members = await Promise.all(voters.map(async (id) => startMember(net, id, await tempDir(), voters, 30)));
    await waitFor('a leader', () => leaderOf(members));
    for (let i = 0; i < 80; i++) await proposeAt(members, `a${i}=${i}`);
    const joiner = await startMember(net, 4, await tempDir(), undefined, 30);
    const cc = (type: 'ADD_LEARNER' | 'PROMOTE' | 'REMOVE', nodeId: number) => ({ type, nodeId, context: new Uint8Array(0) });
    const leader = leaderOf(members) as Member;
    expect(leader.node.status().firstIndex).toBeGreaterThan(1); // compacted: the joiner needs a snapshot
    await leader.node.proposeConfChange({ ...cc('ADD_LEARNER', 4), context: enc.encode('127.0.0.1:4444') });
    await waitFor('learner caught up', () => (joiner.kv.map.get('a79') === '79' ? true : undefined));
    // The application hears of the change, with its context (the new member's address).
    expect(membershipEvents.get(leader.id)?.at(-1)).toEqual({ voters: [1, 2, 3], learners: [4], change: 'ADD_LEARNER 4 127.0.0.1:4444' });
    expect(leader.node.confState()).toEqual({ voters: [1, 2, 3], learners: [4], removed: [] });
    // The joiner hears the snapshot's configuration (no change attached), then its own addition.
    // The snapshot it caught up from may already hold the last writes, so the addition itself can come a moment later.
    await waitFor('joiner applied its addition', () => ((membershipEvents.get(4) ?? []).some((e) => e.change !== undefined) ? true : undefined));
    const joinerEvents = membershipEvents.get(4) ?? [];
    expect(joinerEvents.some((e) => e.change === undefined && e.voters.join() === '1,2,3')).toBe(true);
    expect(joinerEvents.at(-1)?.change).toBe('ADD_LEARNER 4 127.0.0.1:4444');
    await leader.node.proposeConfChange(cc('PROMOTE', 4));
    const all = [...members, joiner];
    await proposeAt(all, 'after=promote');
    const victim = members.find((m) => m !== leader) as Member;
    await leader.node.proposeConfChange(cc('REMOVE', victim.id));
    await waitFor('removed member learns it', () => (victim.node.status().removed ? true : undefined));
    await proposeAt(all.filter((m) => m !== victim), 'after=remove');
    await waitFor('new voter applied everything', () => (joiner.kv.map.get('after') === 'remove' ? true : undefined));
    for (const m of all) await stopMember(net, m);
  });

  it('--force-new-cluster: a lone survivor keeps every committed write and leads a one-member cluster', async () => {
    const net = new LocalNet();
    const voters = [1, 2, 3];
    const members = await Promise.all(voters.map(async (id) => startMember(net, id, await tempDir(), voters, 25)));
    await waitFor('a leader', () => leaderOf(members));
    for (let i = 0; i < 60; i++) await proposeAt(members, `f${i}=${i}`);
    const survivor = members.find((m) => m.node.status().role !== 'leader') as Member;
    await waitFor('survivor applied all', () => (survivor.kv.map.get('f59') === '59' ? true : undefined));
    for (const m of members) await stopMember(net, m);
    // Alone, without forcing, it cannot elect itself.
    const stuck = await startMember(net, survivor.id, survivor.dir, voters, 25);
    await new Promise((r) => setTimeout(r, 400));
    expect(stuck.node.status().role).not.toBe('leader');
    await stopMember(net, stuck);
    const forced = await startMember(net, survivor.id, survivor.dir, voters, 25, true);
    await waitFor('forced member leads', () => leaderOf([forced]), 3_000);
    await forced.node.propose(enc.encode('after=force'));
    await forced.node.readIndex();
    for (let i = 0; i < 60; i++) expect(forced.kv.map.get(`f${i}`)).toBe(String(i));
    expect(forced.kv.map.get('after')).toBe('force');
    await stopMember(net, forced);
    // And it stays a one-member cluster across a normal restart.
    const again = await startMember(net, survivor.id, survivor.dir, voters, 25);
    await waitFor('leader after restart', () => leaderOf([again]), 3_000);
    await stopMember(net, again);
  });

  it('compacts into snapshots and restarts from snapshot plus log', async () => {
    const net = new LocalNet();
    const dir = await tempDir();
    const m = await startMember(net, 1, dir, [1], 20);
    await waitFor('leader', () => leaderOf([m]));
    for (let i = 0; i < 75; i++) await m.node.propose(enc.encode(`s${i}=${i}`));
    await stopMember(net, m);
    const again = await startMember(net, 1, dir, [1], 20);
    await waitFor('leader after restart', () => leaderOf([again]));
    await again.node.readIndex();
    expect(again.kv.map.size).toBe(75);
    expect(again.kv.map.get('s74')).toBe('74');
    await stopMember(net, again);
  });

  it('snapshots once per interval counted from the last snapshot (even below the kept tail), at an interval read at run time', async () => {
    const net = new LocalNet();
    const opened = await LevelStorage.open(await tempDir(), 'cluster-a', 1);
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    let snapshots = 0;
    const kv = new Kv();
    const counting = { apply: (e: RaftEntry) => kv.apply(e), restore: (d: Uint8Array) => kv.restore(d), snapshot: () => (snapshots++, kv.snapshot()) };
    let interval = 3;
    const node = await RaftNode.start({ id: 1, storage: opened.value, transport: net.transport(1), stateMachine: counting, logger, random: seededRandom(1), tickMs: 10, bootstrapVoters: [1], snapshotEveryEntries: () => interval, keepEntriesAfterSnapshot: 5 });
    net.nodes.set(1, node);
    const m: Member = { id: 1, dir: '', kv, node, storage: opened.value };
    await waitFor('leader', () => leaderOf([m]));
    for (let i = 0; i < 30; i++) await node.propose(enc.encode(`k${i}=${i}`));
    // At most one per 3 applied entries; counting from the compaction point (5 behind) would snapshot on
    // every turn. Fewer when one is still being written as the next falls due (one at a time, off the loop).
    expect(snapshots).toBeGreaterThanOrEqual(3);
    expect(snapshots).toBeLessThanOrEqual(12);
    interval = 1_000;
    const before = snapshots;
    for (let i = 30; i < 50; i++) await node.propose(enc.encode(`k${i}=${i}`));
    expect(snapshots).toBe(before);
    await stopMember(net, m);
  });

  it('keeps committing while a snapshot is encoded, then compacts at the index the snapshot was captured at', async () => {
    const net = new LocalNet();
    const dir = await tempDir();
    const opened = await LevelStorage.open(dir, 'cluster-a', 1);
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const kv = new Kv();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let captures = 0;
    const slow: StateMachine = {
      apply: (e) => kv.apply(e),
      restore: (d) => kv.restore(d),
      snapshot: () => {
        captures++;
        const frozen = kv.snapshot(); // the state as of now
        return { encode: async () => (await gate, frozen.encode()) };
      },
    };
    const node = await RaftNode.start({ id: 1, storage: opened.value, transport: net.transport(1), stateMachine: slow, logger, random: seededRandom(1), tickMs: 10, bootstrapVoters: [1], snapshotEveryEntries: 10, keepEntriesAfterSnapshot: 0 });
    net.nodes.set(1, node);
    const m: Member = { id: 1, dir, kv, node, storage: opened.value };
    await waitFor('leader', () => leaderOf([m]));
    for (let i = 0; i < 12; i++) await node.propose(enc.encode(`a${i}=${i}`));
    expect(captures).toBe(1);
    const capturedAt = node.status().applied;
    // The snapshot is still being encoded: the log neither stalls nor starts a second one.
    for (let i = 0; i < 30; i++) await node.propose(enc.encode(`b${i}=${i}`));
    expect(captures).toBe(1);
    expect(node.status().firstIndex).toBe(1); // nothing compacted yet
    release();
    await waitFor('compacted', () => node.status().firstIndex > 1 || undefined);
    expect(node.status().firstIndex).toBeLessThanOrEqual(capturedAt + 1); // up to where the state was captured, not further
    await stopMember(net, m);
    // Restarting from that snapshot plus the log after it gives everything back.
    const again = await startMember(net, 1, dir, [1]);
    await waitFor('leader after restart', () => leaderOf([again]));
    await again.node.readIndex();
    expect(again.kv.map.size).toBe(42);
    expect(again.kv.map.get('a0')).toBe('0');
    expect(again.kv.map.get('b29')).toBe('29');
    await stopMember(net, again);
  });

  it('cuts a torn tail at start and reports it', async () => {
    const dir = await tempDir();
    const opened = await LevelStorage.open(dir, 'cluster-a', 1);
    if (!opened.ok) throw new Error('open');
    const s = opened.value;
    const entries = Array.from({ length: 5 }, (_, i) => ({ term: 1, index: i + 1, type: 'NORMAL' as const, data: enc.encode(`e${i}`) }));
    await s.save({ softState: { leaderId: 0, role: 'follower', term: 1, removed: false }, hardState: { term: 1, vote: 0, commit: 3 }, snapshot: undefined, entries, messagesBeforeSync: [], messages: [], committedEntries: [], readStates: [] });
    // Damage the last entry as a crash mid-write would: flip bytes so its CRC fails.
    const raw = s.rawForTests();
    const key = storageKeyForEntry(5);
    const value = (await raw.get(key)) as Uint8Array;
    const torn = new Uint8Array(value);
    torn[torn.length - 1] = (torn[torn.length - 1] ?? 0) ^ 0xff;
    await raw.put(key, torn);
    const loaded = await s.load();
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.report.tornEntriesDropped).toBe(1);
    expect(loaded.value.state.entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    await s.close();
  });

  it('refuses a data dir of another cluster, another member, or a newer format', async () => {
    const dir = await tempDir();
    const first = await LevelStorage.open(dir, 'cluster-a', 1);
    if (!first.ok) throw new Error('open');
    await first.value.close();
    const other = await LevelStorage.open(dir, 'cluster-b', 1);
    expect(other.ok ? 'opened' : other.error).toMatchObject({ kind: 'other-cluster', found: 'cluster-a', expected: 'cluster-b' });
    const member = await LevelStorage.open(dir, 'cluster-a', 2);
    expect(member.ok ? 'opened' : member.error).toMatchObject({ kind: 'other-member' });
    // Rewrite the metadata as a future version would.
    const again = await LevelStorage.open(dir, 'cluster-a', 1);
    if (!again.ok) throw new Error('open');
    const payload = enc.encode(JSON.stringify({ format: 99, clusterId: 'cluster-a', raftId: 1 }));
    const { crc32 } = await import('node:zlib');
    const sealed = new Uint8Array(payload.length + 4);
    new DataView(sealed.buffer).setUint32(0, crc32(payload) >>> 0);
    sealed.set(payload, 4);
    await again.value.rawForTests().put('meta', sealed);
    await again.value.close();
    const newer = await LevelStorage.open(dir, 'cluster-a', 1);
    expect(newer.ok ? 'opened' : newer.error).toMatchObject({ kind: 'newer-format', found: 99 });
  });
});
