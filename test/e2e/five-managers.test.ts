// Five managers on Raft: a service create in flight when the leader is
// SIGKILLed is neither lost nor duplicated; two managers down (the leader
// among them) are tolerated; `node rm --force` takes down managers out of
// Raft, so the quorum counts only live ones; the leader leaves with --force.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import type { CommandResult } from '../support/run-command.js';
import { sleep, waitUntil } from '../support/wait.js';
import { ok } from '../support/cli.js';

const line = (out: string, host: string): string => out.split('\n').find((l) => new RegExp(` ${host} `).test(l)) ?? '';
const leaderAmong = (out: string, hosts: NamespaceHost[]): boolean => hosts.some((h) => /Leader/.test(line(out, h.name)));

describe('five managers', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;
  let h4: NamespaceHost;
  let h5: NamespaceHost;
  /** The two managers left after the removals. */
  let survivors: NamespaceHost[] = [];

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 5 });
    [h1, h2, h3, h4, h5] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost, NamespaceHost, NamespaceHost];
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('form with one leader and four reachable managers', async () => {
    await ok(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    const token = (await ok(h1, ['swarm', 'join-token', '-q', 'manager'])).trim();
    for (const h of [h2, h3, h4, h5]) expect(await ok(h, ['swarm', 'join', '--token', token, `${h1.ip}:2377`])).toContain('This node joined a swarm as a manager.');
    const nodes = await waitUntil(async () => ok(h1, ['node', 'ls']), (out) => (out.match(/ Ready /g) ?? []).length === 5 && (out.match(/Reachable/g) ?? []).length === 4, 60_000, 'five managers');
    expect(line(nodes, 'h1')).toMatch(/Leader/);
  });

  it('keeps every service create in flight when the leader is killed at most once, and exactly once if it succeeded', async () => {
    const followers = [h2, h3, h4, h5];
    const attempts = 10;
    // Unnamed services: a create sent twice would show as two services with the same label.
    const runs: Promise<CommandResult>[] = [];
    for (let i = 0; i < attempts; i++) {
      const host = followers[i % followers.length] as NamespaceHost;
      runs.push(sleep(i * 300).then(() => host.run(['service', 'create', '-d', '--replicas', '1', '--label', `inflight=${i}`, 'shoal-test/busybox:latest', 'sleep', '3600'], 60_000)));
    }
    // The CLI takes about a second to start: the first creates land before the kill, later ones around and after it.
    await sleep(1_500);
    await h1.kill('SIGKILL');
    const results = await Promise.all(runs);
    await waitUntil(async () => (await h2.run(['node', 'ls'])).stdout, (out) => leaderAmong(out, followers), 30_000, 'a new leader among h2..h5');
    let succeeded = 0;
    for (let i = 0; i < attempts; i++) {
      const r = results[i] as CommandResult;
      const ids = (await ok(h2, ['service', 'ls', '-q', '--filter', `label=inflight=${i}`])).trim().split('\n').filter(Boolean);
      if (r.code === 0) {
        succeeded++;
        expect(ids, `attempt ${i} succeeded (${r.stdout.trim()})`).toHaveLength(1);
        expect(r.stdout.trim().startsWith(ids[0] ?? '-')).toBe(true);
      } else {
        expect(ids.length, `attempt ${i} failed with: ${r.stderr}`).toBeLessThanOrEqual(1);
        expect(r.stderr.trim().split('\n'), 'one line of error').toHaveLength(1);
      }
    }
    expect(succeeded).toBeGreaterThan(0);
    process.stderr.write(`[five-managers] in-flight creates: ${results.map((r) => (r.code === 0 ? 'ok' : r.stderr.trim().slice(0, 60))).join(' | ')}\n`);
    // Every service that exists runs exactly one task: no slot was created twice either.
    await waitUntil(async () => ok(h2, ['service', 'ls']), (out) => out.trim().split('\n').slice(1).every((l) => /\s1\/1\s/.test(l)), 90_000, 'every in-flight service at 1/1');
  });

  it('tolerates two managers down: with the leader and another gone, the rest take changes', async () => {
    await h5.kill('SIGKILL');
    await waitUntil(async () => (await h2.run(['node', 'ls'])).stdout, (out) => leaderAmong(out, [h2, h3, h4]), 30_000, 'a leader among h2..h4');
    expect(await ok(h3, ['service', 'create', '--name', 'after', '--replicas', '2', 'shoal-test/busybox:latest', 'sleep', '3600'])).toContain('converged');
    expect((await ok(h4, ['service', 'scale', 'after=3', '-d'])).trim()).toBe('after scaled to 3');
    await waitUntil(async () => ok(h2, ['service', 'ls']), (out) => /\bafter\s+replicated\s+3\/3\b/.test(out), 60_000, 'after at 3/3');
  });

  it('removes down managers from Raft with node rm --force, so the quorum counts only live ones', async () => {
    const nodes = await waitUntil(async () => ok(h2, ['node', 'ls']), (out) => / Down /.test(line(out, 'h5')) && / Down /.test(line(out, 'h1')), 30_000, 'h1 and h5 Down');
    // Whichever of h2..h4 leads stays; a follower is the one refused while alive, then killed.
    const leader = [h2, h3, h4].find((h) => /Leader/.test(line(nodes, h.name))) ?? h2;
    const [victim, other] = [h2, h3, h4].filter((h) => h !== leader) as [NamespaceHost, NamespaceHost];
    const refused = await leader.run(['node', 'rm', 'h5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('node h5 is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal');
    const live = await leader.run(['node', 'rm', '--force', victim.name]);
    expect(live.code).toBe(1);
    expect(live.stderr.trim()).toMatch(new RegExp(`^node ${victim.name} is a manager that is still reachable: demote it first`));
    expect((await ok(other, ['node', 'rm', '--force', 'h5'])).trim()).toBe('h5');
    expect((await ok(leader, ['node', 'rm', '--force', 'h1'])).trim()).toBe('h1');
    expect((await ok(leader, ['node', 'ls'])).trim().split('\n')).toHaveLength(4); // header + h2, h3, h4
    // Three voters now: losing one leaves two of three, still a quorum (two of five would not be).
    await victim.kill('SIGKILL');
    await waitUntil(async () => (await leader.run(['node', 'ls'])).stdout, (out) => leaderAmong(out, [leader, other]), 30_000, `a leader among ${leader.name} and ${other.name}`);
    expect((await ok(other, ['service', 'scale', 'after=2', '-d'])).trim()).toBe('after scaled to 2');
    await waitUntil(async () => ok(leader, ['node', 'ls']), (out) => / Down /.test(line(out, victim.name)), 30_000, `${victim.name} Down`);
    // Take it out too, so that the two left can lose one more to a leave.
    expect((await ok(leader, ['node', 'rm', '--force', victim.name])).trim()).toBe(victim.name);
    survivors = [leader, other];
  });

  it('lets the leader leave with --force: it hands leadership over and the last manager carries on', async () => {
    const [first, second] = survivors as [NamespaceHost, NamespaceHost];
    const nodes = await ok(first, ['node', 'ls']);
    const [leader, other] = /Leader/.test(line(nodes, first.name)) ? [first, second] : [second, first];
    expect(line(nodes, leader.name)).toMatch(/Leader/);
    expect((await ok(leader, ['swarm', 'leave', '--force'])).trim()).toBe('Node left the swarm.');
    const after = await waitUntil(async () => ok(other, ['node', 'ls']), (out) => /Leader/.test(line(out, other.name)) && / Down /.test(line(out, leader.name)), 30_000, `${other.name} leads, ${leader.name} Down`);
    expect(line(after, leader.name)).not.toMatch(/Reachable|Unreachable|Leader/);
    // Alone in the Raft group now, the last manager commits on its own.
    expect((await ok(other, ['service', 'scale', 'after=1', '-d'])).trim()).toBe('after scaled to 1');
  });
});
