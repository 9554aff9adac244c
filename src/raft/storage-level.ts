// Raft's stable storage in `level`: hard state, log entries and the latest
// snapshot. Every write the core needs durable is one synced batch, done
// before anything from the same Ready is acknowledged (only a leader's
// appends leave earlier; see node.ts). Each record
// carries a CRC32 so a torn or corrupted tail is found at start and cut
// (it can only hold entries nobody was told about). A data dir belongs to
// one cluster and one format; anything else is refused with a clear error.
import { crc32 } from 'node:zlib';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { HardState, RaftEntry } from '../gen/index.js';
import { codec } from '../gen/index.js';
import type { Result } from '../common/result.js';
import { err, ok } from '../common/result.js';
import type { InitialState, LogIndex, RaftId, Ready, Snapshot } from './core/index.js';

/** On-disk format written by this code. Bump on incompatible change. */
export const STORAGE_FORMAT = 1;

/** Why a data directory cannot be used. */
export type StorageOpenError =
  | { kind: 'other-cluster'; found: string; expected: string }
  | { kind: 'other-member'; found: RaftId; expected: RaftId }
  | { kind: 'newer-format'; found: number; supported: number }
  | { kind: 'corrupt'; detail: string }
  | { kind: 'io'; detail: string };

/** What a load found and repaired. */
export interface LoadReport {
  entries: number;
  /** Entries dropped from the tail because their checksum or sequence was wrong. */
  tornEntriesDropped: number;
}

interface Meta {
  format: number;
  clusterId: string;
  raftId: RaftId;
}

const META = 'meta';
const HARD_STATE = 'hs';
const SNAPSHOT_META = 'snap:meta';
/** Where snapshots taken before they moved to files kept their data (still read). */
const SNAPSHOT_DATA = 'snap:data';
/** Which file under SNAPSHOT_DIR holds the snapshot's data, with its CRC32 and size. */
const SNAPSHOT_FILE = 'snap:file';
const SNAPSHOT_DIR = 'snapshots';
/** Compacted entries deleted per batch: small batches interleave with the log's own writes. */
const COMPACTION_DELETE_BATCH = 1_000;
const ENTRY_PREFIX = 'e:';
const enc = new TextEncoder();
const dec = new TextDecoder();

function entryKey(index: LogIndex): string {
  return ENTRY_PREFIX + index.toString(16).padStart(16, '0');
}

/** Value with a CRC32 of the payload in its first four bytes. */
function seal(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  new DataView(out.buffer).setUint32(0, crc32(payload) >>> 0);
  out.set(payload, 4);
  return out;
}

function unseal(value: Uint8Array): Uint8Array | undefined {
  if (value.length < 4) return undefined;
  const payload = value.subarray(4);
  const want = new DataView(value.buffer, value.byteOffset, 4).getUint32(0);
  return (crc32(payload) >>> 0) === want ? payload : undefined;
}

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/** Raft's durable state for one member, in one level database. */
export class LevelStorage {
  private firstIndex: LogIndex = 1;
  private lastIndex: LogIndex = 0;
  private savedTerm = 0;
  private savedVote = 0;

  private constructor(private readonly db: Level<string, Uint8Array>, readonly dir: string) {}

  /**
   * Open (or create) the store for member `raftId` of `clusterId`. A store
   * that belongs to another cluster or member, or was written by a newer
   * shoal, is refused.
   */
  static async open(dir: string, clusterId: string, raftId: RaftId): Promise<Result<LevelStorage, StorageOpenError>> {
    const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (e) {
      return err({ kind: 'io', detail: `cannot open ${dir}: ${(e as Error).message}` });
    }
    const storage = new LevelStorage(db, dir);
    const raw = await db.get(META);
    if (raw === undefined) {
      const meta: Meta = { format: STORAGE_FORMAT, clusterId, raftId };
      await db.put(META, seal(enc.encode(JSON.stringify(meta))), { sync: true });
      return ok(storage);
    }
    const payload = unseal(raw);
    let meta: Meta;
    try {
      if (!payload) throw new Error('checksum mismatch');
      meta = JSON.parse(dec.decode(payload)) as Meta;
    } catch (e) {
      await db.close();
      return err({ kind: 'corrupt', detail: `${dir}: unreadable metadata (${(e as Error).message})` });
    }
    if (meta.format > STORAGE_FORMAT) {
      await db.close();
      return err({ kind: 'newer-format', found: meta.format, supported: STORAGE_FORMAT });
    }
    if (meta.clusterId !== clusterId) {
      await db.close();
      return err({ kind: 'other-cluster', found: meta.clusterId, expected: clusterId });
    }
    if (meta.raftId !== raftId) {
      await db.close();
      return err({ kind: 'other-member', found: meta.raftId, expected: raftId });
    }
    return ok(storage);
  }

