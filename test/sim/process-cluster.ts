// Starts Raft members as separate processes on loopback (see
// raft-member-process.ts) with a fresh CA, and talks to them over their
// loopback HTTP API. Used by the three-process test and the benchmark.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRootCA, issueNodeTls, MANAGER_ROLE } from '../../src/manager/index.js';
import type { MemberConfig } from './raft-member-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** A free loopback TCP port (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** One HTTP call to a member; resolves with status and parsed body, never rejects on HTTP status. */
export function call(port: number, method: 'GET' | 'POST', path: string, body?: string, timeoutMs = 5_000): Promise<{ status: number; body: any }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, timeout: timeoutMs, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: unknown = undefined;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', () => resolve({ status: 0, body: undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: undefined }));
    req.end(body); // one write: no Nagle stall between headers and body
  });
}

interface Member {
  id: number;
  cfg: MemberConfig;
  proc: ChildProcess | undefined;
  stderr: string[];
}

/** A running cluster of member processes. */
export class ProcessCluster {
  private constructor(readonly members: Member[], private readonly root: string) {}

  static async start(n: number, opts: { tickMs: number; electionTicks: number; snapshotEveryEntries?: number }): Promise<ProcessCluster> {
    const root = await mkdtemp(join(tmpdir(), 'shoal-raft-procs-'));
    const clusterId = `raft-test-${process.pid}`;
    const ca = await createRootCA();
    await writeFile(join(root, 'ca.pem'), ca.certPem);
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    const peers: Record<string, string> = {};
    const members: Member[] = [];
    for (const id of ids) {
      const t = await issueNodeTls(ca, { nodeId: `raft-${id}`, role: MANAGER_ROLE, clusterId });
      await writeFile(join(root, `raft-${id}.pem`), t.certPem);
      await writeFile(join(root, `raft-${id}-key.pem`), t.keyPem);
      peers[String(id)] = `127.0.0.1:${await freePort()}`;
    }
    for (const id of ids) {
      const cfg: MemberConfig = {
        id,
        clusterId,
        dir: join(root, `data-${id}`),
        raftAddr: peers[String(id)] as string,
        httpPort: await freePort(),
        peers,
        voters: ids,
        certDir: root,
        tickMs: opts.tickMs,
        electionTicks: opts.electionTicks,
        snapshotEveryEntries: opts.snapshotEveryEntries ?? 20_000,
      };
      members.push({ id, cfg, proc: undefined, stderr: [] });
    }
    const cluster = new ProcessCluster(members, root);
    await Promise.all(members.map((m) => cluster.spawn(m)));
    return cluster;
  }

  private spawn(m: Member): Promise<void> {
    // RAFT_MEMBER_NODE_ARGS: extra node flags for the members, e.g. --cpu-prof when profiling.
    const extra = (process.env['RAFT_MEMBER_NODE_ARGS'] ?? '').split(' ').filter((a) => a.length > 0);
    const proc = spawn(process.execPath, [...extra, '--import', 'tsx', join(here, 'raft-member-process.ts'), JSON.stringify(m.cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    m.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => {
      m.stderr.push(d.toString());
      if (m.stderr.length > 200) m.stderr.shift();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${m.id} did not start within 30 s: ${m.stderr.join('')}`)), 30_000);
      proc.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes(`ready ${m.id}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`member ${m.id} exited with ${code}: ${m.stderr.join('')}`));
      });
    });
  }

  httpPort(id: number): number {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id}`);
    return m.cfg.httpPort;
  }

  alive(): Member[] {
    return this.members.filter((m) => m.proc && m.proc.exitCode === null && m.proc.signalCode === null);
  }

  /** The leader as reported by a live member that claims the role. */
  async leader(): Promise<number | undefined> {
    for (const m of this.alive()) {
      const s = await call(m.cfg.httpPort, 'GET', '/status', undefined, 1_000);
      if (s.status === 200 && s.body?.role === 'leader') return m.id;
    }
    return undefined;
  }

  async waitForLeader(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const l = await this.leader();
      if (l !== undefined) return l;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no leader within ${timeoutMs} ms`);
  }

  kill(id: number, signal: NodeJS.Signals): void {
    this.members.find((m) => m.id === id)?.proc?.kill(signal);
  }

  logsOf(id: number): string {
    return this.members.find((m) => m.id === id)?.stderr.join('') ?? '';
  }

  async stop(): Promise<void> {
    await Promise.all(this.alive().map((m) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        m.proc?.kill('SIGKILL');
        resolve();
      }, 5_000);
      m.proc?.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      m.proc?.kill('SIGTERM');
    })));
    await rm(this.root, { recursive: true, force: true });
  }
}

/** A writer that follows leader hints; resolves true once the write is acknowledged. */
export async function putFollowingLeader(cluster: ProcessCluster, hint: { leader: number }, key: string, value: string, deadlineMs: number): Promise<boolean> {
  const body = JSON.stringify({ key, value });
  while (Date.now() < deadlineMs) {
    const alive = cluster.alive();
    let target = alive.find((m) => m.id === hint.leader);
    if (!target) target = alive[Math.floor(Math.random() * alive.length)];
    if (!target) return false;
    const r = await call(target.cfg.httpPort, 'POST', '/put', body, 4_000);
    if (r.status === 200) {
      hint.leader = target.id;
      return true;
    }
    if (r.status === 421 && typeof r.body?.leader === 'number' && r.body.leader > 0) hint.leader = r.body.leader;
    else {
      hint.leader = 0;
      await new Promise((res) => setTimeout(res, 10 + Math.random() * 20));
    }
    // 504 (unknown outcome): retrying the same key/value is idempotent for a KV put.
  }
  return false;
}
