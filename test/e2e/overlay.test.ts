// Overlay networks end to end on three namespace hosts, through the CLI as a
// user would: a service on a user network with tasks on two hosts, a client
// on the third; ping and TCP by IP and by name across hosts; tasks.NAME; the
// routing mesh answering on the host with no task, balanced; a task stopped
// (scale down) leaving the answers; service and network rm leaving nothing.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespaceHosts, type NamespaceHost, type NamespaceHosts } from '../support/namespace-hosts.js';
import { runCommand } from '../support/run-command.js';
import { waitUntil } from '../support/wait.js';
import { formSwarm, ok } from '../support/cli.js';

const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';
const NODE_ID_LABEL = 'com.docker.swarm.node.id';
/** On the network sandbox of a task with overlays (src/worker/sandbox.ts). */
const SANDBOX_LABEL = 'shoal.sandbox';

// Its very first instructions need the overlay: its address on eth1, the
// embedded DNS, a task on another host through the VIP. Exits non-zero
// (3, 4, 5) at the first one missing.
const PROBE_SCRIPT = [
  'ip -o addr show eth1 | grep -q " 10.123.0." || exit 3',
  'nslookup web 127.0.0.11 | grep -q "10.123.0." || exit 4',
  'timeout 5 wget -q -O - http://web/ >/dev/null || exit 5',
  'echo first-try-ok',
].join('; ');

// Serves the container's hostname at / and the client address it sees at /cgi-bin/ip.
const WEB_SCRIPT = [
  'mkdir -p /w/cgi-bin && hostname > /w/index.html',
  `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\necho "$REMOTE_ADDR"\\n' > /w/cgi-bin/ip`,
  'chmod +x /w/cgi-bin/ip && exec httpd -f -p 80 -h /w',
].join(' && ');

/** The client address busybox httpd reports to CGI ("[::ffff:a.b.c.d]" → "a.b.c.d"). */
const clientAddress = (text: string): string => text.trim().replace(/^\[::ffff:(.*)\]$/, '$1');

/** The node tag in kernel object names (src/daemon/node-overlay.ts overlayNodeTag). */
const tagOf = (nodeId: string): string => nodeId.slice(0, 12).toLowerCase();

