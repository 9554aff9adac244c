// The "physical" network of namespace hosts: one network namespace per host,
// each with an eth0 veth into a Linux bridge on 192.0.2.0/24 (TEST-NET-1,
// never routed). Every name carries the owning process id, so a later run can
// tell leftovers of a crashed run (owner dead) from a concurrent run (alive).
import { runCommand } from './run-command.js';
import { isAlive } from './wait.js';

/** Prefix of every namespace, directory and label value the test environment creates. */
export const TEST_PREFIX = 'shoal-t-';
/** The underlay subnet's first three octets; the bridge is .1, host i (1-based) is .(10+i). */
export const UNDERLAY_NET = '192.0.2';
/** Prefix length of the underlay subnet. */
export const UNDERLAY_PREFIX_LEN = 24;

/** Names of one run's underlay objects (all derived from the owner pid). */
export interface UnderlayNames {
  owner: number;
  bridge: string;
  iptablesComment: string;
  netns(index: number): string;
  vethOutside(index: number): string;
}

/** Names for the underlay owned by process `owner` (interface names stay within Linux's 15 characters). */
export function underlayNames(owner: number): UnderlayNames {
  return {
    owner,
    bridge: `stb${owner}`,
    iptablesComment: `${TEST_PREFIX}${owner}`,
    netns: (i) => `${TEST_PREFIX}${owner}-h${i}`,
    vethOutside: (i) => `st${owner}h${i}`,
  };
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
  }
}

/** Test-created network objects currently on this machine, with their owner pids. */
export interface UnderlayResources {
  namespaces: { name: string; owner: number }[];
  links: { name: string; owner: number }[];
  iptablesRules: { spec: string; owner: number }[];
}

/** Lists the namespaces, links and iptables rules the test environment made (any owner). */
export async function listUnderlayResources(): Promise<UnderlayResources> {
  const nsOut = (await runCommand('ip', ['netns', 'list'], { allowFailure: true })).stdout;
  const namespaces = [...nsOut.matchAll(new RegExp(`^(${TEST_PREFIX}(\\d+)-\\S+)`, 'gm'))].map((m) => ({ name: m[1]!, owner: Number(m[2]) }));
  const linkOut = (await runCommand('ip', ['-o', 'link', 'show'], { allowFailure: true })).stdout;
  const links = [...linkOut.matchAll(/^\d+: (st(?:b)?(\d+)(?:h\d+p?)?)[@:]/gm)]
    .map((m) => ({ name: m[1]!, owner: Number(m[2]) }))
    .filter((l) => /^stb\d+$|^st\d+h\d+p?$/.test(l.name));
  const ruleOut = (await runCommand('iptables', ['-S', 'FORWARD'], { allowFailure: true })).stdout;
  const iptablesRules = [...ruleOut.matchAll(new RegExp(`^-A (FORWARD .*--comment "?${TEST_PREFIX}(\\d+)"?.*)$`, 'gm'))]
    .map((m) => ({ spec: m[1]!, owner: Number(m[2]) }));
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

/** Removes everything underlay-related owned by `owner`, or by any dead owner when `owner` is undefined. */
export async function removeUnderlay(owner?: number): Promise<void> {
  const mine = (o: number): boolean => (owner === undefined ? !isAlive(o) : o === owner);
  const res = await listUnderlayResources();
  for (const ns of res.namespaces.filter((n) => mine(n.owner))) await deleteNamespace(ns.name);
  for (const link of res.links.filter((l) => mine(l.owner))) await runCommand('ip', ['link', 'del', link.name], { allowFailure: true });
  for (const rule of res.iptablesRules.filter((r) => mine(r.owner))) {
    await runCommand('sh', ['-c', `iptables -D ${rule.spec}`], { allowFailure: true });
  }
}
