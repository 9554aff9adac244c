import { isIP } from 'node:net';
import { codec, type GenericResource, type NetworkAttachmentConfig, type PlacementPreference, type Ulimit } from '../../gen/index.js';
import { invalidFlag } from './flag-error.js';

/** `--host name:ip` (or `name=ip`, as newer Docker accepts) to the swarm hosts-file form `ip name`. */
export function parseHost(flag: string, value: string): string {
  // Docker splits at the first "=", else the first ":" so IPv6 addresses survive.
  const sep = value.includes('=') ? value.indexOf('=') : value.indexOf(':');
  const name = sep < 0 ? '' : value.slice(0, sep);
  const ip = sep < 0 ? '' : value.slice(sep + 1);
  if (name === '' || ip === '' || name.includes(':')) throw invalidFlag(flag, value, 'bad format for add-host; use HOST:IP (e.g. db:10.0.0.5)');
  const bare = ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (isIP(bare) === 0) throw invalidFlag(flag, value, `invalid IP address in add-host: "${bare}"`);
  return `${bare} ${name}`;
}

/** `--dns` must be an IP address. */
export function parseDns(flag: string, value: string): string {
  if (isIP(value) === 0) throw invalidFlag(flag, value, `IP address is not correctly formatted: ${value}`);
  return value;
}

const ULIMITS = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** `--ulimit nofile=1024:2048` (or `nofile=1024`, soft = hard). */
export function parseUlimit(flag: string, value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq < 0) throw invalidFlag(flag, value, 'invalid ulimit argument; use NAME=SOFT[:HARD] (e.g. nofile=1024:2048)');
  const name = value.slice(0, eq);
  if (!ULIMITS.has(name)) throw invalidFlag(flag, value, `invalid ulimit type: ${name}; use one of ${[...ULIMITS].join(', ')}`);
  const [softText = '', hardText] = value.slice(eq + 1).split(':', 2) as [string, string | undefined];
  const num = (t: string, which: string): number => {
    if (!/^-?\d+$/.test(t)) throw invalidFlag(flag, value, `invalid ulimit ${which} value ${t}; use whole numbers`);
    return Number(t);
  };
  const soft = num(softText, 'soft');
  const hard = hardText === undefined ? soft : num(hardText, 'hard');
  if (soft > hard) throw invalidFlag(flag, value, `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return codec.Ulimit.fromPartial({ name, soft, hard });
}

/** `--generic-resource gpu=2`: a named, countable resource. */
export function parseGenericResource(flag: string, value: string): GenericResource {
  const eq = value.indexOf('=');
  const kind = eq < 0 ? '' : value.slice(0, eq);
  const count = eq < 0 ? '' : value.slice(eq + 1);
  if (kind === '' || count === '') throw invalidFlag(flag, value, 'invalid generic resource specification; use KIND=COUNT (e.g. gpu=2)');
  if (!/^\d+$/.test(count)) throw invalidFlag(flag, value, 'shoal supports only countable generic resources; use KIND=COUNT with a whole number');
  return codec.GenericResource.fromPartial({ kind, value: Number(count) });
}

/** `--placement-pref spread=node.labels.zone`. */
export function parsePlacementPref(flag: string, value: string): PlacementPreference {
  const eq = value.indexOf('=');
  const strategy = eq < 0 ? '' : value.slice(0, eq);
  if (strategy === '') throw invalidFlag(flag, value, 'placement preference must be of the format "<strategy>=<arg>" (e.g. spread=node.labels.zone)');
  if (strategy !== 'spread') throw invalidFlag(flag, value, `unsupported placement preference ${strategy} (only spread is supported)`);
  return codec.PlacementPreference.fromPartial({ spreadDescriptor: value.slice(eq + 1) });
}

/** A constraint is passed through for the scheduler's parser to validate; only an empty one is refused here. */
export function parseConstraint(flag: string, value: string): string {
  if (value.trim() === '') throw invalidFlag(flag, value, 'empty constraint; use e.g. node.role==manager or node.labels.zone!=east');
  return value;
}

/** `--network name` or the long form `name=net,alias=web,alias=www`. */
export function parseNetwork(flag: string, value: string): NetworkAttachmentConfig {
  if (!value.includes('=')) {
    if (value.trim() === '') throw invalidFlag(flag, value, 'empty network name');
    return codec.NetworkAttachmentConfig.fromPartial({ target: value, aliases: [] });
  }
  let target = '';
  const aliases: string[] = [];
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) throw invalidFlag(flag, value, `invalid field '${field}' must be a key=value pair`);
    if (key === 'name') target = val;
    else if (key === 'alias') aliases.push(val);
    else if (key === 'driver-opt') throw invalidFlag(flag, value, 'network driver options are not supported by shoal; remove driver-opt');
    else throw invalidFlag(flag, value, `invalid field key ${key}; use name= and alias=`);
  }
  if (target === '') throw invalidFlag(flag, value, 'network name is required; add name=NETWORK');
  return codec.NetworkAttachmentConfig.fromPartial({ target, aliases });
}

/**
 * Splits a command line into words as a POSIX shell would (quotes and
 * backslashes), for `--entrypoint` and `--args`.
 */
export function shellWords(flag: string, value: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < value.length && '"\\$`'.includes(value[i + 1] as string)) word += value[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < value.length) word += value[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw invalidFlag(flag, value, `unclosed quote; close the ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