  /** Read everything back for the core, cutting a torn tail. */
  async load(): Promise<Result<{ state: InitialState; report: LoadReport }, StorageOpenError>> {
    const hsRaw = await this.db.get(HARD_STATE);
    let hardState: HardState = { term: 0, vote: 0, commit: 0 };
    if (hsRaw !== undefined) {
      const p = unseal(hsRaw);
      if (!p) return err({ kind: 'corrupt', detail: `${this.dir}: hard state checksum mismatch` });
      hardState = codec.HardState.decode(p);
    }
    this.savedTerm = hardState.term;
    this.savedVote = hardState.vote;
    let snapshot: Snapshot | undefined;
    const metaRaw = await this.db.get(SNAPSHOT_META);
    if (metaRaw !== undefined) {
      const m = unseal(metaRaw);
      const data = await this.readSnapshotData();
      if (!m || !data) return err({ kind: 'corrupt', detail: `${this.dir}: snapshot checksum mismatch` });
      snapshot = { meta: codec.SnapshotMetadata.decode(m), data: new Uint8Array(data) };
    }
    const snapIndex = snapshot?.meta.index ?? 0;
    const entries: RaftEntry[] = [];
    const staleKeys: string[] = [];
    let torn = 0;
    let broken = false;
    for await (const [key, value] of this.db.iterator({ gte: ENTRY_PREFIX, lt: `${ENTRY_PREFIX}~` })) {
      const index = parseInt(key.slice(ENTRY_PREFIX.length), 16);
      if (index <= snapIndex) {
        staleKeys.push(key); // left over from before the snapshot; compaction was interrupted
        continue;
      }
      if (broken) {
        torn++;
        staleKeys.push(key);
        continue;
      }
      const payload = unseal(value);
      const e = payload ? codec.RaftEntry.decode(payload) : undefined;
      if (!e || e.index !== snapIndex + entries.length + 1) {
        broken = true;
        torn++;
        staleKeys.push(key);
        continue;
      }
      entries.push(e);
    }
    this.firstIndex = snapIndex + 1;
    this.lastIndex = snapIndex + entries.length;
    if (hardState.commit > this.lastIndex) {
      return err({ kind: 'corrupt', detail: `${this.dir}: commit index ${hardState.commit} beyond the last intact entry ${this.lastIndex}` });
    }
    if (staleKeys.length > 0) await this.db.batch(staleKeys.map((key) => ({ type: 'del' as const, key })), { sync: true });
    return ok({ state: { hardState, snapshot, entries }, report: { entries: entries.length, tornEntriesDropped: torn } });
  }

  /**
   * Persist what a Ready asks for in one batch, synced whenever it holds
   * entries, a snapshot, or a new term or vote. A batch that only moves the
   * commit index is not synced (as in etcd): a lost commit index is learned
   * again from the leader and costs nothing but re-applying entries.
   */
  async save(rd: Ready): Promise<void> {
    const ops: BatchOp[] = [];
    if (rd.snapshot) {
      for (let i = this.firstIndex; i <= this.lastIndex; i++) ops.push({ type: 'del', key: entryKey(i) });
      await this.putSnapshot(ops, rd.snapshot);
      this.firstIndex = rd.snapshot.meta.index + 1;
      this.lastIndex = rd.snapshot.meta.index;
    }
    const first = rd.entries[0];
    if (first) {
      const last = rd.entries[rd.entries.length - 1] as RaftEntry;
      for (const e of rd.entries) ops.push({ type: 'put', key: entryKey(e.index), value: seal(codec.RaftEntry.encode(e)) });
      // A shorter replacement suffix: drop what is left of the old one.
      for (let i = last.index + 1; i <= this.lastIndex; i++) ops.push({ type: 'del', key: entryKey(i) });
      this.lastIndex = last.index;
    }
    let sync = rd.entries.length > 0 || rd.snapshot !== undefined;
    if (rd.hardState) {
      ops.push({ type: 'put', key: HARD_STATE, value: seal(codec.HardState.encode(rd.hardState)) });
      if (rd.hardState.term !== this.savedTerm || rd.hardState.vote !== this.savedVote) sync = true;
      this.savedTerm = rd.hardState.term;
      this.savedVote = rd.hardState.vote;
    }
    if (ops.length > 0) await this.db.batch(ops, { sync });
    if (rd.snapshot) await this.removeOlderSnapshotFiles(rd.snapshot);
  }

