import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonService, LogsService, type VersionResponse } from '../gen/index.js';
import { createClient, RpcError, RpcServer, type Handlers } from './index.js';

// The typed detail of an RpcError crosses a real gRPC socket in trailing
// metadata; transport failures are marked by the client with whether the
// call may have been sent.

const logger = pino({ level: 'silent' });
const unimplemented = async (): Promise<never> => {
  throw new RpcError('unimplemented', 'not part of this test');
};
const version: VersionResponse = { version: 'test', apiVersion: '1', nodeVersion: process.version, os: 'linux', arch: 'x64', gitCommit: '' };

function handlers(versionAnswer: () => Promise<VersionResponse>): Handlers<typeof DaemonService> {
  return { version: versionAnswer, info: unimplemented, swarmInit: unimplemented, swarmJoin: unimplemented, swarmLeave: unimplemented, swarmUnlock: unimplemented };
}

describe('RpcError detail over gRPC', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-detail-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(name: string, versionAnswer: () => Promise<VersionResponse>): Promise<{ target: string; server: RpcServer }> {
    const server = new RpcServer({ logger });
    server.addService(DaemonService, handlers(versionAnswer));
    const target = `unix://${join(dir, `${name}.sock`)}`;
    await server.listen(target);
    return { target, server };
  }

  it('carries not-leader with the leader\'s address, and the message as it was', async () => {
    const { target, server } = await serve('not-leader', async () => {
      throw new RpcError('unavailable', 'this manager is not the leader; the leader is at 192.0.2.7:2377', { kind: 'not-leader', leaderAddr: '192.0.2.7:2377' });
    });
    const client = createClient(DaemonService, target);
    const error = await client.version({}).catch((e: unknown) => e);
    client.close();
    await server.close();
    expect(error).toMatchObject({ kind: 'unavailable', message: 'this manager is not the leader; the leader is at 192.0.2.7:2377', detail: { kind: 'not-leader', leaderAddr: '192.0.2.7:2377' } });
  });

  it('carries node-removed from an authorizer\'s refusal', async () => {
    const server = new RpcServer({ logger });
    server.addService(DaemonService, handlers(async () => version), () => new RpcError('permission-denied', 'node n1 is not a member of this swarm (it was removed)', { kind: 'node-removed' }));
    const target = `unix://${join(dir, 'removed.sock')}`;
    await server.listen(target);
    const client = createClient(DaemonService, target);
    const error = await client.version({}).catch((e: unknown) => e);
    client.close();
    await server.close();
    expect(error).toMatchObject({ kind: 'permission-denied', detail: { kind: 'node-removed' } });
  });

  it('carries the detail on a server stream\'s error', async () => {
    const server = new RpcServer({ logger });
    server.addService(LogsService, {
      subscribeLogs: async () => {
        throw new RpcError('unavailable', 'this manager is not the leader; try another manager', { kind: 'not-leader' });
      },
      listenSubscriptions: unimplemented,
      publishLogs: unimplemented,
    });
    const target = `unix://${join(dir, 'stream.sock')}`;
    await server.listen(target);
    const client = createClient(LogsService, target);
    const error = await (async () => {
      for await (const _ of client.subscribeLogs({ selector: { serviceIds: [], taskIds: [], nodeIds: [] } })) void _;
    })().catch((e: unknown) => RpcError.from(e));
    client.close();
    await server.close();
    expect(error).toMatchObject({ kind: 'unavailable', detail: { kind: 'not-leader' } });
    expect((error as RpcError).detail).toEqual({ kind: 'not-leader', leaderAddr: undefined });
  });

  it('gives a server\'s own "unavailable" answer no transport detail', async () => {
    const { target, server } = await serve('answer', async () => {
      throw new RpcError('unavailable', 'The swarm does not have a leader.');
    });
    const client = createClient(DaemonService, target);
    const error = await client.version({}).catch((e: unknown) => e);
    client.close();
    await server.close();
    expect(error).toMatchObject({ kind: 'unavailable', message: 'The swarm does not have a leader.' });
    expect((error as RpcError).detail).toBeUndefined();
  });

  it('never relays a transport detail: it described the server\'s own call', async () => {
    const { target, server } = await serve('relay', async () => {
      throw new RpcError('unavailable', 'cannot reach 192.0.2.9:2377: No connection established', { kind: 'transport', sent: 'unsent' });
    });
    const client = createClient(DaemonService, target);
    const error = await client.version({}).catch((e: unknown) => e);
    client.close();
    await server.close();
    expect((error as RpcError).detail).toBeUndefined();
  });

  it('marks a call to a port nobody listens on as unsent, naming the target', async () => {
    const port = await freePort();
    const target = `127.0.0.1:${port}`;
    const client = createClient(DaemonService, target);
    const error = await client.version({}, { deadlineMs: 3_000 }).catch((e: unknown) => e);
    client.close();
    expect(error).toMatchObject({ kind: 'unavailable', detail: { kind: 'transport', sent: 'unsent' } });
    expect((error as RpcError).message).toContain(target);
  });

  it('marks a call whose server went away mid-call as maybe sent', async () => {
    let server!: RpcServer;
    const served = await serve('cut', async () => {
      void server.close(0);
      return new Promise<VersionResponse>(() => undefined);
    });
    server = served.server;
    const client = createClient(DaemonService, served.target);
    const error = await client.version({}, { deadlineMs: 3_000 }).catch((e: unknown) => e);
    client.close();
    expect(error).toMatchObject({ detail: { kind: 'transport', sent: 'maybe-sent' } });
  });

  it('marks a call that timed out waiting for its answer as maybe sent', async () => {
    const { target, server } = await serve('slow', () => new Promise<VersionResponse>((resolve) => setTimeout(() => resolve(version), 2_000)));
    const client = createClient(DaemonService, target);
    const error = await client.version({}, { deadlineMs: 200 }).catch((e: unknown) => e);
    client.close();
    await server.close(100);
    expect(error).toMatchObject({ kind: 'deadline-exceeded', detail: { kind: 'transport', sent: 'maybe-sent' } });
  });
});

/** A TCP port that was free a moment ago (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
