// The "physical" network of namespace hosts: one network namespace per host,
// each with an eth0 veth into a Linux bridge on a /24 from the ranges that
// are never routed on the Internet (192.0.2.0/24 first, then the other
// documentation and benchmarking ranges), skipping any /24 this machine
// already routes: some machines (this one) sit on 192.0.2.0/24 themselves,
// and giving a bridge their gateway's address would cut them off. Every name
// carries the owning process id and the set's letter, so a later run can tell
// leftovers of a crashed run (owner dead) from a concurrent run (owner alive).
import { mkdirSync, rmSync } from 'node:fs';
import { runCommand } from './run-command.js';
import { isAlive, sleep } from './wait.js';

/** Prefix of every namespace, directory and label value the test environment creates. */
export const TEST_PREFIX = 'shoal-t-';
/** Prefix length of an underlay subnet. */
export const UNDERLAY_PREFIX_LEN = 24;

/** Names of one set's underlay objects, all derived from `id` = owner pid + set letter. */
export interface UnderlayNames {
  owner: number;
  id: string;
  /** The subnet's first three octets: the bridge is .1, host i (1-based) is .(10+i). */
  net: string;
  bridge: string;
  iptablesComment: string;
  netns(index: number): string;
  vethOutside(index: number): string;
}

/** Names for set `letter` (a-z) owned by process `owner` on subnet `net`; interface names fit Linux's 15 characters. */
export function underlayNames(owner: number, letter: string, net: string): UnderlayNames {
  const id = `${owner}${letter}`;
  return {
    owner,
    id,
    net,
    bridge: `stb${id}`,
    iptablesComment: `${TEST_PREFIX}${id}`,
    netns: (i) => `${TEST_PREFIX}${id}-h${i}`,
    vethOutside: (i) => `st${id}h${i}`,
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

// TEST-NET-1, -2, -3 (RFC 5737), then 198.18.0.0/15 (RFC 2544): none is routed on the Internet.
const CANDIDATE_NETS = ['192.0.2', '198.51.100', '203.0.113', ...Array.from({ length: 512 }, (_, k) => `198.${18 + (k >> 8)}.${k & 255}`)];

/** The first candidate /24 that overlaps no route or address of this machine's root network namespace. */
export async function freeSubnet(): Promise<string> {
  const out = (await runCommand('ip', ['-4', '-o', 'route', 'show', 'table', 'all'])).stdout
    + (await runCommand('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  const taken = [...out.matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/gm)].map((m) => cidr(m[1]!, Number(m[2] ?? 32)));
  const net = CANDIDATE_NETS.find((n) => taken.every((t) => !overlaps(cidr(`${n}.0`, 24), t)));
  if (net === undefined) throw new Error('no free /24 left in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15');
  return net;
}

function cidr(addr: string, len: number): { base: number; len: number } {
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = len === 0 ? 0 : 2 ** 32 - 2 ** (32 - len);
  return { base: (n & mask) >>> 0, len };
}

function overlaps(a: { base: number; len: number }, b: { base: number; len: number }): boolean {
  const len = Math.min(a.len, b.len);
  const mask = len === 0 ? 0 : 2 ** 32 - 2 ** (32 - len);
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

/** Picks a letter no live set on this machine uses and creates that set's underlay, under a machine-wide lock. */
export async function createFreeUnderlay(owner: number, count: number): Promise<UnderlayNames> {
  const lock = '/run/shoal-test-underlay.lock';
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 30s; remove it if no test run is active`);
      await sleep(100);
    }
  }
  try {
    const used = new Set((await listUnderlayResources()).links.map((l) => l.id.slice(-1)));
    const letter = [...LETTERS].find((l) => !used.has(l));
    if (letter === undefined) throw new Error('26 namespace-host sets are live on this machine; tear some down first');
    const names = underlayNames(owner, letter, await freeSubnet());
    try {
      await createUnderlay(names, count);
    } catch (e) {
      await removeUnderlay((r) => r.id === names.id); // nothing half-made stays behind
      throw e;
    }
    return names;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The underlay address of host `index` (1-based) in a set. */
export function hostIp(names: UnderlayNames, index: number): string {
  return `${names.net}.${10 + index}`;
}

const ip = (args: string[]): Promise<unknown> => runCommand('ip', args);

// Creates the bridge (with the FORWARD ACCEPT rule dockerd's DROP policy needs) and `count` namespaces on it.
async function createUnderlay(names: UnderlayNames, count: number): Promise<void> {
  await ip(['link', 'add', names.bridge, 'type', 'bridge']);
  await ip(['addr', 'add', `${names.net}.1/${UNDERLAY_PREFIX_LEN}`, 'dev', names.bridge]);
  await ip(['link', 'set', names.bridge, 'up']);
  // Bridged frames traverse iptables (br_netfilter) and dockerd sets FORWARD's policy to DROP.
  await runCommand('iptables', ['-I', 'FORWARD', '-i', names.bridge, '-o', names.bridge, '-m', 'comment', '--comment', names.iptablesComment, '-j', 'ACCEPT']);
  for (let i = 1; i <= count; i++) {
    const ns = names.netns(i);
    const inside = `${names.vethOutside(i)}p`;
    await ip(['netns', 'add', ns]);
    await ip(['link', 'add', names.vethOutside(i), 'type', 'veth', 'peer', 'name', inside]);
    await ip(['link', 'set', names.vethOutside(i), 'master', names.bridge, 'up']);
    await ip(['link', 'set', inside, 'netns', ns]);
    await ip(['-n', ns, 'link', 'set', inside, 'name', 'eth0']);
    await ip(['-n', ns, 'addr', 'add', `${hostIp(names, i)}/${UNDERLAY_PREFIX_LEN}`, 'dev', 'eth0']);
    await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    // Like a real host's: address auto-detection (swarm init without --advertise-addr) follows the default
    // route. Nothing leaves the machine: only bridge-to-bridge forwarding is accepted.
    await ip(['-n', ns, 'route', 'add', 'default', 'via', `${names.net}.1`]);
  }
}

/** One test-created object, with the set it belongs to and the pid that owns it. */
export interface OwnedResource {
  name: string;
  id: string;
  owner: number;
}

/** Test-created network objects currently on this machine. */
export interface UnderlayResources {
  namespaces: OwnedResource[];
  links: OwnedResource[];
  /** `name` is the rule spec as `iptables -S` prints it, minus `-A`. */
  iptablesRules: OwnedResource[];
}

/** Lists the namespaces, links and iptables rules the test environment made (any owner). */
export async function listUnderlayResources(): Promise<UnderlayResources> {
  const owned = (name: string, id: string): OwnedResource => ({ name, id, owner: Number(/^\d+/.exec(id)?.[0]) });
  const nsOut = (await runCommand('ip', ['netns', 'list'], { allowFailure: true })).stdout;
  const namespaces = [...nsOut.matchAll(new RegExp(`^(${TEST_PREFIX}(\\d+[a-z])-h\\d+)`, 'gm'))].map((m) => owned(m[1]!, m[2]!));
  const linkOut = (await runCommand('ip', ['-o', 'link', 'show'], { allowFailure: true })).stdout;
  const links = [...linkOut.matchAll(/^\d+: ((?:stb|st)(\d+[a-z])(?:h\d+p?)?)[@:]/gm)]
    .filter((m) => /^stb\d+[a-z]$|^st\d+[a-z]h\d+p?$/.test(m[1]!))
    .map((m) => owned(m[1]!, m[2]!));
  const ruleOut = (await runCommand('iptables', ['-S', 'FORWARD'], { allowFailure: true })).stdout;
  const iptablesRules = [...ruleOut.matchAll(new RegExp(`^-A (FORWARD .*--comment "?${TEST_PREFIX}(\\d+[a-z])"?.*)$`, 'gm'))]
    .map((m) => owned(m[1]!, m[2]!));
  return { namespaces, links, iptablesRules };
}

/** Kills every process in the namespace and deletes it; ignores a namespace already gone. */
export async function deleteNamespace(name: string): Promise<void> {
  const pids = (await runCommand('ip', ['netns', 'pids', name], { allowFailure: true })).stdout.split('\n').filter((p) => p.trim() !== '');
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await runCommand('ip', ['netns', 'del', name], { allowFailure: true });
}

/** Removes the underlay objects `select` picks (by set id and owner pid). */
export async function removeUnderlay(select: (r: OwnedResource) => boolean): Promise<void> {
  const res = await listUnderlayResources();
  for (const ns of res.namespaces.filter(select)) await deleteNamespace(ns.name);
  for (const link of res.links.filter(select)) await runCommand('ip', ['link', 'del', link.name], { allowFailure: true });
  for (const rule of res.iptablesRules.filter(select)) {
    await runCommand('sh', ['-c', `iptables -D ${rule.name}`], { allowFailure: true });
  }
}

/** Whether a resource's owner process is gone (so the resource is a leftover). */
export function ownerDead(r: { owner: number }): boolean {
  return r.owner !== process.pid && !isAlive(r.owner);
}
