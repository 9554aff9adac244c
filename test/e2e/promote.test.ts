// node promote / demote as a user drives them: a worker becomes a manager
// (new certificate, joins Raft, answers cluster commands), then goes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { waitUntil } from '../support/wait.js';
import { ok } from '../support/cli.js';

const line = (out: string, host: string): string => out.split('\n').find((l) => new RegExp(` ${host} `).test(l)) ?? '';

describe('promote and demote', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 2 });
    [h1, h2] = env.hosts as [NamespaceHost, NamespaceHost];
    const init = await ok(h1, ['swarm', 'init', '--advertise-addr', h1.ip]);
    await ok(h2, ['swarm', 'join', '--token', /--token (\S+)/.exec(init)?.[1] ?? '', `${h1.ip}:2377`]);
    await waitUntil(async () => ok(h1, ['node', 'ls']), (out) => (out.match(/ Ready /g) ?? []).length === 2, 30_000, 'two Ready nodes');
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

  it('refuses to demote the last manager', async () => {
    const r = await h1.run(['node', 'demote', 'h1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/demote the last manager/);
  });
});
