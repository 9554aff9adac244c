// What e2e tests share when they drive hosts as a user does: run the CLI and
// insist it succeeded, form a swarm, read a host's node ID, run a script in a container.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { expect } from 'vitest';
import type { NamespaceHost } from './namespace-hosts.js';
import { waitUntil } from './wait.js';

/** `shoal ARGS` on the host; fails the test with the command's output unless it exits 0. Returns stdout. */
export async function ok(host: NamespaceHost, args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await host.run(args, timeoutMs);
  expect(r.code, `shoal ${args.join(' ')} on ${host.name}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The row of `node ls` (or any table) whose columns include the host's name. */
export function nodeLine(out: string, host: string): string {
  return out.split('\n').find((l) => new RegExp(` ${host} `).test(l)) ?? '';
}

/** The node ID the host's daemon keeps in its data root. */
export function nodeIdOf(host: NamespaceHost): string {
  return (JSON.parse(readFileSync(join(host.dataRoot, 'swarm', 'state.json'), 'utf8')) as { nodeId: string }).nodeId;
}

/** A shell script's output (stdout and stderr) in a container, Docker's 8-byte frame headers removed. */
export async function execIn(docker: Docker, containerId: string, script: string): Promise<string> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const all = Buffer.concat(chunks);
  let out = '';
  for (let i = 0; i + 8 <= all.length; ) {
    const size = all.readUInt32BE(i + 4);
    out += all.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}

/**
 * A swarm of the given hosts, as a user forms one: `swarm init` on the first
 * (with `initArgs`), `swarm join` of the others with the worker token (or the
 * manager token), then waits until every node is Ready (and every joined
 * manager Reachable). Returns the output of `swarm init`.
 */
export async function formSwarm(hosts: readonly NamespaceHost[], options: { managers?: boolean; initArgs?: string[] } = {}): Promise<string> {
  const [first, ...others] = hosts;
  if (first === undefined) throw new Error('formSwarm needs at least one host');
  const init = await ok(first, ['swarm', 'init', '--advertise-addr', first.ip, ...(options.initArgs ?? [])]);
  const token = options.managers ? (await ok(first, ['swarm', 'join-token', '-q', 'manager'])).trim() : (/--token (SWMTKN-1-\S+)/.exec(init)?.[1] ?? '');
  for (const h of others) await ok(h, ['swarm', 'join', '--token', token, `${first.ip}:2377`]);
  const reachable = options.managers ? others.length : 0;
  await waitUntil(
    async () => ok(first, ['node', 'ls']),
    (out) => (out.match(/ Ready /g) ?? []).length === hosts.length && (out.match(/Reachable/g) ?? []).length === reachable,
    60_000,
    `${hosts.length} Ready nodes${reachable ? `, ${reachable} of them Reachable managers` : ''}`,
  );
  return init;
}
