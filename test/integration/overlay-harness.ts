// Namespace hosts for the overlay tests: "nodes" are network namespaces on
// one underlay bridge (203.0.113.0/24, addresses only inside namespaces we
// create), "containers" are plain namespaces running busybox. Every name
// starts with `shoalov` (or `shoal-ovt` for the data plane's own
// namespaces), so a crashed run's leftovers are found and removed at start.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessCommandRunner, runChecked, type CommandRunner } from '../../src/overlay/index.js';

/** The real command runner the tests share. */
export const runner: CommandRunner = new ProcessCommandRunner();

const bridge = 'shoalovul';
const forwardRule = ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];

/** Run a command, throwing on failure, returning stdout. */
export function sh(...argv: string[]): Promise<string> {
  return runChecked(runner, argv);
}

/** Run a command in a named namespace, returning the whole result. */
export function inNs(netns: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runner.run(['ip', 'netns', 'exec', netns, ...argv]);
}

/** A simulated host: a namespace with one underlay address. */
export interface TestNode {
  readonly name: string;
  readonly netnsPath: string;
  readonly ip: string;
  /** The data plane's node tag. */
  readonly tag: string;
}

/** Everything a test built, with one teardown. */
export class OverlayLab {
  readonly nodes: TestNode[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'shoalov-'));
  private iptablesRuleAdded = false;

  /** Remove leftovers of earlier runs (ours only: by prefix). */
  static async cleanLeftovers(): Promise<void> {
    const list = await runner.run(['ip', '-j', 'netns', 'list']);
    const names = list.stdout.trim() === '' ? [] : (JSON.parse(list.stdout) as { name: string }[]).map((n) => n.name);
    for (const name of names) {
      if (name.startsWith('shoalov-') || name.startsWith('shoal-ovt')) await runner.run(['ip', 'netns', 'del', name]);
    }
    for (const entry of existsSync('/etc/netns') ? readdirSync('/etc/netns') : []) {
      if (entry.startsWith('shoalov-')) rmSync(join('/etc/netns', entry), { recursive: true, force: true });
    }
    const links = JSON.parse((await runner.run(['ip', '-j', 'link', 'show'])).stdout || '[]') as { ifname: string }[];
    for (const link of links) if (link.ifname.startsWith('shoalov')) await runner.run(['ip', 'link', 'del', link.ifname]);
    while ((await runner.run(['iptables', '-D', ...forwardRule])).code === 0) { /* remove every copy */ }
  }

  /** Create the underlay bridge and `count` nodes 203.0.113.201.. (high, away from real hosts' addresses). */
  async createNodes(count: number): Promise<void> {
    await sh('ip', 'link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0');
    // The bridge has no address of its own; still, it must
    // never answer ARP for the root namespace, or node traffic leaks to it.
    await sh('sysctl', '-qw', `net.ipv4.conf.${bridge}.arp_ignore=8`);
    await sh('sysctl', '-qw', `net.ipv6.conf.${bridge}.disable_ipv6=1`);
    await sh('ip', 'link', 'set', bridge, 'up');
    // A dockerd on this machine may set the FORWARD policy to DROP (matters with br_netfilter).
    this.iptablesRuleAdded = (await runner.run(['iptables', '-I', ...forwardRule])).code === 0;
    for (let i = 1; i <= count; i++) {
      const node = await this.attachToUnderlay(`shoalov-n${i}`, `203.0.113.${200 + i}`, `ovt${i}`);
      await sh('ip', 'netns', 'exec', node.name, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
      this.nodes.push(node);
    }
  }

  /** Put a namespace on the underlay bridge with an address (a node, or an outside client). */
  async attachToUnderlay(name: string, ip: string, tag: string): Promise<TestNode> {
    const hostSide = `shoalovv${ip.split('.').at(-1) ?? ''}`;
    await sh('ip', 'netns', 'add', name);
    await sh('ip', 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name);
    await sh('ip', 'link', 'set', hostSide, 'master', bridge, 'up');
    await sh('ip', '-n', name, 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
    await sh('ip', '-n', name, 'link', 'set', 'eth0', 'up');
    await sh('ip', '-n', name, 'link', 'set', 'lo', 'up');
    return { name, netnsPath: `/run/netns/${name}`, ip, tag };
  }

  /** A "container": an empty namespace, returned as its /run/netns path; with `nameserver`, `ip netns exec` gives it that resolv.conf. */
  async createContainer(name: string, nameserver?: string): Promise<string> {
    const full = `shoalov-${name}`;
    await sh('ip', 'netns', 'add', full);
    if (nameserver !== undefined) {
      mkdirSync(`/etc/netns/${full}`, { recursive: true });
      writeFileSync(`/etc/netns/${full}/resolv.conf`, `nameserver ${nameserver}\n`);
    }
    return `/run/netns/${full}`;
  }

  /** Start busybox httpd in a container, serving its own name at /. */
  async startHttpd(container: string, port = 80): Promise<void> {
    const root = join(this.dir, `www-${container}-${port}`);
    rmSync(root, { recursive: true, force: true });
    await sh('mkdir', '-p', root);
    writeFileSync(join(root, 'index.html'), `${container}\n`);
    // /cgi-bin/ip answers the client address the server sees (source-IP checks).
    await sh('mkdir', '-p', join(root, 'cgi-bin'));
    writeFileSync(join(root, 'cgi-bin', 'ip'), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$REMOTE_ADDR"\n', { mode: 0o755 });
    this.start(['ip', 'netns', 'exec', `shoalov-${container}`, 'busybox', 'httpd', '-f', '-p', String(port), '-h', root]);
    await waitFor(`httpd in ${container}`, async () => (await inNs(`shoalov-${container}`, 'busybox', 'netstat', '-ltn')).stdout.includes(`:${port} `));
  }

  /** Start a node script inside a namespace and wait for it to print "ready". */
  async startNodeIn(netnsPath: string, args: string[]): Promise<ChildProcess> {
    const child = this.start(['nsenter', `--net=${netnsPath}`, process.execPath, ...args]);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitFor(`${args.join(' ').slice(0, 60)} ready in ${netnsPath}`, () => Promise.resolve(out.includes('ready')), 20_000)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}; its output: ${out}`);
      });
    return child;
  }

  /** Start a long-running process that teardown kills. */
  start(argv: string[]): ChildProcess {
    const [command, ...args] = argv;
    const child = spawn(command ?? 'false', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.processes.push(child);
    return child;
  }

  /** Kill our processes, delete our namespaces, bridge and iptables rule. Safe to call twice. */
  async teardown(): Promise<void> {
    for (const child of this.processes.splice(0)) {
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    }
    if (this.iptablesRuleAdded) await runner.run(['iptables', '-D', ...forwardRule]);
    this.iptablesRuleAdded = false;
    await OverlayLab.cleanLeftovers();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** HTTP GET with a hard time bound (busybox wget -T segfaults on Debian). */
export async function httpGet(netns: string, url: string): Promise<string | undefined> {
  const result = await inNs(netns, 'timeout', '3', 'busybox', 'wget', '-q', '-O', '-', url);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Poll `check` every 100 ms for at most `limitMs`; throw naming `what` if it never holds. */
export async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (await check()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
}
