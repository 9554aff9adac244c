// A node is declared Down only when its daemon is dead, not when it is slow
// (issue #20): a daemon paused past several heartbeats, and hosts whose CPUs
// are saturated by a burst of container starts and busy tasks, keep every
// node Ready and every task where it is; a killed daemon is still Down within
// seconds. Observed as a user would: `node ls`, `service ps`, `service ls`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { sleep, waitUntil } from '../support/wait.js';
import { formSwarm, nodeLine, ok } from '../support/cli.js';

const IMAGE = 'shoal-test/busybox:latest';
const taskIds = async (host: NamespaceHost, service: string): Promise<string[]> => (await ok(host, ['service', 'ps', '-q', service])).trim().split('\n').filter(Boolean).sort();
const downMarks = (host: NamespaceHost): number => (readFileSync(host.logPath, 'utf8').match(/marking it down/g) ?? []).length;

/** Polls `node ls` on `manager` until `untilMs`, and returns every line that showed a node Down. */
async function watchForDown(manager: NamespaceHost, untilMs: number): Promise<string[]> {
  const seen: string[] = [];
  while (Date.now() < untilMs) {
    const r = await manager.run(['node', 'ls'], 30_000);
    seen.push(...r.stdout.split('\n').filter((l) => / Down /.test(l)));
    await sleep(500);
  }
  return seen;
}

describe('liveness: slow is not dead', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    await formSwarm([h1, h2, h3]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('keeps a worker paused for 8 s (SIGSTOP, past its heartbeats) Ready, with its task, then a killed one is Down within seconds', async () => {
    await ok(h1, ['service', 'create', '--name', 'pinned', '--constraint', 'node.hostname==h2', '--detach', IMAGE, 'sleep', '3600']);
    await waitUntil(async () => ok(h1, ['service', 'ls']), (out) => / 1\/1 /.test(out), 60_000, 'pinned 1/1');
    const before = await taskIds(h1, 'pinned');
    const marksBefore = downMarks(h1);
    await h2.kill('SIGSTOP');
    const pausedUntil = Date.now() + 8_000;
    const downDuringPause = await watchForDown(h1, pausedUntil);
    await h2.kill('SIGCONT');
    const downAfter = await watchForDown(h1, Date.now() + 6_000); // the resumed daemon catches up
    expect(downDuringPause).toEqual([]);
    expect(downAfter).toEqual([]);
    expect(nodeLine(await ok(h1, ['node', 'ls']), 'h2')).toMatch(/ Ready /);
    expect(await taskIds(h1, 'pinned')).toEqual(before); // not replaced
    expect(await ok(h1, ['service', 'ls'])).toMatch(/ 1\/1 /);
    expect(downMarks(h1)).toBe(marksBefore);

    await h2.kill('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(async () => nodeLine(await ok(h1, ['node', 'ls']), 'h2'), (l) => / Down /.test(l), 30_000, 'killed h2 Down');
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    await h2.start();
    await waitUntil(async () => nodeLine(await ok(h1, ['node', 'ls']), 'h2'), (l) => / Ready /.test(l), 30_000, 'h2 Ready again');
    await ok(h1, ['service', 'rm', 'pinned']);
  });

  it('keeps every node Ready while 30 containers start at once and burn both CPUs, and replaces no task', async () => {
    const marksBefore = downMarks(h1);
    // Each task spins for 20 s (bounded), then sleeps: a load average far above the core count.
    const hog = 'end=$(( $(date +%s) + 20 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600';
    const started = Date.now();
    await ok(h1, ['service', 'create', '--name', 'hog', '--replicas', '30', '--detach', IMAGE, 'sh', '-c', hog]);
    const downs = await watchForDown(h1, started + 35_000);
    expect(downs).toEqual([]);
    await waitUntil(async () => ok(h1, ['service', 'ls']), (out) => / 30\/30 /.test(out), 120_000, 'hog 30/30');
    expect(await taskIds(h1, 'hog')).toHaveLength(30); // no task was replaced: the history holds only the 30
    for (const h of [h1, h2, h3]) expect(nodeLine(await ok(h1, ['node', 'ls']), h.name)).toMatch(/ Ready /);
    expect(downMarks(h1)).toBe(marksBefore);
    await ok(h1, ['service', 'rm', 'hog']);
  });
});