describe('overlay networks across three namespace hosts', () => {
  let env: NamespaceHosts;
  let h1: NamespaceHost;
  let h2: NamespaceHost;
  let h3: NamespaceHost;
  let docker: Docker;
  const nodeIds: string[] = [];
  let h2Id = '';

  // Other runs may share the engine and have a "web" of their own: only this swarm's nodes count.
  const containersOf = async (service: string): Promise<Docker.ContainerInfo[]> =>
    (await docker.listContainers({ filters: { label: [`${SERVICE_NAME_LABEL}=${service}`] } })).filter((c) => nodeIds.includes(c.Labels[NODE_ID_LABEL] ?? ''));

  /** Runs a shell line in the client task's container (its resolv.conf: 127.0.0.11). */
  async function inClient(script: string, timeoutMs = 15_000): Promise<{ code: number; stdout: string }> {
    const [client] = await containersOf('client');
    const r = await runCommand('docker', ['-H', env.dockerHost, 'exec', client?.Id ?? '?', 'sh', '-c', script], { allowFailure: true, timeoutMs });
    return { code: r.code, stdout: r.stdout.trim() };
  }

  /** Every container of this swarm's nodes, task containers and sandboxes, running or not. */
  const allOfSwarm = async (): Promise<Docker.ContainerInfo[]> =>
    (await docker.listContainers({ all: true, filters: { label: [NODE_ID_LABEL] } })).filter((c) => nodeIds.includes(c.Labels[NODE_ID_LABEL] ?? ''));

  const taskIps = async (): Promise<string[]> => {
    const out = (await inClient('nslookup tasks.web 127.0.0.11')).stdout;
    return [...out.matchAll(/Address:\s*(10\.\d+\.\d+\.\d+)/g)].map((m) => m[1] ?? '').sort();
  };

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
    [h1, h2, h3] = env.hosts as [NamespaceHost, NamespaceHost, NamespaceHost];
    docker = env.docker;
    await formSwarm([h1, h2, h3]);
    nodeIds.push(...(await ok(h1, ['node', 'ls', '-q'])).trim().split('\n'));
    h2Id = /NodeID:\s*(\S+)/.exec(await ok(h2, ['info']))?.[1] ?? '';
  }, 300_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a service on an overlay across two hosts and a client on the third', async () => {
    await ok(h1, ['network', 'create', '-d', 'overlay', '--subnet', '10.123.0.0/24', 'appnet']);
    // Each web task serves its container's hostname, so answers tell tasks apart.
    await ok(h1, ['service', 'create', '--name', 'web', '--replicas', '2', '--network', 'appnet', '-p', '18080:80', '--constraint', 'node.hostname!=h3',
      '--publish', 'published=18081,target=80,source-ip=preserve', 'shoal-test/busybox:latest', 'sh', '-c', WEB_SCRIPT]);
    await ok(h1, ['service', 'create', '--name', 'client', '--network', 'appnet', '--constraint', 'node.hostname==h3', 'shoal-test/busybox:latest', 'sleep', '100000']);
    expect(await containersOf('web')).toHaveLength(2);
    expect(await containersOf('client')).toHaveLength(1);
  });

  it('starts a task process with its overlay in place: a run-once task resolving and reaching web at its first instruction succeeds on its first try', async () => {
    await ok(h1, ['service', 'create', '-d', '--name', 'probe', '--network', 'appnet', '--restart-condition', 'none', '--constraint', 'node.hostname==h3',
      'shoal-test/busybox:latest', 'sh', '-c', PROBE_SCRIPT]);
    const tasks = await waitUntil(async () => (await ok(h1, ['service', 'ps', 'probe'])).trim().split('\n').slice(1), (lines) => lines.some((l) => /Complete|Failed|Rejected/.test(l)), 60_000, 'probe task finished');
    expect(tasks, tasks.join('\n')).toHaveLength(1);
    expect(tasks[0]).toMatch(/Complete/);
    const [probe] = (await allOfSwarm()).filter((c) => c.Labels[SERVICE_NAME_LABEL] === 'probe');
    expect((await docker.getContainer(probe?.Id ?? '?').inspect()).State.ExitCode).toBe(0);
    // It ran in its sandbox's namespace, the one the overlay was plumbed into before it started.
    const sandbox = (await allOfSwarm()).find((c) => c.Labels[SANDBOX_LABEL] === (probe?.Names[0] ?? '').slice(1));
    expect(sandbox?.State).toBe('running');
    expect((await docker.getContainer(probe?.Id ?? '?').inspect()).HostConfig.NetworkMode).toBe(`container:${sandbox?.Id ?? ''}`);
    await ok(h1, ['service', 'rm', 'probe']);
    await waitUntil(async () => (await allOfSwarm()).filter((c) => c.Labels[SANDBOX_LABEL]?.startsWith('probe.') === true).length, (n) => n === 0, 30_000, 'probe sandbox removed');
  });

  it('reaches every web task from the other host by IP (ping and TCP) and by name', async () => {
    const ips = await waitUntil(taskIps, (list) => list.length === 2, 10_000, 'tasks.web answers both task IPs');
    expect(ips.every((ip) => ip.startsWith('10.123.0.'))).toBe(true);
    const hostnames = new Set<string>();
    for (const ip of ips) {
      expect((await inClient(`ping -c 1 -W 3 ${ip}`)).code, `ping ${ip}`).toBe(0);
      hostnames.add((await inClient(`timeout 5 wget -q -O - http://${ip}/`)).stdout);
    }
    expect(hostnames.size).toBe(2);
    expect((await inClient('nslookup web 127.0.0.11')).stdout).toMatch(/Address:\s*10\.123\.0\.\d+/);
    const byName = new Set<string>();
    for (let i = 0; i < 20; i++) byName.add((await inClient('timeout 5 wget -q -O - http://web/')).stdout);
    expect(byName).toEqual(hostnames);
  });

  it('answers the published port on the host with no web task, balancing across both tasks', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await h3.exec(`timeout 5 busybox wget -q -O - http://${h3.ip}:18080/`);
      seen.add(r.stdout.trim());
    }
    expect(seen.size, `answers: ${[...seen].join(', ')}`).toBe(2);
    // And from another host, towards the same node.
    expect((await h2.exec(`timeout 5 busybox wget -q -O - http://${h3.ip}:18080/`)).stdout.trim()).not.toBe('');
  });

  it('keeps the client address on a source-ip=preserve port served by a local task, and NATs the plain one', async () => {
    const preserved = await h3.exec(`timeout 5 busybox wget -q -O - http://${h1.ip}:18081/cgi-bin/ip`);
    expect(clientAddress(preserved.stdout)).toBe(h3.ip);
    const natted = await h3.exec(`timeout 5 busybox wget -q -O - http://${h1.ip}:18080/cgi-bin/ip`);
    expect(clientAddress(natted.stdout)).toMatch(/^10\.\d+\.\d+\.\d+$/);
  });

  it('keeps an established connection and its containers across a daemon restart', async () => {
    const before = (await containersOf('web')).map((c) => c.Id).sort();
    // Task containers and their sandboxes alike: adopted, none made again.
    const everything = (await allOfSwarm()).map((c) => c.Id).sort();
    expect(everything).toHaveLength(2 * 3);
    const onH2 = (await containersOf('web')).find((c) => c.Labels[NODE_ID_LABEL] === h2Id)?.Id ?? '?';
    const inWeb = async (args: string[]): Promise<string> => (await runCommand('docker', ['-H', env.dockerHost, 'exec', onH2, ...args])).stdout.trim();
    const ip = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(await inWeb(['ip', '-o', '-4', 'addr', 'show', 'eth2']))?.[1] ?? '?';
    const name = await inWeb(['hostname']);
    // The request goes out 8 s after connecting, while h2's daemon restarts.
    const held = inClient(`(sleep 8; printf 'GET / HTTP/1.0\\r\\n\\r\\n') | timeout 40 nc ${ip} 80`, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    await h2.restart();
    expect((await held).stdout).toContain(name);
    await waitUntil(taskIps, (list) => list.length === 2, 20_000, 'tasks.web answers both after the restart');
    expect((await containersOf('web')).map((c) => c.Id).sort()).toEqual(before);
    expect((await allOfSwarm()).map((c) => c.Id).sort()).toEqual(everything);
  });

  it('publishes a port on a running service with --publish-add: its tasks are replaced with ingress addresses and the mesh answers on every node', async () => {
    await ok(h1, ['service', 'create', '--name', 'late', '--network', 'appnet', '--constraint', 'node.hostname==h1', 'shoal-test/busybox:latest', 'sh', '-c', WEB_SCRIPT]);
    const [before] = await containersOf('late');
    await ok(h1, ['service', 'update', '--publish-add', '18090:80', 'late']);
    const [after] = await containersOf('late');
    expect(after?.Id).toBeDefined();
    expect(after?.Id).not.toBe(before?.Id);
    for (const h of [h1, h2, h3]) {
      const answer = await waitUntil(async () => (await h.exec(`timeout 5 busybox wget -q -O - http://${h.ip}:18090/`)).stdout.trim(), (out) => out !== '', 20_000, `18090 answers on ${h.name}`);
      expect(answer).not.toBe('');
    }
    await ok(h1, ['service', 'rm', 'late']);
    await waitUntil(async () => (await allOfSwarm()).filter((c) => c.Labels[SERVICE_NAME_LABEL] === 'late' || c.Labels[SANDBOX_LABEL]?.startsWith('late.') === true).length, (n) => n === 0, 30_000, 'late removed, sandbox included');
  });

  it('drops a stopped task from tasks.NAME and from the mesh', async () => {
    await ok(h1, ['service', 'scale', 'web=1']);
    await waitUntil(taskIps, (list) => list.length === 1, 10_000, 'tasks.web answers one IP after scale-down');
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await h3.exec(`timeout 5 busybox wget -q -O - http://${h3.ip}:18080/`)).stdout.trim());
    expect(seen.size).toBe(1);
  });

  it('leaves no namespace or overlay link on any host once services and the network are removed', async () => {
    await ok(h1, ['service', 'rm', 'web', 'client']);
    await waitUntil(async () => (await containersOf('web')).length + (await containersOf('client')).length, (n) => n === 0, 30_000, 'task containers removed');
    // No network sandbox either (they carry the node label, not the service's).
    await waitUntil(async () => (await allOfSwarm()).map((c) => c.Names[0]), (names) => names.length === 0, 30_000, 'no container of this swarm left, sandboxes included');
    // The managers refuse while the removed tasks are still stopping; retry as a user would.
    await waitUntil(async () => (await h1.run(['network', 'rm', 'appnet'])).code, (code) => code === 0, 30_000, 'network rm appnet succeeds');
    const tags = nodeIds.map(tagOf);
    await waitUntil(
      async () => (await runCommand('ip', ['netns', 'list'])).stdout,
      (list) => !tags.some((tag) => list.includes(`shoal-${tag}-`)),
      20_000,
      'no overlay namespace of this swarm left',
    );
    for (const h of [h1, h2, h3]) {
      const links = (await h.exec('ip -br link')).stdout;
      expect(links, `links on ${h.name}`).not.toMatch(/^sh[gxb]\d/m);
      expect((await h.exec('nft list table ip shoal-mesh')).code, `mesh table on ${h.name}`).not.toBe(0);
    }
  });
});
