// Raft messages between managers over gRPC (Raft.StreamMessages, a client
// stream per peer). Outbound: one long-lived stream per peer, a bounded
// queue, batching into envelopes under a byte limit, and reconnects with
// jittered, bounded exponential backoff. Inbound: every frame must carry our
// cluster ID, every message must come from the member the peer's
// certificate names and be addressed to us; anything else is dropped with a
// (rate-limited) log line. Nothing a peer sends can crash the process.
import type { ClientWritableStream } from '@grpc/grpc-js';
import type { ServerReadableStream } from '@grpc/grpc-js';
import type { RaftEnvelope, RaftMessage, RaftStreamAck } from '../gen/index.js';
import { RaftService } from '../gen/index.js';
import type { Logger } from '../common/log.js';
import type { CallContext, Peer, RpcClient, TlsMaterial } from '../rpc/index.js';
import { createClient, RpcError } from '../rpc/index.js';
import type { RaftId } from './core/index.js';
import type { Transport } from './node.js';

/** How the transport is set up. */
export interface GrpcTransportOptions {
  selfId: RaftId;
  clusterId: string;
  logger: Logger;
  tls?: TlsMaterial | undefined;
  /** Maps an authenticated caller to the Raft member it may speak for. */
  identify: (peer: Peer) => RaftId | undefined;
  /** Messages queued per peer while it is slow or unreachable; the oldest are dropped beyond this. */
  maxQueuedMessages?: number;
  /** Bytes per envelope (well under the gRPC message limit). */
  maxEnvelopeBytes?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Jitter source; defaults to Math.random (this is the shell, not the core). */
  random?: () => number;
}

const DEFAULTS = { maxQueuedMessages: 10_000, maxEnvelopeBytes: 4 << 20, backoffMinMs: 50, backoffMaxMs: 2_000 };

/** Rough wire size of a message, to cut envelopes before the size limit. */
function approxBytes(m: RaftMessage): number {
  let n = 64 + m.context.length + m.chunk.length;
  for (const e of m.entries) n += e.data.length + 24;
  return n;
}

/** One outbound link to a peer. */
class PeerLink {
  private queue: RaftMessage[] = [];
  private client: RpcClient<typeof RaftService> | undefined;
  private stream: ClientWritableStream<RaftEnvelope> | undefined;
  private waitingDrain = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectedAtMs = 0;
  private closed = false;
  dropped = 0;

  constructor(
    readonly id: RaftId,
    readonly addr: string,
    private readonly t: Required<Omit<GrpcTransportOptions, 'tls' | 'identify'>> & { tls: TlsMaterial | undefined },
  ) {
    this.backoffMs = t.backoffMinMs;
  }

  /** Queues `m`; the caller flushes once per batch of messages (one envelope, not one each). */
  enqueue(m: RaftMessage): void {
    if (this.closed) return;
    if (this.queue.length >= this.t.maxQueuedMessages) {
      // Raft re-sends what matters; stale heartbeats and appends are the cheapest loss.
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(m);
  }

  flush(): void {
    if (this.closed || this.waitingDrain || this.reconnectTimer) return;
    if (!this.stream) this.connect();
    const stream = this.stream;
    if (!stream) return;
    while (this.queue.length > 0) {
      const messages: RaftMessage[] = [];
      let bytes = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0] as RaftMessage;
        const size = approxBytes(next);
        if (messages.length > 0 && bytes + size > this.t.maxEnvelopeBytes) break;
        messages.push(next);
        bytes += size;
        this.queue.shift();
      }
      const ok = stream.write({ clusterId: this.t.clusterId, messages });
      if (!ok) {
        this.waitingDrain = true;
        stream.once('drain', () => {
          this.waitingDrain = false;
          this.flush();
        });
        return;
      }
    }
  }

  private connect(): void {
    this.client ??= createClient(RaftService, this.addr, { tls: this.t.tls });
    const stream = this.client.streamMessages(undefined, (error) => {
      if (error) this.broken(stream, error.message);
      else this.broken(stream, 'stream ended');
    });
    stream.on('error', (e: Error) => this.broken(stream, e.message));
    this.stream = stream;
    this.connectedAtMs = Date.now();
  }

  private broken(stream: ClientWritableStream<RaftEnvelope>, why: string): void {
    if (this.stream !== stream) return; // an old stream's late callback
    this.stream = undefined;
    this.waitingDrain = false;
    // A fresh channel per attempt: our jittered backoff, not the channel's
    // own (which grows to minutes), decides when we try again.
    this.client?.close();
    this.client = undefined;
    if (this.closed) return;
    // A stream that lived a while resets the backoff; one that failed at once grows it.
    if (Date.now() - this.connectedAtMs > 5_000) this.backoffMs = this.t.backoffMinMs;
    const delay = this.backoffMs * (0.5 + this.t.random());
    this.backoffMs = Math.min(this.t.backoffMaxMs, this.backoffMs * 2);
    this.t.logger.debug({ peer: this.id, addr: this.addr, why, retryInMs: Math.round(delay) }, 'raft transport: stream to peer broke; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.flush();
    }, delay);
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stream?.end();
    this.stream = undefined;
    this.client?.close();
    this.client = undefined;
    this.queue = [];
  }
}

