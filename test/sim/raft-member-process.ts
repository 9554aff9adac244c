// Test-only entry point: one Raft member as its own process, with real level
// storage, the gRPC transport over mutual TLS on loopback, and a tiny KV
// state machine behind a loopback HTTP API the tests and the benchmark drive:
//   POST /put {"key","value"} → 200 once applied here | 421 {"leader"} | 503 | 504
//   GET /dump → every key, after a ReadIndex (linearizable)
//   GET /status → {"id","role","leader","term","commit","applied"}
// Usage: tsx test/sim/raft-member-process.ts '<json config>'
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomInt } from 'node:crypto';
import pino from 'pino';
import type { RaftEntry } from '../../src/gen/index.js';
import { RaftService } from '../../src/gen/index.js';
import { RpcError, RpcServer } from '../../src/rpc/index.js';
import type { Peer } from '../../src/rpc/index.js';
import { LevelStorage, RaftNode, RaftNodeError, describeStorageError, seededRandom } from '../../src/raft/index.js';
import type { StateMachine, StateSnapshot } from '../../src/raft/index.js';
import { GrpcTransport } from '../../src/raft/index.js';

/** Entries encoded between yields to the event loop while a snapshot is taken. */
const SNAPSHOT_SLICE = 2_000;

/** What the parent process passes in. */
export interface MemberConfig {
  id: number;
  clusterId: string;
  dir: string;
  raftAddr: string;
  httpPort: number;
  peers: Record<string, string>;
  voters: number[];
  certDir: string;
  tickMs: number;
  electionTicks: number;
  /** Applied entries between snapshots. */
  snapshotEveryEntries: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as MemberConfig;
const logger = pino({ level: process.env['RAFT_LOG_LEVEL'] ?? 'warn', base: { member: cfg.id } }, pino.destination(2));
const dec = new TextDecoder();
const enc = new TextEncoder();

class Kv implements StateMachine {
  map = new Map<string, string>();
  apply(e: RaftEntry): unknown {
    const { key, value } = JSON.parse(dec.decode(e.data)) as { key: string; value: string };
    this.map.set(key, value);
    return undefined;
  }
  /** Captures the entries now (a copy of references), encodes them in slices that yield to the event loop. */
  snapshot(): StateSnapshot {
    const entries = [...this.map];
    return {
      encode: async () => {
        // Each slice becomes bytes at once: no 27 MB string is ever built, joined or re-encoded.
        const parts: Uint8Array[] = [];
        for (let i = 0; i < entries.length; i += SNAPSHOT_SLICE) {
          const json = JSON.stringify(entries.slice(i, i + SNAPSHOT_SLICE)).slice(1, -1);
          parts.push(enc.encode(i === 0 ? json : `,${json}`));
          await new Promise((r) => setImmediate(r));
        }
        const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 2);
        out[0] = 0x5b; // [
        let offset = 1;
        for (const part of parts) {
          out.set(part, offset);
          offset += part.length;
        }
        out[offset] = 0x5d; // ]
        return out;
      },
    };
  }
  restore(data: Uint8Array): void {
    this.map = new Map(JSON.parse(dec.decode(data)) as Array<[string, string]>);
  }
}

function tls(id: number) {
  return {
    caPem: readFileSync(`${cfg.certDir}/ca.pem`, 'utf8'),
    certPem: readFileSync(`${cfg.certDir}/raft-${id}.pem`, 'utf8'),
    keyPem: readFileSync(`${cfg.certDir}/raft-${id}-key.pem`, 'utf8'),
  };
}

const identify = (peer: Peer): number | undefined => {
  if (peer.kind !== 'node' || peer.organization !== cfg.clusterId) return undefined;
  const m = /^raft-(\d+)$/.exec(peer.nodeId);
  return m ? Number(m[1]) : undefined;
};

const opened = await LevelStorage.open(cfg.dir, cfg.clusterId, cfg.id);
if (!opened.ok) {
  logger.error(describeStorageError(opened.error));
  process.exit(2);
}
const kv = new Kv();
const myTls = tls(cfg.id);
const transport = new GrpcTransport({ selfId: cfg.id, clusterId: cfg.clusterId, logger, tls: myTls, identify });
for (const [id, addr] of Object.entries(cfg.peers)) if (Number(id) !== cfg.id) transport.setPeer(Number(id), addr);
const node = await RaftNode.start({
  id: cfg.id,
  storage: opened.value,
  transport,
  stateMachine: kv,
  logger,
  random: seededRandom(randomInt(2 ** 31)),
  tickMs: cfg.tickMs,
  core: { electionTicks: cfg.electionTicks, heartbeatTicks: 1 },
  bootstrapVoters: cfg.voters,
  snapshotEveryEntries: cfg.snapshotEveryEntries,
  onFatal: () => process.exit(3),
});
const server = new RpcServer({ tls: myTls, logger });
const unimplemented = async (): Promise<never> => {
  throw new RpcError('unimplemented', 'membership goes through the manager API');
};
server.addService(RaftService, { streamMessages: transport.streamHandler((m) => node.step(m), (from) => node.peerStreamClosed(from)), join: unimplemented, leave: unimplemented });
await server.listen(cfg.raftAddr);

const http = createServer((req, res) => {
  const reply = (code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (e: unknown): void => {
    if (e instanceof RaftNodeError) {
      if (e.kind === 'not-leader') reply(421, { leader: e.leaderId });
      else if (e.kind === 'timeout' || e.kind === 'unknown') reply(504, { error: e.message });
      else reply(503, { error: e.message, kind: e.kind });
    } else reply(500, { error: String(e) });
  };
  if (req.method === 'POST' && req.url === '/put') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      node.propose(new Uint8Array(Buffer.concat(chunks)), 3_000).then(() => reply(200, {}), fail);
    });
    return;
  }
  if (req.url === '/dump') {
    node.readIndex(3_000).then(() => reply(200, Object.fromEntries(kv.map)), fail);
    return;
  }
  if (req.url === '/status') {
    const s = node.status();
    reply(200, { id: cfg.id, role: s.role, leader: s.leaderId, term: s.term, commit: s.commit, applied: s.applied });
    return;
  }
  reply(404, {});
});
http.keepAliveTimeout = 60_000;
http.listen(cfg.httpPort, '127.0.0.1', () => {
  process.stdout.write(`ready ${cfg.id}\n`);
});

const shutdown = (): void => {
  void node.stop().then(async () => {
    transport.close();
    await server.close(200);
    await opened.value.close();
    process.exit(0);
  });
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
