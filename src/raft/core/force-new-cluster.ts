// Disaster recovery (`swarm init --force-new-cluster`): a surviving manager
// keeps everything committed and becomes the only voter of a new
// configuration. Uncommitted entries are dropped (nobody was told they
// happened), every other member is removed by ordinary REMOVE entries that
// are committed by fiat in a new term, so the result is a normal log any
// member added later can replay.
import { codec } from '../../gen/index.js';
import type { ConfChange, RaftEntry } from '../../gen/index.js';
import { decodeConfChange } from './bootstrap.js';
import { Membership } from './membership.js';
import type { InitialState, RaftId } from './types.js';

/** The state to restart `self` with as the single voter of its cluster. */
export function forceNewClusterState(initial: InitialState, self: RaftId): InitialState {
  const snapIndex = initial.snapshot?.meta.index ?? 0;
  const commit = initial.hardState.commit;
  const committed = initial.entries.filter((e) => e.index <= commit);
  const membership = Membership.fromConfState(initial.snapshot?.meta.confState);
  for (const e of committed) {
    if (e.type !== 'CONF_CHANGE') continue;
    try {
      membership.apply(decodeConfChange(e));
    } catch {
      // skipped when applied too (see RaftCore.advance)
    }
  }
  const term = initial.hardState.term + 1;
  const entries: RaftEntry[] = [...committed];
  let index = snapIndex + committed.length;
  const others = membership.members().filter((id) => id !== self);
  const changes: ConfChange[] = others.map((nodeId) => ({ type: 'REMOVE', nodeId, context: new Uint8Array(0) }));
  if (!membership.isVoter(self)) changes.push({ type: 'PROMOTE', nodeId: self, context: new Uint8Array(0) });
  for (const cc of changes) entries.push({ term, index: ++index, type: 'CONF_CHANGE', data: codec.ConfChange.encode(cc) });
  // Without any change to make, a no-op marks the new term (and drops the uncommitted tail).
  if (changes.length === 0) entries.push({ term, index: ++index, type: 'NORMAL', data: new Uint8Array(0) });
  return { hardState: { term, vote: self, commit: index }, snapshot: initial.snapshot, entries };
}
