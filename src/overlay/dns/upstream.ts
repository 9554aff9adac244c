// Forwarding names that are not ours to the host's resolvers, with a
// deadline per resolver so a dead upstream costs a bounded delay.
import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';

/** A resolver to forward to. */
export interface Upstream {
  readonly address: string;
  readonly port: number;
}

/** The IPv4 nameservers of a resolv.conf text, in order (at most 3, as glibc reads). */
export function parseResolvConf(text: string): Upstream[] {
  const upstreams: Upstream[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    if (match?.[1] !== undefined && isIPv4(match[1])) upstreams.push({ address: match[1], port: 53 });
  }
  return upstreams.slice(0, 3);
}

/** Largest UDP response we accept from upstream (EDNS-sized). */
const maxResponseBytes = 4096;

function askOne(query: Uint8Array, upstream: Upstream, timeoutMs: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (answer: Uint8Array | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (message) => {
      // Only a reply to this query (same ID) counts.
      if (message.length >= 2 && message.length <= maxResponseBytes && message[0] === query[0] && message[1] === query[1]) done(message);
    });
    socket.send(query, upstream.port, upstream.address, (error) => {
      if (error) done(undefined);
    });
  });
}

/** Ask each upstream in turn until one answers within `timeoutMs`; undefined if none did. */
export async function forwardQuery(query: Uint8Array, upstreams: readonly Upstream[], timeoutMs: number): Promise<Uint8Array | undefined> {
  for (const upstream of upstreams) {
    const answer = await askOne(query, upstream, timeoutMs);
    if (answer !== undefined) return answer;
  }
  return undefined;
}
