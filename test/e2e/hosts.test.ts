// The two ways e2e tests get several hosts, checked the way a user would see
// them: namespace hosts reach each other over the underlay and each runs its
// own `shoal daemon` on the shared engine; container hosts each have their
// own dockerd and reach each other by IP. Teardown leaves nothing behind.
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startContainerHosts, type ContainerHosts } from '../support/container-hosts.js';
import { dockerClient } from '../support/docker-engine.js';
import { createNamespaceHosts, type NamespaceHosts } from '../support/namespace-hosts.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from '../support/test-images.js';
import { runCommand } from '../support/run-command.js';
import { listUnderlayResources } from '../support/underlay.js';
import { isAlive } from '../support/wait.js';

const netnsInode = (name: string): string => `net:[${statSync(`/run/netns/${name}`).ino}]`;

describe('namespace hosts', () => {
  let env: NamespaceHosts;

  beforeAll(async () => {
    env = await createNamespaceHosts({ count: 3 });
  });

  afterAll(async () => {
    await env?.teardown(); // undefined when beforeAll failed
  });

  it('reach each other over the underlay bridge', async () => {
    for (const from of env.hosts) {
      for (const to of env.hosts.filter((h) => h !== from)) {
        const r = await from.exec(`busybox ping -c 1 -W 2 ${to.ip}`);
        expect(r.code, `${from.name} -> ${to.name}: ${r.stdout}${r.stderr}`).toBe(0);
      }
    }
    const addr = await env.hosts[0]!.exec('ip -4 -o addr show dev eth0');
    expect(addr.stdout).toContain(`${env.hosts[0]!.ip}/24`);
    expect(env.hosts[0]!.ip).toBe(`${env.subnet}.11`);
  });

  it('run one shoal daemon each, answering `shoal info` with its own name and data root', async () => {
    for (const h of env.hosts) {
      const r = await h.run(['info']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Name:\\s+${h.name}\\b`));
      expect(r.stdout).toContain(h.dataRoot);
      expect(r.stdout).toContain(env.dockerHost);
    }
  });

  it('run each daemon in its host network namespace but in the shared mount namespace', () => {
    for (const h of env.hosts) {
      expect(h.pid).toBeDefined();
      expect(readlinkSync(`/proc/${h.pid}/ns/net`)).toBe(netnsInode(h.netnsName));
      expect(readlinkSync(`/proc/${h.pid}/ns/mnt`)).toBe(readlinkSync('/proc/self/ns/mnt'));
    }
  });

  it('share the one test engine, where a busybox container per host runs', async () => {
    const docker = env.docker;
    for (const h of env.hosts) {
      const c = await docker.createContainer({
        Image: BUSYBOX_IMAGE,
        Cmd: ['sleep', '300'],
        Hostname: h.name,
        Labels: { [TEST_LABEL]: env.runLabel, 'shoal.test.host': h.name },
      });
      await c.start();
    }
    const running = await docker.listContainers({ filters: { label: [`${TEST_LABEL}=${env.runLabel}`] } });
    expect(running.map((c) => c.Labels['shoal.test.host']).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(running.every((c) => c.State === 'running')).toBe(true);
  });

  it('survive a killed daemon: the host stops answering, then answers again after restart', async () => {
    const h = env.hosts[1]!;
    const oldPid = h.pid!;
    await h.kill('SIGKILL');
    expect(h.running).toBe(false);
    expect(isAlive(oldPid)).toBe(false);
    expect((await h.run(['info'])).code).not.toBe(0);
    await h.restart();
    expect(h.pid).not.toBe(oldPid);
    const r = await h.run(['info']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(h.dataRoot);
    expect(readFileSync(h.logPath, 'utf8').match(/shoal daemon started/g)?.length).toBe(2);
  });

  it('teardown leaves no process, namespace, bridge, rule, directory or container behind', async () => {
    const pids = env.hosts.map((h) => h.pid!);
    await env.teardown();
    const left = await listUnderlayResources();
    const mine = (r: { id: string }): boolean => r.id === env.id;
    expect(left.namespaces.filter(mine)).toEqual([]);
    expect(left.links.filter(mine)).toEqual([]);
    expect(left.iptablesRules.filter(mine)).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(env.dir)).toBe(false);
    expect(await env.docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${env.runLabel}`] } })).toEqual([]);
  });
});