  /**
   * Store a locally taken snapshot and drop entries up to `compactTo`,
   * without holding up the log's own writes: the data goes to its own file
   * (written and synced off the database's write queue), the database gets
   * only the small record naming it, and compacted entries are deleted a
   * small batch at a time. A crash in between leaves entries the snapshot
   * covers, which load() drops.
   */
  async saveSnapshot(snapshot: Snapshot, compactTo: LogIndex): Promise<void> {
    const ops: BatchOp[] = [];
    await this.putSnapshot(ops, snapshot);
    await this.db.batch(ops, { sync: true });
    await this.removeOlderSnapshotFiles(snapshot);
    const from = this.firstIndex;
    this.firstIndex = Math.max(this.firstIndex, compactTo + 1);
    for (let start = from; start <= compactTo; start += COMPACTION_DELETE_BATCH) {
      const dels: BatchOp[] = [];
      for (let i = start; i <= Math.min(compactTo, start + COMPACTION_DELETE_BATCH - 1); i++) dels.push({ type: 'del', key: entryKey(i) });
      await this.db.batch(dels, { sync: false });
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Test hook: the raw database, to simulate damage. */
  rawForTests(): Level<string, Uint8Array> {
    return this.db;
  }

  /** Writes the snapshot's data file (synced) and adds the records naming it to `ops`. */
  private async putSnapshot(ops: BatchOp[], s: Snapshot): Promise<void> {
    const name = snapshotFileName(s);
    const dir = join(this.dir, SNAPSHOT_DIR);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${name}.tmp`);
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(s.data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(dir, name));
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync(); // the rename itself survives a crash
    } finally {
      await dirHandle.close();
    }
    const ref: SnapshotFileRef = { name, crc32: await crc32InSlices(s.data), bytes: s.data.length };
    ops.push({ type: 'put', key: SNAPSHOT_META, value: seal(codec.SnapshotMetadata.encode(s.meta)) });
    ops.push({ type: 'put', key: SNAPSHOT_FILE, value: seal(enc.encode(JSON.stringify(ref))) });
    ops.push({ type: 'del', key: SNAPSHOT_DATA });
  }

  /** The current snapshot's data: from its file, or from the database where older versions kept it. */
  private async readSnapshotData(): Promise<Uint8Array | undefined> {
    const refRaw = await this.db.get(SNAPSHOT_FILE);
    if (refRaw === undefined) {
      const d = await this.db.get(SNAPSHOT_DATA);
      return d === undefined ? undefined : unseal(d);
    }
    const payload = unseal(refRaw);
    if (!payload) return undefined;
    const ref = JSON.parse(dec.decode(payload)) as SnapshotFileRef;
    let data: Uint8Array;
    try {
      data = new Uint8Array(await readFile(join(this.dir, SNAPSHOT_DIR, ref.name)));
    } catch {
      return undefined;
    }
    return data.length === ref.bytes && (crc32(data) >>> 0) === ref.crc32 ? data : undefined;
  }

  private async removeOlderSnapshotFiles(current: Snapshot): Promise<void> {
    const keep = snapshotFileName(current);
    const dir = join(this.dir, SNAPSHOT_DIR);
    for (const name of await readdir(dir)) if (name !== keep) await rm(join(dir, name), { force: true });
  }
}

/** Which file holds a snapshot's data, and how to know it is intact. */
interface SnapshotFileRef {
  name: string;
  crc32: number;
  bytes: number;
}

/** CRC32 of a large buffer a megabyte at a time, yielding in between (the Raft loop shares this thread). */
async function crc32InSlices(data: Uint8Array): Promise<number> {
  const sliceBytes = 1 << 20;
  let value = 0;
  for (let offset = 0; offset < data.length; offset += sliceBytes) {
    value = crc32(data.subarray(offset, offset + sliceBytes), value);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return value >>> 0;
}

function snapshotFileName(s: Snapshot): string {
  return `${s.meta.term.toString(16).padStart(16, '0')}-${s.meta.index.toString(16).padStart(16, '0')}.snap`;
}

/** The key an entry is stored under (tests use it to damage the tail). */
export const storageKeyForEntry = entryKey;

/** A one-line description of an open error for logs and CLI output. */
export function describeStorageError(e: StorageOpenError): string {
  switch (e.kind) {
    case 'other-cluster':
      return `raft data belongs to cluster ${e.found}, not ${e.expected}; refusing to mix clusters (move the data dir away or use --force-new-cluster)`;
    case 'other-member':
      return `raft data belongs to member ${e.found}, not ${e.expected}`;
    case 'newer-format':
      return `raft data was written by a newer shoal (format ${e.found}, this build supports ${e.supported}); upgrade shoal`;
    case 'corrupt':
      return `raft data is corrupt: ${e.detail}`;
    case 'io':
      return `raft data cannot be opened: ${e.detail}`;
  }
}
