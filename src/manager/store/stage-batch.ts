// Validation of a whole batch before any of it is applied: actions are
// checked in order against the store as earlier actions of the same batch
// would leave it, so a batch applies all or nothing, identically everywhere.
import { isAfter, isTerminal } from '../../common/task-state.js';
import type { StoreBatch } from '../../gen/index.js';
import type { ApplyError } from './events.js';
import { type AnyObject, type ObjectKind, type Tagged, UNIQUE_NAME_KINDS, nameOf, unwrap, versionOf } from './kinds.js';
import type { Result } from '../../common/result.js';
import { err, ok } from '../../common/result.js';

/** One validated write: `next` undefined means removal. */
export interface StagedWrite {
  kind: ObjectKind;
  id: string;
  next: AnyObject | undefined;
  previous: AnyObject | undefined;
}

/** What staging needs to read from the committed store. */
export interface StagingView {
  get(kind: ObjectKind, id: string): AnyObject | undefined;
  idsNamed(kind: ObjectKind, name: string): ReadonlySet<string>;
}

/** Checks every action of the batch and returns the writes to commit, stamped with version and times. */
export function stageBatch(view: StagingView, batch: StoreBatch, logIndex: number): Result<StagedWrite[], ApplyError> {
  const overlay = new Map<string, AnyObject | null>();
  const stagedNames = new Map<string, string>();
  const current = (kind: ObjectKind, id: string): AnyObject | undefined => {
    const key = `${kind}\0${id}`;
    return overlay.has(key) ? (overlay.get(key) ?? undefined) : view.get(kind, id);
  };
  const nameOwner = (kind: ObjectKind, name: string): string | undefined => {
    const candidates = [...view.idsNamed(kind, name)];
    const staged = stagedNames.get(`${kind}\0${name}`);
    if (staged !== undefined) candidates.push(staged);
    return candidates.find((id) => {
      const object = current(kind, id);
      return object !== undefined && nameOf({ kind, object } as Tagged) === name;
    });
  };

  const writes: StagedWrite[] = [];
  for (const [position, action] of batch.actions.entries()) {
    const tagged = unwrap(action.object);
    if (tagged === undefined) return err({ kind: 'invalid', message: `action ${position}: the object must have exactly one kind set` });
    const { kind, object } = tagged;
    if (object.id === '') return err({ kind: 'invalid', message: `action ${position}: ${kind} has no ID` });
    const previous = current(kind, object.id);
    const what = `${kind} ${object.id}`;
    switch (action.kind) {
      case 'CREATE':
        if (previous !== undefined) return err({ kind: 'conflict', message: `${what} already exists` });
        break;
      case 'UPDATE':
        if (previous === undefined) return err({ kind: 'not-found', message: `${what} not found` });
        if (versionOf(object) !== versionOf(previous)) {
          return err({ kind: 'conflict', message: `${what} was changed since version ${versionOf(object)} (now ${versionOf(previous)}): read it again and retry` });
        }
        break;
      case 'REMOVE':
        if (previous === undefined) return err({ kind: 'not-found', message: `${what} not found` });
        overlay.set(`${kind}\0${object.id}`, null);
        writes.push({ kind, id: object.id, next: undefined, previous });
        continue;
      case 'UPSERT':
        break;
      case 'SET_STATUS': {
        const merged = mergeStatus(tagged, previous, position, batch.proposedAtMs);
        if (!merged.ok) return merged;
        if (merged.value === undefined) continue; // stale or about a removed object: nothing to write
        const next = stamp(merged.value, previous, logIndex, batch.proposedAtMs);
        overlay.set(`${kind}\0${object.id}`, next);
        writes.push({ kind, id: object.id, next, previous });
        continue;
      }
    }
    const name = nameOf(tagged);
    if (UNIQUE_NAME_KINDS.has(kind) && name !== '') {
      const owner = nameOwner(kind, name);
      if (owner !== undefined && owner !== object.id) return err({ kind: 'name-taken', message: `${kind} name ${JSON.stringify(name)} is already in use by ${owner}` });
      stagedNames.set(`${kind}\0${name}`, object.id);
    }
    const next = stamp(object, previous, logIndex, batch.proposedAtMs);
    overlay.set(`${kind}\0${object.id}`, next);
    writes.push({ kind, id: object.id, next, previous });
  }
  return ok(writes);
}

/**
 * The object carrying the store's version and the leader's times. A shallow
 * copy: the store takes ownership of the batch's nested objects (a deep copy
 * of every task costs more than the rest of apply) and never mutates them.
 */
function stamp(object: AnyObject, previous: AnyObject | undefined, logIndex: number, proposedAtMs: number): AnyObject {
  return {
    ...object,
    meta: { version: { index: logIndex }, createdAtMs: previous?.meta?.createdAtMs ?? proposedAtMs, updatedAtMs: proposedAtMs },
  };
}

/**
 * SET_STATUS: the reported status replaces only the stored object's status
 * (for nodes also what the node says about itself), so a report never
 * clobbers a concurrent change of desired state. Task states only move
 * forward: an older report is dropped. Reports about removed objects too.
 */
function mergeStatus(tagged: Tagged, previous: AnyObject | undefined, position: number, proposedAtMs: number): Result<AnyObject | undefined, ApplyError> {
  if (tagged.kind !== 'task' && tagged.kind !== 'node') {
    return err({ kind: 'invalid', message: `action ${position}: SET_STATUS applies to tasks and nodes only, not ${tagged.kind}` });
  }
  if (previous === undefined) return ok(undefined);
  switch (tagged.kind) {
    case 'task': {
      const stored = previous as typeof tagged.object;
      const reported = tagged.object.status;
      if (!reported) return ok(undefined);
      if (stored.status !== undefined && isAfter(stored.status.state, reported.state)) return ok(undefined);
      // The update monitor judges a failure by how long the task ran, on the leader's clock.
      const firstRun = reported.state === 'RUNNING' && stored.runningSinceMs === undefined;
      const ended = isTerminal(reported.state) && stored.endedAtMs === undefined;
      return ok({ ...stored, status: reported, ...(firstRun ? { runningSinceMs: proposedAtMs } : {}), ...(ended ? { endedAtMs: proposedAtMs } : {}) });
    }
    case 'node': {
      const stored = previous as typeof tagged.object;
      const { status, description, dataPathAddr } = tagged.object;
      return ok({ ...stored, status: status ?? stored.status, description: description ?? stored.description, dataPathAddr: dataPathAddr || stored.dataPathAddr });
    }
  }
}
