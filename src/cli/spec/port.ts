import { codec, type PortConfig, type PortConfig_Protocol, type PortConfig_PublishMode } from '../../gen/index.js';
import { invalidFlag } from './flag-error.js';

const PROTOCOLS: Record<string, PortConfig_Protocol> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const MODES: Record<string, PortConfig_PublishMode> = { ingress: 'INGRESS', host: 'HOST' };

function portError(flag: string, value: string, why: string): Error {
  return invalidFlag(flag, value, why);
}

function port(flag: string, value: string, text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw portError(flag, value, `invalid ${what} port (${text}): value must be an integer between 1 and 65535`);
  }
  return Number(text);
}

function range(flag: string, value: string, text: string, what: string): [number, number] {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const p = port(flag, value, text, what);
    return [p, p];
  }
  const start = port(flag, value, text.slice(0, dash), what);
  const end = port(flag, value, text.slice(dash + 1), what);
  if (end < start) throw portError(flag, value, `invalid ${what} port range (${text}): end before start`);
  return [start, end];
}

function make(targetPort: number, publishedPort: number, protocol: PortConfig_Protocol, publishMode: PortConfig_PublishMode): PortConfig {
  return codec.PortConfig.fromPartial({ targetPort, publishedPort, protocol, publishMode });
}

// Docker decides by this pattern whether a value is the long (key=value) form.
const LONG_SYNTAX = /\w+=\w+(,\w+=\w+)*/;

/**
 * One `--publish` value to port configs, as Docker: short form
 * `[PUBLISHED:]TARGET[/PROTO]` with ranges (`8080-8081:80-81`), or long form
 * `published=8080,target=80,protocol=udp,mode=host` (plus shoal's `source-ip=preserve`).
 * Published 0 means "pick one".
 */
export function parsePublish(flag: string, value: string): PortConfig[] {
  return LONG_SYNTAX.test(value) ? [parseLong(flag, value)] : parseShort(flag, value);
}

function parseLong(flag: string, value: string): PortConfig {
  let target = 0;
  let published = 0;
  let protocol: PortConfig_Protocol = 'TCP';
  let mode: PortConfig_PublishMode = 'INGRESS';
  let preserveSourceIp = false;
  for (const field of value.split(',')) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw portError(flag, value, `invalid field: ${field}; use key=value pairs (published, target, protocol, mode)`);
    const key = lower.slice(0, eq);
    const val = lower.slice(eq + 1);
    switch (key) {
      case 'protocol': {
        const p = PROTOCOLS[val];
        if (p === undefined) throw portError(flag, value, `invalid protocol value '${val}': must be "tcp", "udp" or "sctp"`);
        protocol = p;
        break;
      }
      case 'mode': {
        const m = MODES[val];
        if (m === undefined) throw portError(flag, value, `invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
        mode = m;
        break;
      }
      case 'target':
        target = port(flag, value, val, 'target');
        break;
      case 'published':
        published = port(flag, value, val, 'published');
        break;
      // shoal addition: keep the client's address through the routing mesh (src/overlay/README.md).
      case 'source-ip':
        if (val !== 'preserve' && val !== 'nat') throw portError(flag, value, `invalid source-ip value (${val}): must be either 'preserve' or 'nat'`);
        preserveSourceIp = val === 'preserve';
        break;
      default:
        throw portError(flag, value, `invalid field key: ${key}; use published, target, protocol, mode or source-ip`);
    }
  }
  if (target === 0) throw portError(flag, value, "missing mandatory field 'target'");
  return { ...make(target, published, protocol, mode), preserveSourceIp };
}

function parseShort(flag: string, value: string): PortConfig[] {
  let spec = value;
  let protocol: PortConfig_Protocol = 'TCP';
  const slash = spec.lastIndexOf('/');
  if (slash >= 0) {
    const p = PROTOCOLS[spec.slice(slash + 1).toLowerCase()];
    if (p === undefined) throw portError(flag, value, `invalid proto: ${spec.slice(slash + 1)}; use tcp, udp or sctp`);
    protocol = p;
    spec = spec.slice(0, slash);
  }
  const parts = spec.split(':');
  if (parts.length > 2) throw portError(flag, value, 'hostip is not supported; use [PUBLISHED:]TARGET[/PROTO]');
  const [first = '', second] = parts;
  if (second === undefined) {
    const [start, end] = range(flag, value, first, 'target');
    const out: PortConfig[] = [];
    for (let t = start; t <= end; t++) out.push(make(t, 0, protocol, 'INGRESS'));
    return out;
  }
  const [tStart, tEnd] = range(flag, value, second, 'target');
  if (first === '') {
    const out: PortConfig[] = [];
    for (let t = tStart; t <= tEnd; t++) out.push(make(t, 0, protocol, 'INGRESS'));
    return out;
  }
  const [pStart, pEnd] = range(flag, value, first, 'published');
  if (tEnd > tStart) {
    if (pEnd - pStart !== tEnd - tStart) {
      throw portError(flag, value, `invalid ranges specified for container and host Ports: ${second} and ${first}; both ranges must be the same size`);
    }
    const out: PortConfig[] = [];
    for (let i = 0; i <= tEnd - tStart; i++) out.push(make(tStart + i, pStart + i, protocol, 'INGRESS'));
    return out;
  }
  // A published range onto one target port: one mapping per published port.
  const out: PortConfig[] = [];
  for (let p = pStart; p <= pEnd; p++) out.push(make(tStart, p, protocol, 'INGRESS'));
  return out;
}

/** Docker's identity of a port config for add/remove bookkeeping: `published:target/proto/mode`. */
export function portKey(p: PortConfig): string {
  return `${p.publishedPort}:${p.targetPort}/${p.protocol.toLowerCase()}/${p.publishMode.toLowerCase()}`;
}
