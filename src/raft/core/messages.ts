// Building and sanity-checking RaftMessages. Everything from the network is
// checked here before the state machine sees it: a malformed message is
// dropped, never allowed to trip an assertion.
import type { RaftEntry, RaftMessage, RaftMessage_Type } from '../../gen/index.js';
import type { RaftId } from './types.js';

const EMPTY = new Uint8Array(0);

/** A complete message with proto3 defaults for everything not given. */
export function makeMessage(type: RaftMessage_Type, from: RaftId, to: RaftId, term: number, fields: Partial<RaftMessage> = {}): RaftMessage {
  return {
    type,
    from,
    to,
    term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: EMPTY,
    snapshot: undefined,
    chunkOffset: 0,
    chunk: EMPTY,
    chunkLast: false,
    ...fields,
  };
}

/** Context marking a vote request as a leadership transfer, which bypasses leader leases. */
export const TRANSFER_CONTEXT = new Uint8Array([0x74, 0x72, 0x61, 0x6e, 0x73, 0x66, 0x65, 0x72]); // "transfer"

/** Whether the bytes equal TRANSFER_CONTEXT. */
export function isTransferContext(ctx: Uint8Array): boolean {
  if (ctx.length !== TRANSFER_CONTEXT.length) return false;
  for (let i = 0; i < ctx.length; i++) if (ctx[i] !== TRANSFER_CONTEXT[i]) return false;
  return true;
}

const isId = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** Why a message from the network is unusable, or undefined if it is well-formed for `self`. */
export function checkMessage(m: RaftMessage, self: RaftId): string | undefined {
  if (!isId(m.from)) return 'bad from';
  if (m.from === self) return 'from self';
  if (m.to !== self) return `addressed to ${m.to}`;
  if (!isCount(m.term) || !isCount(m.logTerm) || !isCount(m.index) || !isCount(m.commit) || !isCount(m.rejectHint) || !isCount(m.chunkOffset)) return 'bad number';
  if (m.entries.length > 0) {
    if (m.type !== 'APPEND') return 'entries on non-append';
    let prev: RaftEntry | undefined;
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i];
      if (!e) return 'hole in entries';
      if (e.index !== m.index + 1 + i) return 'entries not contiguous';
      if (!isId(e.term) || e.term > m.term) return 'entry term out of range';
      if (e.term < m.logTerm && i === 0) return 'entry term below previous';
      if (prev && e.term < prev.term) return 'entry terms decrease';
      prev = e;
    }
  }
  if (m.type === 'SNAPSHOT_CHUNK' || m.type === 'SNAPSHOT_RESPONSE') {
    if (m.type === 'SNAPSHOT_CHUNK' && (!m.snapshot || !isCount(m.snapshot.index) || !isCount(m.snapshot.term))) return 'chunk without metadata';
  }
  if (m.term === 0) return 'term 0';
  return undefined;
}
