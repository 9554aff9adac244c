import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonService, LogsService, type VersionResponse } from '../gen/index.js';
import { createRootCA, issueNodeTls, MANAGER_ROLE, WORKER_ROLE, type RootCA } from '../manager/index.js';
import { createClient, RpcError, RpcServer, type CallContext, type Handlers, type Peer, type TlsMaterial } from './index.js';

const logger = pino({ level: 'silent' });
const unimplemented = async (): Promise<never> => {
  throw new RpcError('unimplemented', 'not part of this test');
};

function daemonHandlers(seen: Peer[], delayMs = 0): Handlers<typeof DaemonService> {
  return {
    version: async (_req, ctx: CallContext): Promise<VersionResponse> => {
      seen.push(ctx.peer);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { version: 'test', apiVersion: '1', nodeVersion: process.version, os: 'linux', arch: 'x64', gitCommit: '' };
    },
    info: async () => {
      throw new RpcError('not-found', 'no such thing');
    },
    swarmInit: async () => {
      throw new Error('boom');
    },
    swarmJoin: unimplemented,
    swarmLeave: unimplemented,
    swarmUnlock: unimplemented,
  };
}

describe('gRPC plumbing with mutual TLS', () => {
  let ca: RootCA;
  let otherCa: RootCA;
  let managerTls: TlsMaterial;
  let workerTls: TlsMaterial;
  let server: RpcServer;
  let port: number;
  const seen: Peer[] = [];

  beforeAll(async () => {
    ca = await createRootCA();
    otherCa = await createRootCA();
    managerTls = await issueNodeTls(ca, { nodeId: 'mgr1', role: MANAGER_ROLE, clusterId: 'c1' });
    workerTls = await issueNodeTls(ca, { nodeId: 'wrk1', role: WORKER_ROLE, clusterId: 'c1' });
    server = new RpcServer({ tls: managerTls, logger });
    server.addService(DaemonService, daemonHandlers(seen, 0), (peer, method) =>
      method.endsWith('/SwarmLeave') && !(peer.kind === 'node' && peer.role === MANAGER_ROLE) ? new RpcError('permission-denied', 'managers only') : undefined,
    );
    port = await server.listen('127.0.0.1:0');
  });
  afterAll(async () => {
    await server.close();
  });

  it('identifies the calling node from its certificate', async () => {
    const client = createClient(DaemonService, `127.0.0.1:${port}`, { tls: workerTls, expect: { nodeId: 'mgr1', role: MANAGER_ROLE } });
    const res = await client.version({});
    client.close();
    expect(res.version).toBe('test');
    expect(seen.at(-1)).toEqual({ kind: 'node', nodeId: 'wrk1', role: WORKER_ROLE, organization: 'c1' });
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const stranger = await issueNodeTls(otherCa, { nodeId: 'x', role: MANAGER_ROLE, clusterId: 'c2' });
    const client = createClient(DaemonService, `127.0.0.1:${port}`, { tls: { ...stranger, caPem: ca.certPem } });
    const error = await client.version({}, { deadlineMs: 3000 }).catch((e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).kind).toBe('unavailable');
  });

  it('refuses a server whose certificate names another node', async () => {
    const client = createClient(DaemonService, `127.0.0.1:${port}`, { tls: workerTls, expect: { nodeId: 'someone-else' } });
    const error = await client.version({}, { deadlineMs: 3000 }).catch((e: unknown) => e);
    client.close();
    expect((error as RpcError).kind).toBe('unavailable');
  });

  it('enforces authorization per method', async () => {
    const client = createClient(DaemonService, `127.0.0.1:${port}`, { tls: workerTls });
    const error = await client.swarmLeave({ force: false }).catch((e: unknown) => e);
    client.close();
    expect(error).toMatchObject({ kind: 'permission-denied', message: 'managers only' });
  });

  it('carries typed errors and hides unexpected ones behind INTERNAL', async () => {
    const client = createClient(DaemonService, `127.0.0.1:${port}`, { tls: managerTls });
    await expect(client.info({})).rejects.toMatchObject({ kind: 'not-found', message: 'no such thing' });
    await expect(client.swarmInit({ listenAddr: '', advertiseAddr: '', dataPathPort: 0, defaultAddrPool: [], subnetSize: 0, forceNewCluster: false, autolock: false })).rejects.toMatchObject({ kind: 'internal' });
    client.close();
  });

  it('puts a deadline on every unary call', async () => {
    const slow = new RpcServer({ tls: managerTls, logger });
    slow.addService(DaemonService, daemonHandlers([], 2000));
    const slowPort = await slow.listen('127.0.0.1:0');
    const client = createClient(DaemonService, `127.0.0.1:${slowPort}`, { tls: workerTls, defaultDeadlineMs: 300 });
    const started = Date.now();
    await expect(client.version({})).rejects.toMatchObject({ kind: 'deadline-exceeded' });
    expect(Date.now() - started).toBeLessThan(1500);
    client.close();
    await slow.close(100);
  });

  it('serves the local Unix socket without TLS and calls its peer local', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-rpc-'));
    const local = new RpcServer({ logger });
    const localSeen: Peer[] = [];
    local.addService(DaemonService, daemonHandlers(localSeen));
    await local.listen(`unix://${join(dir, 's.sock')}`);
    const client = createClient(DaemonService, `unix://${join(dir, 's.sock')}`);
    await client.version({});
    client.close();
    await local.close();
    rmSync(dir, { recursive: true, force: true });
    expect(localSeen).toEqual([{ kind: 'local' }]);
  });

  it('streams from server to client', async () => {
    const streaming = new RpcServer({ tls: managerTls, logger });
    streaming.addService(LogsService, {
      subscribeLogs: async (req, stream) => {
        for (let i = 0; i < 3; i++) stream.write({ messages: [], warnings: [`w${i}-${req.selector?.serviceIds[0] ?? ''}`] });
      },
      listenSubscriptions: unimplemented,
      publishLogs: unimplemented,
    });
    const p = await streaming.listen('127.0.0.1:0');
    const client = createClient(LogsService, `127.0.0.1:${p}`, { tls: workerTls });
    const got: string[] = [];
    for await (const msg of client.subscribeLogs({ selector: { serviceIds: ['s1'], taskIds: [], nodeIds: [] } })) got.push(...(msg as { warnings: string[] }).warnings);
    client.close();
    await streaming.close();
    expect(got).toEqual(['w0-s1', 'w1-s1', 'w2-s1']);
  });

  it('ends a server stream with the handler\'s typed error', async () => {
    const failing = new RpcServer({ tls: managerTls, logger });
    failing.addService(LogsService, {
      subscribeLogs: async () => {
        throw new RpcError('not-found', 'no such service: web');
      },
      listenSubscriptions: unimplemented,
      publishLogs: unimplemented,
    });
    const p = await failing.listen('127.0.0.1:0');
    const client = createClient(LogsService, `127.0.0.1:${p}`, { tls: workerTls });
    const error = await (async () => {
      for await (const _ of client.subscribeLogs({ selector: { serviceIds: [], taskIds: [], nodeIds: [] } })) void _;
    })().catch((e: unknown) => RpcError.from(e));
    client.close();
    await failing.close();
    expect(error).toMatchObject({ kind: 'not-found', message: 'no such service: web' });
  });
});

describe('a port that also serves joiners without a certificate', () => {
  it('still identifies members by their certificate, and lets anonymous callers in', async () => {
    const ca = await createRootCA();
    const managerTls = await issueNodeTls(ca, { nodeId: 'mgr', role: MANAGER_ROLE, clusterId: 'c' });
    const workerTls = await issueNodeTls(ca, { nodeId: 'wrk', role: WORKER_ROLE, clusterId: 'c' });
    const seen: Peer[] = [];
    const server = new RpcServer({ tls: managerTls, allowAnonymous: true, logger });
    server.addService(DaemonService, daemonHandlers(seen));
    const port = await server.listen('127.0.0.1:0');
    const member = createClient(DaemonService, `127.0.0.1:${port}`, { tls: workerTls });
    const joiner = createClient(DaemonService, `127.0.0.1:${port}`, { tls: { caPem: ca.certPem, certPem: '', keyPem: '' } });
    await member.version({});
    await joiner.version({});
    member.close();
    joiner.close();
    await server.close();
    expect(seen).toEqual([{ kind: 'node', nodeId: 'wrk', role: WORKER_ROLE, organization: 'c' }, { kind: 'anonymous' }]);
  });
});
