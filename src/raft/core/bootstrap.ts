// How a brand-new cluster gets its first configuration: every initial
// member starts from the same committed CONF_CHANGE entries (term 1), so a
// member added later learns the founders by replaying the log like any
// other change, instead of from out-of-band state.
import type { ConfChange, RaftEntry } from '../../gen/index.js';
import { codec } from '../../gen/index.js';
import type { InitialState, RaftId } from './types.js';

const EMPTY = new Uint8Array(0);

/** Entries that build the first configuration of a new cluster: all members hold the same ones. */
export function bootstrapEntries(voters: readonly RaftId[]): RaftEntry[] {
  return voters.map((id, i) => ({
    term: 1,
    index: i + 1,
    type: 'CONF_CHANGE' as const,
    data: codec.ConfChange.encode({ type: 'PROMOTE', nodeId: id, context: EMPTY }),
  }));
}

/** Initial state of a member of a brand new cluster (see bootstrapEntries). */
export function bootstrapState(voters: readonly RaftId[]): InitialState {
  const entries = bootstrapEntries(voters);
  return { hardState: { term: 1, vote: 0, commit: entries.length }, entries };
}

/** Decode a CONF_CHANGE entry's payload. */
export function decodeConfChange(e: RaftEntry): ConfChange {
  return codec.ConfChange.decode(e.data);
}

