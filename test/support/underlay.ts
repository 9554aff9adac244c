// The "physical" network of namespace hosts: one network namespace per host,
// each with an eth0 veth into a Linux bridge on 198.51.100.0/24 (TEST-NET-2; not TEST-NET-1, which this machine's own eth0 uses,
// never routed). Every name carries the owning process id and a letter for the
// set (one process may hold several), so a later run can tell leftovers of a
// crashed run (owner dead) from a concurrent run (owner alive).
import { runCommand } from './run-command.js';
import { isAlive } from './wait.js';

/** Prefix of every namespace, directory and label value the test environment creates. */
export const TEST_PREFIX = 'shoal-t-';
/** The underlay subnet's first three octets; the bridge is .1, host i (1-based) is .(10+i). */
export const UNDERLAY_NET = '198.51.100';
/** Prefix length of the underlay subnet. */
export const UNDERLAY_PREFIX_LEN = 24;

/** Names of one set's underlay objects, all derived from `id` = owner pid + set letter. */
export interface UnderlayNames {
  owner: number;
  id: string;
  bridge: string;
  iptablesComment: string;
  netns(index: number): string;
  vethOutside(index: number): string;
}

/** Names for set `letter` (a-z) owned by process `owner`; interface names stay within Linux's 15 characters. */
export function underlayNames(owner: number, letter: string): UnderlayNames {
  const id = `${owner}${letter}`;
  return {
    owner,
    id,
    bridge: `stb${id}`,
    iptablesComment: `${TEST_PREFIX}${id}`,
    netns: (i) => `${TEST_PREFIX}${id}-h${i}`,
    vethOutside: (i) => `st${id}h${i}`,
  };
}

/** Picks a set letter no live underlay of this process uses. */
export async function freeUnderlayNames(owner: number): Promise<UnderlayNames> {
  const used = new Set((await listUnderlayResources()).links.map((l) => l.id));
  for (const letter of 'abcdefghijklmnopqrstuvwxyz') {
    if (!used.has(`${owner}${letter}`)) return underlayNames(owner, letter);
  }
  throw new Error(`process ${owner} already holds 26 namespace-host sets; tear some down first`);
}

/** The underlay address of host `index` (1-based). */
export function hostIp(index: number): string {
  return `${UNDERLAY_NET}.${10 + index}`;
}

const ip = (args: string[]): Promise<unknown> => runCommand('ip', args);

/** Creates the bridge (with the FORWARD ACCEPT rule dockerd's DROP policy needs) and `count` namespaces on it. */
export async function createUnderlay(names: UnderlayNames, count: number): Promise<void> {
  await ip(['link', 'add', names.bridge, 'type', 'bridge']);
  await ip(['addr', 'add', `${UNDERLAY_NET}.1/${UNDERLAY_PREFIX_LEN}`, 'dev', names.bridge]);
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
    await ip(['-n', ns, 'addr', 'add', `${hostIp(i)}/${UNDERLAY_PREFIX_LEN}`, 'dev', 'eth0']);
    await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    // Like a real host's: address auto-detection (swarm init without --advertise-addr) follows the default
    // route. Nothing leaves the machine: only bridge-to-bridge forwarding is accepted.
    await ip(['-n', ns, 'route', 'add', 'default', 'via', `${UNDERLAY_NET}.1`]);
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