/** Logs at most `perWindow` lines per key per minute, so a hostile peer cannot flood the log. */
class RateLimitedLog {
  private counts = new Map<string, { windowStartMs: number; n: number }>();
  constructor(private readonly logger: Logger, private readonly perWindow = 10) {}
  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const c = this.counts.get(key);
    if (!c || now - c.windowStartMs > 60_000) {
      this.counts.set(key, { windowStartMs: now, n: 1 });
    } else if (++c.n > this.perWindow) return;
    this.logger.warn(fields, msg);
  }
}

/** The transport between Raft members. */
export class GrpcTransport implements Transport {
  private readonly links = new Map<RaftId, PeerLink>();
  private readonly opts: Required<Omit<GrpcTransportOptions, 'tls' | 'identify'>> & { tls: TlsMaterial | undefined };
  private readonly refusals: RateLimitedLog;
  private closed = false;
  /** Counters for tests and metrics. */
  readonly stats = { refusedFrames: 0, refusedMessages: 0 };

  constructor(private readonly options: GrpcTransportOptions) {
    this.opts = { ...DEFAULTS, random: Math.random, ...options, tls: options.tls };
    this.refusals = new RateLimitedLog(options.logger);
  }

  /** Where to reach member `id`; replaces a previous address. */
  setPeer(id: RaftId, addr: string): void {
    const link = this.links.get(id);
    if (link?.addr === addr) return;
    link?.close();
    this.links.set(id, new PeerLink(id, addr, this.opts));
  }

  removePeer(id: RaftId): void {
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  isPeer(id: RaftId): boolean {
    return this.links.has(id);
  }

  send(messages: readonly RaftMessage[]): void {
    if (this.closed) return;
    const touched = new Set<PeerLink>();
    for (const m of messages) {
      const link = this.links.get(m.to);
      if (link) {
        link.enqueue(m);
        touched.add(link);
      } else {
        this.options.logger.debug({ to: m.to, type: m.type }, 'raft transport: no address for peer; message dropped');
      }
    }
    // One envelope per peer per Ready: a write is a frame, a TLS record and a syscall.
    for (const link of touched) link.flush();
  }

  /**
   * The Raft.StreamMessages handler: validated messages go to `deliver`
   * (usually RaftNode.step); when a member's stream ends (its process died,
   * restarted or closed the link) `closed` hears of it (usually
   * RaftNode.peerStreamClosed). Join and Leave belong to the manager, which
   * composes this into the full service.
   */
  streamHandler(deliver: (m: RaftMessage) => void, closed?: (from: RaftId) => void): (stream: ServerReadableStream<RaftEnvelope, RaftStreamAck>, ctx: CallContext) => Promise<RaftStreamAck> {
    return async (stream, ctx) => {
      const claimed = this.options.identify(ctx.peer);
      const who = ctx.peer.kind === 'node' ? ctx.peer.nodeId : ctx.peer.kind;
      if (claimed === undefined) {
        this.stats.refusedFrames++;
        this.refusals.warn(`unknown:${who}`, { peer: who }, 'raft transport: refused a stream from a caller that is not a cluster member');
        throw new RpcError('permission-denied', 'not a raft member of this cluster');
      }
      try {
        await this.receive(stream, claimed, who, deliver);
      } finally {
        if (!this.closed) closed?.(claimed);
      }
      return {};
    };
  }

  private async receive(stream: ServerReadableStream<RaftEnvelope, RaftStreamAck>, claimed: RaftId, who: string, deliver: (m: RaftMessage) => void): Promise<void> {
    for await (const raw of stream) {
      const env = raw as RaftEnvelope;
      if (env.clusterId !== this.options.clusterId) {
        this.stats.refusedFrames++;
        this.refusals.warn(`cluster:${who}`, { peer: who, clusterId: env.clusterId }, 'raft transport: refused a frame for another cluster');
        throw new RpcError('permission-denied', `this member belongs to cluster ${this.options.clusterId}`);
      }
      for (const m of env.messages) {
        if (m.to !== this.options.selfId || m.from !== claimed || !this.isPeer(m.from)) {
          this.stats.refusedMessages++;
          this.refusals.warn(`msg:${who}`, { peer: who, from: m.from, to: m.to, type: m.type }, 'raft transport: dropped a message not from this peer or not for us');
          continue;
        }
        deliver(m);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}
