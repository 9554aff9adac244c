// Docker's way of finding an object from what a user typed: an exact ID,
// then an exact name, then a unique ID prefix, with Docker's error wording.
import type { Result } from '../../common/result.js';
import { err, ok } from '../../common/result.js';
import type { AnyObject, ObjectKind } from './kinds.js';

/** Why a reference did not resolve to exactly one object. */
export interface ResolveError {
  kind: 'not-found' | 'ambiguous';
  message: string;
}

/** The lookups resolution needs. */
export interface ResolveLookups<T extends AnyObject> {
  byId(id: string): T | undefined;
  byName(name: string): T[];
  byIdPrefix(prefix: string): T[];
}

/** Resolves `ref` to one object of `kind` the way Docker's daemon does. */
export function resolveRef<T extends AnyObject>(kind: ObjectKind, ref: string, lookups: ResolveLookups<T>): Result<T, ResolveError> {
  if (ref === '') return err({ kind: 'not-found', message: `No such ${kind}: ${ref}` });
  const exact = lookups.byId(ref);
  if (exact !== undefined) return ok(exact);
  const named = lookups.byName(ref);
  if (named.length > 1) return err({ kind: 'ambiguous', message: `${kind} ${ref} is ambiguous (${named.length} matches found)` });
  if (named[0] !== undefined) return ok(named[0]);
  const prefixed = lookups.byIdPrefix(ref);
  if (prefixed.length > 1) return err({ kind: 'ambiguous', message: `${kind} ${ref} is ambiguous (${prefixed.length} matches found)` });
  if (prefixed[0] !== undefined) return ok(prefixed[0]);
  return err({ kind: 'not-found', message: `No such ${kind}: ${ref}` });
}
