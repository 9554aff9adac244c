// `swarm update` as a user sees it take effect: the task history limit
// prunes `service ps`, live workers follow a new dispatcher heartbeat period
// (and a dead one goes Down fast whatever the period), and the
// snapshot interval makes the managers snapshot their Raft log.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { sleep, waitUntil } from '../support/wait.js';
import { formSwarm, ok } from '../support/cli.js';

const line = (out: string, host: string): string => out.split('\n').find((l) => new RegExp(` ${host} `).test(l)) ?? '';
const taskRows = async (host: NamespaceHost, service: string): Promise<string[]> => (await ok(host, ['service', 'ps', '-q', service])).trim().split('\n').filter(Boolean);
const h2State = async (h1: NamespaceHost): Promise<string> => line(await ok(h1, ['node', 'ls']), 'h2');

describe('swarm update', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 2 });
    [h1, h2] = env.hosts as [NamespaceHost, NamespaceHost];
    await formSwarm([h1, h2]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('--task-history-limit prunes service ps history', async () => {
    await ok(h1, ['service', 'create', '--name', 'hist', '--replicas', '1', '--constraint', 'node.hostname==h1', 'shoal-test/busybox:latest', 'sleep', '3600']);
    for (let i = 0; i < 2; i++) await ok(h1, ['service', 'update', '--force', 'hist']);
    expect(await taskRows(h1, 'hist')).toHaveLength(3); // the default limit (5) keeps both replaced tasks
    const bad = await h1.run(['swarm', 'update', '--task-history-limit', '-1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect((await ok(h1, ['swarm', 'update', '--task-history-limit', '1'])).trim()).toBe('Swarm updated.');
    await ok(h1, ['service', 'update', '--force', 'hist']);
    await waitUntil(async () => taskRows(h1, 'hist'), (rows) => rows.length === 1, 30_000, 'only the running task left in service ps');
  });

  it('refuses swarm init --force-new-cluster on a worker in one line, changing nothing', async () => {
    const r = await h2.run(['swarm', 'init', '--force-new-cluster']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('This node is a worker: --force-new-cluster recovers a swarm from a manager\'s state; run it on a surviving manager (nothing was changed)');
    const state = await h2State(h1);
    expect(state).toMatch(/ Ready /);
    expect(state).not.toMatch(/Leader|Reachable/);
    expect((await h2.run(['info'])).stdout).toMatch(/Is Manager:\s+false/);
  });

  it('--dispatcher-heartbeat 5s: a killed worker is still Down within seconds (its daemon is gone, not slow)', async () => {
    expect((await ok(h1, ['swarm', 'update', '--dispatcher-heartbeat', '5s'])).trim()).toBe('Swarm updated.');
    await sleep(3_000); // the worker's next heartbeat carries the new period
    await h2.kill('SIGKILL'); // its connection is reset and its liveness port refused: no need to wait out the period
    const killedAt = Date.now();
    await waitUntil(async () => h2State(h1), (l) => / Down /.test(l), 40_000, 'h2 Down');
    expect(Date.now() - killedAt).toBeLessThan(4_000);
    await h2.start();
    await waitUntil(async () => h2State(h1), (l) => / Ready /.test(l), 30_000, 'h2 Ready again');
  });

  it('--dispatcher-heartbeat 500ms: the worker heartbeats faster (it stays Ready) and a killed worker is Down within seconds', async () => {
    expect((await ok(h1, ['swarm', 'update', '--dispatcher-heartbeat', '500ms'])).trim()).toBe('Swarm updated.');
    // A worker still on the 5s period would heartbeat every 2.5 s and miss the new 1.5 s deadline.
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      expect(await h2State(h1)).toMatch(/ Ready /);
      await sleep(300);
    }
    await h2.kill('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(async () => h2State(h1), (l) => / Down /.test(l), 20_000, 'h2 Down');
    expect(Date.now() - killedAt).toBeLessThan(8_000);
  });

  it('--snapshot-interval makes the manager snapshot its Raft log, and it restarts from the snapshot', async () => {
    const snapshots = (): number => (readFileSync(h1.logPath, 'utf8').match(/raft: snapshot taken/g) ?? []).length;
    expect(snapshots()).toBe(0); // far below the default interval of 10000 entries
    expect((await ok(h1, ['swarm', 'update', '--snapshot-interval', '20'])).trim()).toBe('Swarm updated.');
    await ok(h1, ['service', 'scale', 'hist=3']);
    await ok(h1, ['service', 'scale', 'hist=1']);
    await waitUntil(async () => snapshots(), (n) => n > 0, 30_000, 'a Raft snapshot in the manager\'s log');
    await h1.restart();
    await waitUntil(async () => h1.run(['service', 'ls']), (r) => r.code === 0 && /\bhist\s+replicated\s+1\/1\b/.test(r.stdout), 30_000, 'hist at 1/1 after the restart');
  });
});
