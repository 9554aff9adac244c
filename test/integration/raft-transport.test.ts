// The gRPC transport refuses what is not ours — frames of another cluster,
// messages a peer sends on behalf of someone else, callers that are not
// members, bytes that are not a RaftEnvelope — with a log line, and keeps
// serving the real members afterwards.
import { Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';
import type { ClientWritableStream } from '@grpc/grpc-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RaftMessage } from '../../src/gen/index.js';
import { RaftService } from '../../src/gen/index.js';
import { createRootCA, issueNodeTls, MANAGER_ROLE } from '../../src/manager/index.js';
import { makeMessage } from '../../src/raft/core/index.js';
import { GrpcTransport } from '../../src/raft/index.js';
import { clientCredentials, createClient, RpcError, RpcServer } from '../../src/rpc/index.js';
import type { Peer, TlsMaterial } from '../../src/rpc/index.js';

const lines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
const identify = (p: Peer): number | undefined => (p.kind === 'node' && p.organization === 'c1' ? Number(p.nodeId.replace('raft-', '')) : undefined);
const unimplemented = async (): Promise<never> => {
  throw new RpcError('unimplemented', 'not here');
};

let server: RpcServer;
let addr = '';
let target: GrpcTransport;
let tls1: TlsMaterial;
let tls2: TlsMaterial;
let strangerTls: TlsMaterial;
const received: RaftMessage[] = [];

beforeAll(async () => {
  const ca = await createRootCA();
  tls1 = await issueNodeTls(ca, { nodeId: 'raft-1', role: MANAGER_ROLE, clusterId: 'c1' });
  tls2 = await issueNodeTls(ca, { nodeId: 'raft-2', role: MANAGER_ROLE, clusterId: 'c1' });
  strangerTls = await issueNodeTls(ca, { nodeId: 'raft-7', role: MANAGER_ROLE, clusterId: 'other' });
  target = new GrpcTransport({ selfId: 1, clusterId: 'c1', logger, tls: tls1, identify });
  target.setPeer(2, '127.0.0.1:1'); // known member; its address does not matter here
  server = new RpcServer({ tls: tls1, logger });
  server.addService(RaftService, { streamMessages: target.streamHandler((m) => received.push(m)), join: unimplemented, leave: unimplemented });
  addr = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  target.close();
  await server.close(100);
});

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('raft gRPC transport', () => {
  it('delivers messages from a member, in order', async () => {
    const sender = new GrpcTransport({ selfId: 2, clusterId: 'c1', logger, tls: tls2, identify });
    sender.setPeer(1, addr);
    sender.send([makeMessage('HEARTBEAT', 2, 1, 5, { commit: 1 }), makeMessage('HEARTBEAT', 2, 1, 5, { commit: 2 })]);
    await until('two messages', () => received.length >= 2);
    expect(received.map((m) => m.commit)).toEqual([1, 2]);
    sender.close();
  });

  it('drops messages a peer sends on behalf of another member or for another node, with a log line', async () => {
    const before = received.length;
    const refusedBefore = target.stats.refusedMessages;
    const client = createClient(RaftService, addr, { tls: tls2 });
    const result = await new Promise<RpcError | null>((resolve) => {
      const s = client.streamMessages(undefined, (e) => resolve(e));
      s.write({ clusterId: 'c1', messages: [makeMessage('HEARTBEAT', 3, 1, 5), makeMessage('HEARTBEAT', 2, 4, 5), makeMessage('HEARTBEAT', 2, 1, 5, { commit: 9 })] });
      s.end();
    });
    expect(result).toBeNull();
    expect(received.slice(before).map((m) => m.commit)).toEqual([9]);
    expect(target.stats.refusedMessages - refusedBefore).toBe(2);
    expect(lines.some((l) => l.includes('dropped a message not from this peer'))).toBe(true);
    client.close();
  });

  it('refuses a frame for another cluster and a caller that is not a member', async () => {
    const wrongCluster = createClient(RaftService, addr, { tls: tls2 });
    const refused = await new Promise<RpcError | null>((resolve) => {
      const s = wrongCluster.streamMessages(undefined, (e) => resolve(e));
      s.write({ clusterId: 'c2', messages: [makeMessage('HEARTBEAT', 2, 1, 5)] });
      s.end();
    });
    expect(refused?.kind).toBe('permission-denied');
    wrongCluster.close();
    const stranger = createClient(RaftService, addr, { tls: strangerTls });
    const refused2 = await new Promise<RpcError | null>((resolve) => {
      const s = stranger.streamMessages(undefined, (e) => resolve(e));
      s.write({ clusterId: 'c1', messages: [makeMessage('HEARTBEAT', 7, 1, 5)] });
      s.end();
    });
    expect(refused2?.kind).toBe('permission-denied');
    stranger.close();
    expect(lines.some((l) => l.includes('another cluster'))).toBe(true);
    expect(lines.some((l) => l.includes('not a cluster member'))).toBe(true);
  });

  it('survives bytes that are not a RaftEnvelope and keeps serving members', async () => {
    const Raw = makeGenericClientConstructor({
      streamMessages: {
        path: '/shoal.v1.Raft/StreamMessages',
        requestStream: true,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    }, 'raw');
    const raw = new Raw(addr, clientCredentials(tls2), { 'grpc.ssl_target_name_override': 'shoal', 'grpc.default_authority': 'shoal' }) as unknown as {
      streamMessages(md: Metadata, cb: (e: Error | null) => void): ClientWritableStream<Buffer>;
      close(): void;
    };
    const outcome = await new Promise<Error | null>((resolve) => {
      const s = raw.streamMessages(new Metadata(), (e) => resolve(e));
      s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
      s.end();
    });
    expect(outcome).not.toBeNull();
    raw.close();
    const before = received.length;
    const sender = new GrpcTransport({ selfId: 2, clusterId: 'c1', logger, tls: tls2, identify });
    sender.setPeer(1, addr);
    sender.send([makeMessage('HEARTBEAT', 2, 1, 6, { commit: 42 })]);
    await until('a message after the garbage', () => received.length > before);
    sender.close();
  });

  it('reconnects with backoff when the peer comes back', async () => {
    const lateTarget = new GrpcTransport({ selfId: 3, clusterId: 'c1', logger, tls: tls1, identify: () => 2 });
    lateTarget.setPeer(2, '127.0.0.1:1');
    const got: RaftMessage[] = [];
    const port = await (async () => {
      const probe = new RpcServer({ tls: tls1, logger });
      probe.addService(RaftService, { streamMessages: unimplemented, join: unimplemented, leave: unimplemented });
      const p = await probe.listen('127.0.0.1:0');
      await probe.close(0);
      return p;
    })();
    const sender = new GrpcTransport({ selfId: 2, clusterId: 'c1', logger, tls: tls2, identify, backoffMinMs: 20, backoffMaxMs: 200 });
    sender.setPeer(3, `127.0.0.1:${port}`);
    // Raft keeps sending heartbeats; a message written to a broken stream is simply lost.
    const beat = setInterval(() => sender.send([makeMessage('HEARTBEAT', 2, 3, 1, { commit: 1 })]), 50);
    await new Promise((r) => setTimeout(r, 300)); // nobody listening yet: streams break, backoff grows
    const late = new RpcServer({ tls: tls1, logger });
    late.addService(RaftService, { streamMessages: lateTarget.streamHandler((m) => got.push(m)), join: unimplemented, leave: unimplemented });
    await late.listen(`127.0.0.1:${port}`);
    await until('delivery after the peer came up', () => got.length > 0);
    clearInterval(beat);
    sender.close();
    lateTarget.close();
    await late.close(100);
  });
});
