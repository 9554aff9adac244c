// Service `ports` in short ("[IP:]PUBLISHED:TARGET[/PROTO]", ranges) and long
// form, as swarm PortConfigs sorted as docker/cli sorts them.
import type { PortConfig, PortConfig_Protocol, PortConfig_PublishMode } from '../gen/index.js';
import type { ConvertContext } from './context.js';
import { compareStrings, isRecord, scalarString } from './values.js';

const protocols: Readonly<Record<string, PortConfig_Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const modes: Readonly<Record<string, PortConfig_PublishMode>> = { ingress: 'INGRESS', host: 'HOST' };

/** Convert a service's `ports` list; bad entries are reported on `ctx`. */
export function convertPorts(ctx: ConvertContext, path: readonly (string | number)[], ports: unknown): PortConfig[] {
  if (!Array.isArray(ports)) return [];
  const out: PortConfig[] = [];
  ports.forEach((p, i) => {
    const where = [...path, i];
    if (isRecord(p)) {
      const long = longForm(p);
      if (typeof long === 'string') ctx.error(where, long);
      else out.push(...long);
    } else {
      const short = shortForm(scalarString(p));
      if (typeof short === 'string') ctx.error(where, short);
      else out.push(...short);
    }
  });
  // docker/cli sorts by PortConfig.Compare: published, target, protocol, mode.
  out.sort((a, b) => a.publishedPort - b.publishedPort || a.targetPort - b.targetPort || compareStrings(a.protocol, b.protocol) || compareStrings(a.publishMode, b.publishMode));
  return out;
}

function port(target: number, published: number, protocol: PortConfig_Protocol, mode: PortConfig_PublishMode, name = ''): PortConfig {
  return { name, protocol, targetPort: target, publishedPort: published, publishMode: mode, preserveSourceIp: false };
}

function range(s: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 0 || hi > 65535 || hi < lo) return undefined;
  return [lo, hi];
}

function shortForm(spec: string): PortConfig[] | string {
  const bad = `invalid port specification ${JSON.stringify(spec)}: use [[IP:]PUBLISHED:]TARGET[/PROTOCOL]`;
  const [body = '', proto = 'tcp', ...extra] = spec.split('/');
  const protocol = protocols[proto.toLowerCase()];
  if (protocol === undefined || extra.length > 0) return `invalid protocol ${JSON.stringify(proto)} in port ${JSON.stringify(spec)}: use tcp, udp or sctp`;
  // An IPv6 host address is bracketed; swarm ignores the host IP anyway.
  const parts = body.replace(/^\[[^\]]*\]:/, 'ip:').split(':');
  let publishedText = '';
  let targetText: string;
  if (parts.length === 1) targetText = parts[0] ?? '';
  else if (parts.length === 2) [publishedText = '', targetText = ''] = parts;
  else if (parts.length === 3) [, publishedText = '', targetText = ''] = parts;
  else return bad;
  const target = range(targetText);
  if (!target || target[0] === 0) return bad;
  if (publishedText === '') {
    const out: PortConfig[] = [];
    for (let t = target[0]; t <= target[1]; t++) out.push(port(t, 0, protocol, 'INGRESS'));
    return out;
  }
  const published = range(publishedText);
  if (!published) return bad;
  const n = target[1] - target[0];
  if (published[1] - published[0] !== n) {
    if (n !== 0) return `invalid port range ${JSON.stringify(spec)}: published and target ranges differ in size`;
    // "8000-8010:80" lets the engine pick one published port of the range; swarm cannot, take the first.
    return [port(target[0], published[0], protocol, 'INGRESS')];
  }
  const out: PortConfig[] = [];
  for (let k = 0; k <= n; k++) out.push(port(target[0] + k, published[0] + k, protocol, 'INGRESS'));
  return out;
}

function longForm(p: Record<string, unknown>): PortConfig[] | string {
  if (p.target === undefined || p.target === null) return 'missing target: the container port to publish';
  const target = Number(p.target);
  if (!Number.isInteger(target) || target < 1 || target > 65535) return `invalid target port ${JSON.stringify(p.target)}`;
  const proto = scalarString(p.protocol ?? 'tcp').toLowerCase();
  const protocol = protocols[proto];
  if (protocol === undefined) return `invalid protocol ${JSON.stringify(proto)}: use tcp, udp or sctp`;
  const modeText = scalarString(p.mode ?? 'ingress').toLowerCase();
  const mode = modes[modeText];
  if (mode === undefined) return `invalid publish mode ${JSON.stringify(modeText)}: use ingress or host`;
  let published = 0;
  if (p.published !== undefined && p.published !== null && p.published !== '') {
    const r = range(scalarString(p.published));
    if (!r) return `invalid published port ${JSON.stringify(p.published)}`;
    published = r[0];
  }
  return [port(target, published, protocol, mode, scalarString(p.name ?? ''))];
}
