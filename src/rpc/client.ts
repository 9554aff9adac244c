import { connectivityState, makeGenericClientConstructor, type ChannelInterface, type Client, type ClientReadableStream, type ClientWritableStream, type ClientDuplexStream, Metadata, type CallOptions } from '@grpc/grpc-js';
import type { Method } from '../gen/index.js';
import { bootstrapCredentials, clientCredentials, type ServerExpectation, type TlsMaterial } from './credentials.js';
import { answeredByServer, RpcError } from './errors.js';
import { channelOptions, DEFAULT_DEADLINE_MS } from './limits.js';

/** Per-call options; unary calls always get a deadline. */
export interface CallOpts {
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** The client function a method gets, by its streaming kind. */
export type ClientMethod<M> =
  M extends Method<infer Req, infer Res, false, false> ? (request: Req, opts?: CallOpts) => Promise<Res>
  : M extends Method<infer Req, infer Res, false, true> ? (request: Req, opts?: CallOpts) => ClientReadableStream<Res> & { __req?: Req }
  : M extends Method<infer Req, infer Res, true, false> ? (opts: CallOpts | undefined, done: (error: RpcError | null, response?: Res) => void) => ClientWritableStream<Req>
  : M extends Method<infer Req, infer Res, true, true> ? (opts?: CallOpts) => ClientDuplexStream<Req, Res>
  : never;

/** A typed client for one generated service. */
export type RpcClient<S> = { [K in keyof S]: ClientMethod<S[K]> } & { close(): void; waitForReady(deadlineMs?: number): Promise<void> };

/** How to reach and trust the server. */
export interface ClientOptions {
  /** Node TLS material; omit for the local Unix socket. */
  tls?: TlsMaterial | undefined;
  /** Joining nodes only: TLS without verifying the server yet (see bootstrapCredentials). */
  bootstrap?: boolean;
  expect?: ServerExpectation;
  defaultDeadlineMs?: number;
}

type AnyMethod = Method<any, any, boolean, boolean>;

/**
 * Makes a typed client for `target` (`unix:///path` or `host:port`). Unary
 * methods return promises that reject with RpcError; streaming methods
 * return grpc-js streams (async-iterable for server streams).
 */
export function createClient<S extends Record<string, AnyMethod>>(definition: S, target: string, options: ClientOptions = {}): RpcClient<S> {
  const Ctor = makeGenericClientConstructor(definition, 'shoal');
  const creds = options.bootstrap ? bootstrapCredentials() : clientCredentials(target.startsWith('unix:') ? undefined : options.tls, options.expect);
  // Certificates name node IDs, not hosts; a fixed SNI avoids sending IPs as server names.
  const tlsOptions = target.startsWith('unix:') ? {} : { 'grpc.ssl_target_name_override': 'shoal', 'grpc.default_authority': 'shoal' };
  const client = new Ctor(target, creds, { ...channelOptions, ...tlsOptions }) as unknown as Client & Record<string, (...args: unknown[]) => unknown>;
  const defaultDeadlineMs = options.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
  const readiness = new ChannelReadiness(client.getChannel());
  const out: Record<string, unknown> = {
    close: () => client.close(),
    waitForReady: (deadlineMs = defaultDeadlineMs) =>
      new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + deadlineMs, (error) => (error ? reject(new RpcError('unavailable', `cannot reach ${target}: ${error.message}`, { kind: 'transport', sent: 'unsent' })) : resolve())),
      ),
  };
  for (const [name, method] of Object.entries(definition)) {
    const call = client[name];
    if (!call) throw new Error(`generated client lacks ${method.path}`);
    const callOptions = (opts: CallOpts | undefined, unary: boolean): CallOptions => {
      const deadlineMs = opts?.deadlineMs ?? (unary ? defaultDeadlineMs : undefined);
      return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
    };
    const cancelOn = (stream: { cancel(): void }, signal: AbortSignal | undefined): void => {
      if (signal) signal.addEventListener('abort', () => stream.cancel(), { once: true });
    };
    if (!method.requestStream && !method.responseStream) {
      out[name] = (request: unknown, opts?: CallOpts) =>
        new Promise((resolve, reject) => {
          const mark = readiness.mark();
          const c = call.call(client, request, new Metadata(), callOptions(opts, true), (error: unknown, response: unknown) =>
            error ? reject(classifyFailure(error, target, readiness.couldHaveSent(mark))) : resolve(response),
          ) as { cancel(): void };
          cancelOn(c, opts?.signal);
        });
    } else if (!method.requestStream) {
      out[name] = (request: unknown, opts?: CallOpts) => {
        const stream = call.call(client, request, new Metadata(), callOptions(opts, false)) as ClientReadableStream<unknown>;
        cancelOn(stream, opts?.signal);
        return stream;
      };
    } else if (!method.responseStream) {
      out[name] = (opts: CallOpts | undefined, done: (error: RpcError | null, response?: unknown) => void) => {
        const stream = call.call(client, new Metadata(), callOptions(opts, false), (error: unknown, response: unknown) => done(error ? RpcError.from(error) : null, response)) as ClientWritableStream<unknown>;
        cancelOn(stream, opts?.signal);
        return stream;
      };
    } else {
      out[name] = (opts?: CallOpts) => {
        const stream = call.call(client, new Metadata(), callOptions(opts, false)) as ClientDuplexStream<unknown, unknown>;
        cancelOn(stream, opts?.signal);
        return stream;
      };
    }
  }
  return out as RpcClient<S>;
}

/** Status kinds grpc-js produces itself when a call gets no answer. */
const TRANSPORT_KINDS: ReadonlySet<string> = new Set(['unavailable', 'deadline-exceeded', 'cancelled']);

/**
 * A failed unary call as callers see it: the server's answer with its
 * detail, or a transport failure marked as such (with whether the call may
 * have been sent) and naming the target, so it cannot pass for a failure
 * the server reported.
 */
function classifyFailure(error: unknown, target: string, couldHaveSent: boolean): RpcError {
  const e = RpcError.from(error);
  if (answeredByServer(error) || !TRANSPORT_KINDS.has(e.kind)) return e;
  const message = e.kind === 'unavailable' && !e.message.includes(target) ? `cannot reach ${target}: ${e.message}` : e.message;
  return new RpcError(e.kind, message, { kind: 'transport', sent: couldHaveSent ? 'maybe-sent' : 'unsent' });
}

/**
 * Follows a channel's connectivity, so a failed call can tell whether it
 * could have been written to a connection: only if the channel was ready
 * when the call started or became ready before it failed.
 */
class ChannelReadiness {
  private timesReady = 0;

  constructor(private readonly channel: ChannelInterface) {
    this.follow(channel.getConnectivityState(false));
  }

  /** Taken when a call starts; -1 when a connection is ready already. */
  mark(): number {
    return this.channel.getConnectivityState(false) === connectivityState.READY ? -1 : this.timesReady;
  }

  /** Whether the call that took `mark` may have reached the server. */
  couldHaveSent(mark: number): boolean {
    return mark === -1 || this.timesReady !== mark || this.channel.getConnectivityState(false) === connectivityState.READY;
  }

  private follow(from: connectivityState): void {
    try {
      // grpc-js calls watchers synchronously on each change, before queued calls are sent.
      this.channel.watchConnectivityState(from, Infinity, () => {
        const now = this.channel.getConnectivityState(false);
        if (now === connectivityState.READY) this.timesReady++;
        if (now !== connectivityState.SHUTDOWN) this.follow(now);
      });
    } catch {
      // The channel was closed: nothing more to follow.
    }
  }
}
