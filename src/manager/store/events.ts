// What the store tells its watchers after each applied batch.
import type { ObjectByKind, ObjectKind } from './kinds.js';

/** How an object changed. */
export type ChangeAction = 'create' | 'update' | 'remove';

/** One object's change; for 'remove', `object` is what was removed. */
export type StoreEvent = {
  [K in ObjectKind]: { kind: K; action: ChangeAction; object: ObjectByKind[K]; previous?: ObjectByKind[K] | undefined };
}[ObjectKind];

/** All changes of one applied batch, in the batch's order. */
export interface StoreChangeSet {
  logIndex: number;
  proposalId: string;
  proposedAtMs: number;
  events: readonly StoreEvent[];
}

/** Called synchronously after a batch is applied; must not write to the store. */
export type StoreListener = (changes: StoreChangeSet) => void;

/** Why a batch was rejected; the same on every manager. */
export interface ApplyError {
  kind: 'conflict' | 'name-taken' | 'not-found' | 'invalid';
  message: string;
}

/** The outcome of applying one batch, which the proposer matches by proposalId. */
export type ApplyResult = { ok: true; events: readonly StoreEvent[] } | { ok: false; error: ApplyError };
