import { RpcError } from '../../rpc/index.js';
import type { ApplyError, ResolveError } from '../store/index.js';

/** A store rejection as the caller sees it. */
export function applyFailure(error: ApplyError): RpcError {
  switch (error.kind) {
    case 'conflict':
      return new RpcError('failed-precondition', `update out of sequence: ${error.message}`);
    case 'name-taken':
      return new RpcError('already-exists', `name conflicts with an existing object: ${error.message}`);
    case 'not-found':
      return new RpcError('not-found', error.message);
    case 'invalid':
      return new RpcError('invalid-argument', error.message);
  }
}

/** A failed lookup by ID, name or prefix, in Docker's words. */
export function resolveFailure(error: ResolveError): RpcError {
  return new RpcError(error.kind === 'ambiguous' ? 'invalid-argument' : 'not-found', error.message);
}

/** Throws unless the batch applied; returns nothing useful otherwise. */
export function mustApply(result: { ok: true } | { ok: false; error: ApplyError }): void {
  if (!result.ok) throw applyFailure(result.error);
}
