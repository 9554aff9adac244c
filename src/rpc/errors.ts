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
 * What a failure means beyond its status, for callers that must act on it
 * (go to the leader, stop, resend or not): they switch on this, never on
 * the wording of a message.
 * - `not-leader`: this manager cannot serve the call; the leader is at
 *   `leaderAddr` when one is known.
 * - `node-removed`: the calling node is no longer a member of the swarm.
 * - `transport`: the call got no answer from the server. `unsent`: no
 *   connection was ever ready, so the server cannot have seen it;
 *   `maybe-sent`: it may have been received and acted on.
 */
export type RpcErrorDetail =
  | { kind: 'not-leader'; leaderAddr?: string | undefined }
  | { kind: 'node-removed' }
  | { kind: 'transport'; sent: 'unsent' | 'maybe-sent' };

/** Trailing-metadata key of an answer's detail (JSON). */
const DETAIL_KEY = 'shoal-error-detail';
/** Trailing-metadata key every answer from an RpcServer carries: the server, not the transport, produced it. */
const ANSWERED_KEY = 'shoal-answered';

function parseDetail(text: unknown): RpcErrorDetail | undefined {
  if (typeof text !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const d = value as { kind?: unknown; leaderAddr?: unknown };
  switch (d.kind) {
    case 'not-leader':
      return { kind: 'not-leader', leaderAddr: typeof d.leaderAddr === 'string' && d.leaderAddr ? d.leaderAddr : undefined };
    case 'node-removed':
      return { kind: 'node-removed' };
    default:
      // A transport detail describes a server's own outgoing call, never this one: not accepted off the wire.
      return undefined;
  }
}

function metadataOf(error: unknown): Metadata | undefined {
  const m = (error as { metadata?: unknown } | undefined)?.metadata;
  return m instanceof Metadata ? m : undefined;
}

/** Whether a grpc-js client error is an answer from a shoal server (rather than the transport's or grpc-js's own). */
export function answeredByServer(error: unknown): boolean {
  return (metadataOf(error)?.get(ANSWERED_KEY).length ?? 0) > 0;
}

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
    /** What the failure means for the caller, when it must act on it. */
    readonly detail?: RpcErrorDetail,
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
    const metadata = new Metadata();
    metadata.set(ANSWERED_KEY, '1');
    // A transport detail is about a call this server made, not the one it answers.
    if (this.detail && this.detail.kind !== 'transport') metadata.set(DETAIL_KEY, JSON.stringify(this.detail));
    return { code: this.code, details: this.message, metadata };
  }

  /** Turns a grpc-js client error (or anything thrown) into an RpcError. */
  static from(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    const e = error as Partial<ServiceError> | undefined;
    if (e && typeof e.code === 'number') {
      const kind = CODE_TO_KIND.get(e.code) ?? 'internal';
      return new RpcError(kind, e.details || e.message || kind, parseDetail(metadataOf(error)?.get(DETAIL_KEY)[0]));
    }
    return new RpcError('internal', error instanceof Error ? error.message : String(error));
  }
}
