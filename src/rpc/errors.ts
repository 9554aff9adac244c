import { status, type ServiceError, Metadata } from '@grpc/grpc-js';

/** What went wrong on a call, as callers switch on it. */
export type RpcErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'already-exists'
  | 'failed-precondition'
  | 'permission-denied'
  | 'unauthenticated'
  | 'unavailable'
  | 'deadline-exceeded'
  | 'cancelled'
  | 'resource-exhausted'
  | 'unimplemented'
  | 'internal';

const KIND_TO_CODE: Record<RpcErrorKind, status> = {
  'invalid-argument': status.INVALID_ARGUMENT,
  'not-found': status.NOT_FOUND,
  'already-exists': status.ALREADY_EXISTS,
  'failed-precondition': status.FAILED_PRECONDITION,
  'permission-denied': status.PERMISSION_DENIED,
  unauthenticated: status.UNAUTHENTICATED,
  unavailable: status.UNAVAILABLE,
  'deadline-exceeded': status.DEADLINE_EXCEEDED,
  cancelled: status.CANCELLED,
  'resource-exhausted': status.RESOURCE_EXHAUSTED,
  unimplemented: status.UNIMPLEMENTED,
  internal: status.INTERNAL,
};

const CODE_TO_KIND = new Map<number, RpcErrorKind>(Object.entries(KIND_TO_CODE).map(([k, c]) => [c, k as RpcErrorKind]));

/**
 * A typed gRPC failure. Handlers throw it to answer with a status; clients
 * receive it. `transient` marks failures worth retrying with backoff
 * (the peer was unreachable or busy), and nothing else is retried.
 */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
  ) {
    super(message);
  }

  /** gRPC status code for this kind. */
  get code(): status {
    return KIND_TO_CODE[this.kind];
  }

  /** True for failures that may succeed when retried later. */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'resource-exhausted';
  }

  /** Converts to what grpc-js expects in a handler callback. */
  toServiceError(): Partial<ServiceError> {
    return { code: this.code, details: this.message, metadata: new Metadata() };
  }

  /** Turns a grpc-js client error (or anything thrown) into an RpcError. */
  static from(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    const e = error as Partial<ServiceError> | undefined;
    if (e && typeof e.code === 'number') {
      const kind = CODE_TO_KIND.get(e.code) ?? 'internal';
      return new RpcError(kind, e.details || e.message || kind);
    }
    return new RpcError('internal', error instanceof Error ? error.message : String(error));
  }
}
