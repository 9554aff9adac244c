// The embedded DNS server. It listens on UDP and TCP port 53 of each
// network's gateway address in the node's namespace (the node's link into
// that network), so the listening address tells which network asked;
// containers reach it as 127.0.0.11 through their VIP table (README.md).
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import type { NameTable } from './name-table.js';
import { forwardQuery, type Upstream } from './upstream.js';
import { buildAnswer, buildError, parseQuestion, rcode, recordTypeA } from './wire.js';

/** How the server is set up. */
export interface EmbeddedDnsOptions {
  readonly table: NameTable;
  /** Resolvers for names that are not ours (parseResolvConf of the host's /etc/resolv.conf). */
  readonly upstreams: readonly Upstream[];
  /** Deadline per upstream attempt. */
  readonly upstreamTimeoutMs: number;
  /** TTL of our answers; 0 so clients never cache a stopped task. */
  readonly ttlSeconds?: number | undefined;
}

/** One listening address, serving one network. */
export interface DnsListen {
  readonly networkId: string;
  readonly address: string;
  /** Default 53. */
  readonly port?: number | undefined;
}

/** Limit on a TCP query's size, and on idle TCP connections. */
const maxTcpMessageBytes = 65535;
const tcpIdleMs = 10_000;

/** Answers service names from a NameTable per network and forwards the rest. */
export class EmbeddedDnsServer {
  private readonly listeners = new Map<string, { udp: Socket; tcp: Server }>();

  /** Build a server; nothing listens until listen(). */
  constructor(private readonly options: EmbeddedDnsOptions) {}

  /** Answer one query for a network: ours from the table, others upstream. Never throws. */
  async answer(networkId: string, query: Uint8Array): Promise<Uint8Array> {
    const question = parseQuestion(query);
    if (question === undefined) return buildError(query, rcode.formErr);
    const known = this.options.table.lookup(networkId, question.name);
    if (known !== undefined) {
      // A name we own answers NOERROR for every type; only A has data (no IPv6 overlays).
      return buildAnswer(query, question, rcode.noError, question.type === recordTypeA ? known : [], this.options.ttlSeconds ?? 0);
    }
    const forwarded = await forwardQuery(query, this.options.upstreams, this.options.upstreamTimeoutMs);
    return forwarded ?? buildError(query, rcode.servFail);
  }

  /** Start serving a network on address:port (UDP and TCP). Idempotent per address. */
  async listen(listen: DnsListen): Promise<void> {
    const port = listen.port ?? 53;
    const key = `${listen.address}:${port}`;
    if (this.listeners.has(key)) return;
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (message, remote) => {
      void this.answer(listen.networkId, message).then((response) => udp.send(response, remote.port, remote.address));
    });
    const tcp = createServer((socket) => this.serveTcp(listen.networkId, socket));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, listen.address, () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, listen.address, () => resolve());
    }).catch((error: unknown) => {
      udp.close();
      throw error;
    });
    udp.on('error', () => undefined);
    this.listeners.set(key, { udp, tcp });
  }

  /** Stop serving an address (when its network leaves the node). */
  async unlisten(address: string, port = 53): Promise<void> {
    const key = `${address}:${port}`;
    const listener = this.listeners.get(key);
    if (listener === undefined) return;
    this.listeners.delete(key);
    listener.udp.close();
    await new Promise<void>((resolve) => listener.tcp.close(() => resolve()));
  }

  /** Stop everything. */
  async close(): Promise<void> {
    for (const key of [...this.listeners.keys()]) {
      const [address, port] = key.split(':');
      await this.unlisten(address ?? '', Number(port));
    }
  }

  // TCP framing: each message is preceded by its length (RFC 1035 §4.2.2).
  private serveTcp(networkId: string, socket: TcpSocket): void {
    let buffered = Buffer.alloc(0);
    socket.setTimeout(tcpIdleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length > maxTcpMessageBytes || buffered.length < 2 + length) break;
        const query = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        void this.answer(networkId, query).then((response) => {
          const header = Buffer.alloc(2);
          header.writeUInt16BE(response.length, 0);
          if (!socket.destroyed) socket.write(Buffer.concat([header, response]));
        });
      }
    });
  }
}
