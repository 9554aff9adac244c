// The rule swarmkit applies to UpdateSecret and UpdateConfig: only labels
// can change. Pure: the stored payload comes in already opened, and the
// verdict names the object but never carries a byte of its data.
import { timingSafeEqual } from 'node:crypto';

/** What an update may not change, and what it asks for. */
export interface DataObjectUpdate {
  readonly kind: 'secret' | 'config';
  /** The stored object's name. */
  readonly name: string;
  /** The stored payload (a secret opened with the cluster's data key). */
  readonly data: Uint8Array;
  readonly requestedName: string;
  /** Empty means "labels only, do not compare", as swarmkit treats nil data. */
  readonly requestedData: Uint8Array;
}

/**
 * Whether two payloads are equal, in time that does not depend on where
 * they differ (swarmkit uses subtle.ConstantTimeCompare). Only the length
 * can leak, and timingSafeEqual needs equal lengths anyway.
 */
export function sameData(stored: Uint8Array, requested: Uint8Array): boolean {
  if (stored.length !== requested.length) return false;
  return timingSafeEqual(stored, requested);
}

/** Why the update is refused, as one line naming the object and the fix; undefined when only labels differ. */
export function labelsOnlyProblem(update: DataObjectUpdate): string | undefined {
  const { kind, name, requestedName } = update;
  if (requestedName !== name) {
    return `${kind} ${name} cannot be renamed to ${requestedName || '""'}: only its labels can be updated; create a new ${kind} named ${requestedName || 'NAME'} instead`;
  }
  if (update.requestedData.length > 0 && !sameData(update.data, update.requestedData)) {
    return `${kind} ${name} already exists with different content, and ${kind}s cannot be changed: put the new content under a new name (e.g. ${name}_v2, "name: ${name}_v2" in a Compose file) and point the services at it`;
  }
  return undefined;
}
