// node promote / demote as a user drives them: a worker becomes a manager
// (new certificate, joins Raft, answers cluster commands), then goes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { formSwarm, ok } from '../support/cli.js';

const line = (out: string, host: string): string => out.split('\n').find((l) => new RegExp(` ${host} `).test(l)) ?? '';

describe('promote and demote', () => {
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

  it('promotes a worker: it joins the managers and answers cluster commands', async () => {
    expect((await h2.run(['node', 'ls'])).code).toBe(1);
    expect((await ok(h1, ['node', 'promote', 'h2'])).trim()).toBe('Node h2 promoted to a manager in the swarm.');
    await waitUntil(async () => line(await ok(h1, ['node', 'ls']), 'h2'), (l) => /Reachable/.test(l), 30_000, 'h2 Reachable');
    const fromH2 = await waitUntil(async () => h2.run(['node', 'ls']), (r) => r.code === 0, 30_000, 'h2 answers node ls');
    expect(line(fromH2.stdout, 'h1')).toMatch(/Leader/);
    expect(line(fromH2.stdout, 'h2')).toMatch(/^\w{25} \* +h2 /);
  });

  it('demotes it again: it leaves the managers and refuses cluster commands', async () => {
    expect((await ok(h1, ['node', 'demote', 'h2'])).trim()).toBe('Manager h2 demoted in the swarm.');
    await waitUntil(async () => line(await ok(h1, ['node', 'ls']), 'h2'), (l) => !/Reachable|Unreachable|Leader/.test(l) && / Ready /.test(l), 30_000, 'h2 a worker again');
    const refused = await waitUntil(async () => h2.run(['service', 'ls']), (r) => r.code === 1, 30_000, 'h2 refuses service ls');
    expect(refused.stderr.trim()).toMatch(/^This node is not a swarm manager\. Worker nodes can't be used/);
  });

  it('promotes two workers in one command, then demotes both in one command', async () => {
    // Raft takes one membership change at a time: the second must wait its turn, not be dropped.
    expect((await ok(h1, ['node', 'promote', 'h2', 'h3'])).trim().split('\n')).toEqual(['Node h2 promoted to a manager in the swarm.', 'Node h3 promoted to a manager in the swarm.']);
    await waitUntil(async () => ok(h1, ['node', 'ls']), (out) => /Reachable/.test(line(out, 'h2')) && /Reachable/.test(line(out, 'h3')), 45_000, 'h2 and h3 Reachable');
    for (const h of [h2, h3]) await waitUntil(async () => h.run(['node', 'ls']), (r) => r.code === 0, 30_000, `${h.name} answers node ls`);
    expect((await ok(h1, ['node', 'demote', 'h2', 'h3'])).trim().split('\n')).toEqual(['Manager h2 demoted in the swarm.', 'Manager h3 demoted in the swarm.']);
    await waitUntil(
      async () => ok(h1, ['node', 'ls']),
      (out) => ['h2', 'h3'].every((h) => !/Reachable|Unreachable|Leader/.test(line(out, h)) && / Ready /.test(line(out, h))),
      45_000,
      'h2 and h3 workers again',
    );
    for (const h of [h2, h3]) await waitUntil(async () => h.run(['service', 'ls']), (r) => r.code === 1, 30_000, `${h.name} refuses service ls`);
  });

  it('refuses to demote the last manager', async () => {
    const r = await h1.run(['node', 'demote', 'h1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/demote the last manager/);
  });
});
