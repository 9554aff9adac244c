// Three managers on Raft: joining with the manager token, Control calls on
// a follower forwarded to the leader, and the leader SIGKILLed: another
// manager leads and the cluster keeps taking changes. Then a second manager
// is killed: quorum is lost (a clear, quick error), `swarm init
// --force-new-cluster` recovers on the survivor, a former manager comes back
// as a worker and is promoted, and a manager leaves with --force.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { ok } from '../support/cli.js';

const line = (out: string, host: string): string => out.split('\n').find((l) => new RegExp(` ${host} `).test(l)) ?? '';

describe('three managers', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('join with the manager token and show as Reachable managers', async () => {
    await ok(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    const token = (await ok(h1, ['swarm', 'join-token', '-q', 'manager'])).trim();
    for (const h of [h2, h3]) expect(await ok(h, ['swarm', 'join', '--token', token, `${h1.ip}:2377`])).toContain('This node joined a swarm as a manager.');
    const nodes = await waitUntil(async () => ok(h1, ['node', 'ls']), (out) => (out.match(/ Ready /g) ?? []).length === 3 && (out.match(/Reachable/g) ?? []).length === 2, 30_000, 'three managers');
    expect(line(nodes, 'h1')).toMatch(/Leader/);
  });

  it('forwards a follower\'s Control calls to the leader', async () => {
    const out = await ok(h2, ['service', 'create', '--name', 'web', '--replicas', '3', 'shoal-test/busybox:latest', 'sleep', '3600']);
    expect(out).toContain('converged');
    expect(await ok(h3, ['service', 'ls'])).toMatch(/\bweb\s+replicated\s+3\/3\b/);
  });

  it('elects another leader when the leader is killed, and keeps taking changes', async () => {
    await h1.kill('SIGKILL');
    const killedAt = Date.now();
    const nodes = await waitUntil(
      async () => (await h2.run(['node', 'ls'])).stdout,
      (out) => /Leader/.test(line(out, 'h2')) || /Leader/.test(line(out, 'h3')),
      30_000,
      'a new leader among h2 and h3',
    );
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(15_000);
    expect(line(nodes, 'h1')).not.toMatch(/Leader/);
    expect(await ok(h3, ['service', 'scale', 'web=4', '-d'])).toContain('web scaled to 4');
    await waitUntil(async () => (await h2.run(['service', 'ls'])).stdout, (out) => /\bweb\s+replicated\s+4\/4\b/.test(out), 60_000, 'web at 4/4 under the new leader');
    await waitUntil(async () => line((await h2.run(['node', 'ls'])).stdout, 'h1'), (l) => / Down /.test(l), 30_000, 'h1 Down');
  });

  it('answers the no-leader error quickly once quorum is lost, and the daemon keeps serving', async () => {
    // h1 is already dead; killing h3 too leaves h2 alone, without quorum.
    await h3.kill('SIGKILL');
    for (let i = 0; i < 3; i++) {
      const startedAt = Date.now();
      const stuck = await h2.run(['service', 'ls'], 30_000);
      expect(stuck.code, stuck.stderr).toBe(1);
      expect(stuck.stderr.trim()).toMatch(/^The swarm does not have a leader\. It's possible that too few managers are online\. .*"shoal swarm init --force-new-cluster"/);
      expect(stuck.stderr.trim().split('\n')).toHaveLength(1);
      expect(Date.now() - startedAt).toBeLessThan(4_000);
    }
    expect(h2.running).toBe(true);
    expect(await ok(h2, ['info'])).toMatch(/Swarm:\s+active/);
  });

  it('recovers with swarm init --force-new-cluster, keeping services and nodes; the other managers become workers', async () => {
    const forced = await ok(h2, ['swarm', 'init', '--force-new-cluster']);
    expect(forced).toMatch(/Swarm initialized: current node \(\w{25}\) is now a manager\./);
    const nodes = await ok(h2, ['node', 'ls']);
    expect(nodes.trim().split('\n')).toHaveLength(4); // header + h1, h2, h3: nodes kept
    expect(line(nodes, 'h2')).toMatch(/Leader/);
    for (const h of ['h1', 'h3']) expect(line(nodes, h)).not.toMatch(/Leader|Reachable|Unreachable/);
    expect(await ok(h2, ['service', 'ls'])).toMatch(/\bweb\s+replicated\s+\d\/4\b/);
    await waitUntil(async () => (await h2.run(['service', 'ls'])).stdout, (out) => /\bweb\s+replicated\s+4\/4\b/.test(out), 60_000, 'web back at 4/4 on the forced cluster');
    expect((await ok(h2, ['service', 'scale', 'web=2', '-d'])).trim()).toBe('web scaled to 2');
  });

  it('takes a former manager back as a worker when it restarts, and promotes it again', async () => {
    await h3.start();
    await waitUntil(async () => line(await ok(h2, ['node', 'ls']), 'h3'), (l) => / Ready /.test(l) && !/Reachable|Leader/.test(l), 30_000, 'h3 back as a Ready worker');
    const refused = await waitUntil(async () => h3.run(['service', 'ls']), (r) => r.code === 1 && /not a swarm manager/.test(r.stderr), 30_000, 'h3 refuses cluster commands as a worker');
    expect(refused.stderr.trim()).toMatch(/^This node is not a swarm manager\./);
    expect((await ok(h2, ['node', 'promote', 'h3'])).trim()).toBe('Node h3 promoted to a manager in the swarm.');
    await waitUntil(async () => line(await ok(h2, ['node', 'ls']), 'h3'), (l) => /Reachable/.test(l), 30_000, 'h3 Reachable');
    await waitUntil(async () => h3.run(['service', 'ls']), (r) => r.code === 0 && /\bweb\b/.test(r.stdout), 30_000, 'h3 answers service ls as a manager');
    expect((await ok(h2, ['node', 'rm', 'h1'])).trim()).toBe('h1'); // Down, and a worker since the forced cluster
  });

  it('lets a manager leave: refused without --force (Docker\'s quorum warning), out of Raft with it', async () => {
    const refused = await h3.run(['swarm', 'leave']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'You are attempting to leave the swarm on a node that is participating as a manager. Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.',
    );
    expect((await ok(h3, ['swarm', 'leave', '--force'])).trim()).toBe('Node left the swarm.');
    const nodes = await waitUntil(async () => ok(h2, ['node', 'ls']), (out) => / Down /.test(line(out, 'h3')), 30_000, 'h3 Down after leaving');
    expect(line(nodes, 'h3')).not.toMatch(/Reachable|Unreachable|Leader/);
    expect(line(nodes, 'h2')).toMatch(/Leader/);
    // h3 no longer counts towards the quorum: h2 alone commits changes.
    expect((await ok(h2, ['service', 'scale', 'web=3', '-d'])).trim()).toBe('web scaled to 3');
    expect((await h3.run(['info'])).stdout).toMatch(/Swarm:\s+inactive/);
  });
});