describe('namespace hosts with a stand-in daemon', () => {
  it('run any daemonCommand inside the namespace; concurrent sets get separate subnets', async () => {
    // A stand-in that reports its addresses over the socket: the helper is not tied to shoal.
    const standIn = "const net=require('net'),os=require('os');net.createServer(s=>{s.on('error',()=>{});s.end(JSON.stringify(os.networkInterfaces()))}).listen(process.argv[1])";
    const daemonCommand = (h: { socketPath: string }): string[] => [process.execPath, '-e', standIn, h.socketPath];
    const sets = await Promise.all([createNamespaceHosts({ count: 2, daemonCommand }), createNamespaceHosts({ count: 2, daemonCommand })]);
    try {
      expect(new Set(sets.map((s) => s.subnet)).size).toBe(2);
      for (const h of sets.flatMap((s) => s.hosts)) {
        const r = await h.exec(`${process.execPath} -e "require('net').connect('${h.socketPath}').pipe(process.stdout)"`);
        expect(r.stdout).toContain(h.ip);
        // This machine reaches every host over its set's bridge, as a test or the demo would.
        const ping = await runCommand('busybox', ['ping', '-c', '1', '-W', '2', h.ip], { allowFailure: true });
        expect(ping.code, ping.stdout).toBe(0);
      }
    } finally {
      await Promise.all(sets.map((s) => s.teardown()));
    }
    const ids = sets.map((s) => s.id);
    expect((await listUnderlayResources()).namespaces.filter((n) => ids.includes(n.id))).toEqual([]);
  });
});

describe('container hosts', () => {
  let env: ContainerHosts;

  beforeAll(async () => {
    env = await startContainerHosts({ count: 2 });
  });

  afterAll(async () => {
    await env?.teardown(); // undefined when beforeAll failed
  });

  it('each have their own working dockerd with the busybox test image', async () => {
    const outerId = ((await dockerClient(inject('dockerHost')).info()) as { ID: string }).ID;
    const ids = new Set<string>([outerId]);
    for (const h of env.hosts) {
      const info = await h.docker(['info', '--format', '{{.ID}}']);
      expect(info.code, info.stderr).toBe(0);
      ids.add(info.stdout.trim());
      const run = await h.docker(['run', '--rm', BUSYBOX_IMAGE, 'sh', '-c', 'echo hello from $(hostname)']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/hello from [0-9a-f]{12}/);
    }
    expect(ids.size).toBe(env.hosts.length + 1);
  });

  it('reach each other by IP and name, including a port a busybox container publishes', async () => {
    const [c1, c2] = env.hosts as [ContainerHosts['hosts'][0], ContainerHosts['hosts'][0]];
    expect(c1.ip).not.toBe(c2.ip);
    expect((await c2.exec('getent hosts c1')).stdout).toContain(c1.ip);
    const ping = await c2.exec(`ping -c 1 -W 2 ${c1.ip}`);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const web = await c1.docker(['run', '-d', '--name', 'web', '-p', '8080:8080', BUSYBOX_IMAGE, 'sh', '-c', 'echo served-by-c1 > /var/www/index.html && exec httpd -f -p 8080 -h /var/www']);
    expect(web.code, web.stderr).toBe(0);
    const get = await c2.exec(`for i in $(seq 1 20); do curl -sf --max-time 3 http://${c1.ip}:8080/ && exit 0; sleep 0.5; done; exit 1`);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('served-by-c1');
  });

  it('run shoal daemon inside, answering `shoal info` with the host name and its own engine until stopped', async () => {
    const h = env.hosts[0]!;
    await h.startDaemon();
    const r = await h.shoal(['info']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Name:\s+c1\b/);
    expect(r.stdout).toContain('unix:///var/run/docker.sock');
    await h.stopDaemon('SIGTERM');
    expect((await h.shoal(['info'])).code).not.toBe(0);
  });

  it('are removed, with their network, by teardown', async () => {
    const docker = dockerClient(inject('dockerHost'));
    await env.teardown();
    const ids = new Set((await docker.listContainers({ all: true })).map((c) => c.Id));
    expect(env.hosts.filter((h) => ids.has(h.containerId))).toEqual([]);
    expect((await docker.listNetworks()).map((n) => n.Name)).not.toContain(env.networkName);
  });
});
