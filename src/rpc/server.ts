import { Server, type ServerUnaryCall, type ServerWritableStream, type ServerReadableStream, type ServerDuplexStream, type sendUnaryData, type UntypedHandleCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Method } from '../gen/index.js';
import { peerFromCertificate, serverCredentials, type Peer, type TlsMaterial } from './credentials.js';
import { RpcError } from './errors.js';
import { serverOptions } from './limits.js';

/** What a handler knows about the call besides its request. */
export interface CallContext {
  peer: Peer;
  method: string;
  /** The caller's address as the transport saw it, e.g. "192.0.2.12" (no port). */
  address: string;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
}

type AnyMethod = Method<any, any, boolean, boolean>;

/** The handler a method needs, by its streaming kind. */
export type Handler<M> =
  M extends Method<infer Req, infer Res, false, false> ? (request: Req, ctx: CallContext) => Promise<Res>
  : M extends Method<infer Req, infer Res, false, true> ? (request: Req, stream: ServerWritableStream<Req, Res>, ctx: CallContext) => Promise<void>
  : M extends Method<infer Req, infer Res, true, false> ? (stream: ServerReadableStream<Req, Res>, ctx: CallContext) => Promise<Res>
  : M extends Method<infer Req, infer Res, true, true> ? (stream: ServerDuplexStream<Req, Res>, ctx: CallContext) => Promise<void>
  : never;

/** Handlers for every method of a service definition. */
export type Handlers<S> = { [K in keyof S]: Handler<S[K]> };

/** Decides whether a peer may call a method; throw-free, returns the refusal. */
export type Authorizer = (peer: Peer, method: string) => RpcError | undefined;

/** Options of one listening server. */
export interface RpcServerOptions {
  tls?: TlsMaterial | undefined;
  /** Accept TLS clients without a certificate (CA service for joiners). */
  allowAnonymous?: boolean;
  logger: Logger;
}

/**
 * A grpc-js server with mutual TLS, identity on every call, authorization
 * per service, and typed errors: a handler's RpcError becomes its status;
 * anything else thrown is a bug, logged with its stack, and answered INTERNAL.
 */
export class RpcServer {
  private readonly server = new Server(serverOptions);

  constructor(private readonly options: RpcServerOptions) {}

  /** Registers a generated service definition with its handlers. */
  addService<S extends Record<string, AnyMethod>>(definition: S, handlers: Handlers<S>, authorize: Authorizer = () => undefined): void {
    const implementation: Record<string, UntypedHandleCall> = {};
    for (const [name, method] of Object.entries(definition)) {
      const handler = (handlers as Record<string, (...args: any[]) => Promise<unknown>>)[name];
      if (!handler) throw new Error(`no handler for ${method.path}`);
      implementation[name] = this.wrap(method, handler, authorize);
    }
    this.server.addService(definition, implementation);
  }

  /** Binds `unix:///path` or `host:port`; resolves to the bound port (0 for Unix sockets). */
  async listen(address: string): Promise<number> {
    const creds = serverCredentials(address.startsWith('unix:') ? undefined : this.options.tls, !this.options.allowAnonymous);
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, creds, (error, port) => (error ? reject(new Error(`cannot listen on ${address}: ${error.message}`)) : resolve(port)));
    });
  }

  /** Stops accepting calls, lets running unary calls finish for up to graceMs, then cuts streams. */
  async close(graceMs = 2_000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wrap(method: AnyMethod, rawHandler: (...args: any[]) => Promise<unknown>, authorize: Authorizer): UntypedHandleCall {
    // A handler that throws before returning its promise is treated like one that rejects.
    const handler = (...args: any[]): Promise<unknown> => new Promise((resolve) => resolve(rawHandler(...args)));
    const log = this.options.logger;
    const context = (call: { getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: { raw?: Buffer } } | null; getPeer(): string; on(event: 'cancelled', f: () => void): unknown }): CallContext | RpcError => {
      const auth = call.getAuthContext();
      // A server without TLS material serves only the local socket: its callers
      // are the host's administrator. On a TLS server, a caller is a node only
      // if it presented a certificate that verified against the cluster root;
      // anything else (no certificate, or one from another CA) is anonymous.
      const peer: Peer = !this.options.tls ? { kind: 'local' } : auth?.transportSecurityType === 'ssl' && auth.sslPeerCertificate?.raw ? peerFromCertificate(auth.sslPeerCertificate.raw) : { kind: 'anonymous' };
      const refusal = authorize(peer, method.path);
      if (refusal) return refusal;
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      return { peer, method: method.path, address: hostOfPeer(call.getPeer()), signal: controller.signal };
    };
    const fail = (error: unknown): RpcError => {
      if (error instanceof RpcError) return error;
      log.error({ err: error, method: method.path }, 'handler failed unexpectedly');
      return new RpcError('internal', `internal error in ${method.path}: ${error instanceof Error ? error.message : String(error)}`);
    };
    if (!method.requestStream && !method.responseStream) {
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const ctx = context(call);
        if (ctx instanceof RpcError) return callback(ctx.toServiceError());
        handler(call.request, ctx).then((res) => callback(null, res), (error: unknown) => callback(fail(error).toServiceError()));
      };
    }
    if (!method.requestStream && method.responseStream) {
      return (call: ServerWritableStream<unknown, unknown>) => {
        const ctx = context(call);
        if (ctx instanceof RpcError) return void call.emit('error', ctx.toServiceError());
        handler(call.request, call, ctx).then(() => call.end(), (error: unknown) => {
          // grpc-js sends a status on a server stream only through its 'error' event.
          call.emit('error', fail(error).toServiceError());
        });
      };
    }
    if (method.requestStream && !method.responseStream) {
      return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const ctx = context(call);
        if (ctx instanceof RpcError) return callback(ctx.toServiceError());
        handler(call, ctx).then((res) => callback(null, res), (error: unknown) => callback(fail(error).toServiceError()));
      };
    }
    return (call: ServerDuplexStream<unknown, unknown>) => {
      const ctx = context(call);
      if (ctx instanceof RpcError) return void call.emit('error', ctx.toServiceError());
      handler(call, ctx).then(() => call.end(), (error: unknown) => {
        const e = fail(error);
        call.destroy(Object.assign(new Error(e.message), e.toServiceError()));
      });
    };
  }
}

/** "192.0.2.12:51234", "::ffff:192.0.2.12:5", "[::1]:5" → the host part; "unknown" → "". */
function hostOfPeer(peer: string): string {
  const at = peer.lastIndexOf(':');
  if (peer === 'unknown' || at <= 0) return '';
  return peer.slice(0, at).replace(/^\[|\]$/g, '').replace(/^::ffff:/, '');
}
