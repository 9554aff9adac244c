// What the kernel holds, as far as the data plane cares: read with the
// tools' JSON output so parsing is not tied to human-readable formats.
import { inNetns, runChecked, type CommandRunner } from './command-runner.js';
import { vxlanName } from '../names.js';

/** A link as `ip -j link` reports it. */
export interface ObservedLink {
  readonly name: string;
  readonly master?: string | undefined;
  readonly mtu: number;
}

/** One overlay namespace's contents. */
export interface ObservedOverlay {
  readonly links: ReadonlyMap<string, ObservedLink>;
  /** Static VXLAN forwarding entries: MAC → remote VTEP. */
  readonly fdb: readonly { mac: string; dst: string }[];
  /** The bridge's static entries pointing remote MACs at the VXLAN port. */
  readonly bridgeFdb: readonly string[];
  /** Neighbour entries on the VXLAN device: IP → MAC. */
  readonly neighbours: readonly { ip: string; mac: string }[];
}

/** The node's namespace and all of this node's overlay namespaces. */
export interface ObservedNode {
  readonly overlays: ReadonlyMap<string, ObservedOverlay>;
  readonly nodeLinks: ReadonlyMap<string, ObservedLink>;
  /** Addresses per node-side link, "a.b.c.d/n". */
  readonly nodeAddresses: ReadonlyMap<string, readonly string[]>;
}

interface IpLinkJson { ifname?: string; master?: string; mtu?: number }
interface IpAddrJson { ifname?: string; addr_info?: { family?: string; local?: string; prefixlen?: number }[] }
interface FdbJson { mac?: string; dst?: string; master?: string; state?: string }
interface NeighJson { dst?: string; lladdr?: string }

function parseJson<T>(text: string): T[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : (JSON.parse(trimmed) as T[]);
}

/** Path of a named namespace. */
export function namedNetnsPath(name: string): string {
  return `/run/netns/${name}`;
}

async function readLinks(runner: CommandRunner, netnsPath: string | undefined): Promise<Map<string, ObservedLink>> {
  const links = new Map<string, ObservedLink>();
  for (const l of parseJson<IpLinkJson>(await runChecked(runner, inNetns(netnsPath, ['ip', '-j', 'link', 'show'])))) {
    if (l.ifname !== undefined) links.set(l.ifname, { name: l.ifname, master: l.master, mtu: l.mtu ?? 0 });
  }
  return links;
}

async function readOverlay(runner: CommandRunner, name: string): Promise<ObservedOverlay> {
  const path = namedNetnsPath(name);
  const links = await readLinks(runner, path);
  if (!links.has(vxlanName)) return { links, fdb: [], bridgeFdb: [], neighbours: [] };
  const fdbRaw = parseJson<FdbJson>(await runChecked(runner, inNetns(path, ['bridge', '-j', 'fdb', 'show', 'dev', vxlanName])));
  const fdb = fdbRaw.flatMap((e) => (e.mac !== undefined && e.dst !== undefined && e.master === undefined ? [{ mac: e.mac, dst: e.dst }] : []));
  const bridgeFdb = fdbRaw.flatMap((e) => (e.mac !== undefined && e.master !== undefined && e.state !== 'permanent' ? [e.mac] : []));
  const neighRaw = parseJson<NeighJson>(await runChecked(runner, inNetns(path, ['ip', '-j', 'neigh', 'show', 'dev', vxlanName])));
  const neighbours = neighRaw.flatMap((n) => (n.dst !== undefined && n.lladdr !== undefined ? [{ ip: n.dst, mac: n.lladdr }] : []));
  return { links, fdb, bridgeFdb, neighbours };
}

/** Read the node's links and every namespace whose name starts with `prefix`. */
export async function observeNode(runner: CommandRunner, nodeNetnsPath: string | undefined, prefix: string): Promise<ObservedNode> {
  const namespaces = parseJson<{ name?: string }>(await runChecked(runner, inNetns(nodeNetnsPath, ['ip', '-j', 'netns', 'list'])));
  const overlays = new Map<string, ObservedOverlay>();
  for (const ns of namespaces) {
    if (ns.name?.startsWith(prefix) === true) overlays.set(ns.name, await readOverlay(runner, ns.name));
  }
  const nodeLinks = await readLinks(runner, nodeNetnsPath);
  const nodeAddresses = new Map<string, string[]>();
  for (const a of parseJson<IpAddrJson>(await runChecked(runner, inNetns(nodeNetnsPath, ['ip', '-j', 'addr', 'show'])))) {
    if (a.ifname === undefined) continue;
    nodeAddresses.set(a.ifname, (a.addr_info ?? []).flatMap((i) => (i.family === 'inet' && i.local !== undefined ? [`${i.local}/${i.prefixlen ?? 32}`] : [])));
  }
  return { overlays, nodeLinks, nodeAddresses };
}
