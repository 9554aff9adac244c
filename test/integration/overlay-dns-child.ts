// The embedded DNS as the daemon runs it: a process in the node's network
// namespace (nsenter --net=...), serving each network on its gateway.
// argv[2]: {"listen":[{networkId,address}],"upstreams":[...]}; each stdin
// line: a JSON NamedService[] to swap in; prints "ready", then "ok" per line.
import { createInterface } from 'node:readline';
import { EmbeddedDnsServer, NameTable, buildNameRecords, type DnsListen, type NamedService, type Upstream } from '../../src/overlay/index.js';

const config = JSON.parse(process.argv[2] ?? '{}') as { listen: DnsListen[]; upstreams?: Upstream[] };
const table = new NameTable();
const server = new EmbeddedDnsServer({ table, upstreams: config.upstreams ?? [], upstreamTimeoutMs: 500 });
for (const listen of config.listen) await server.listen(listen);
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  table.replace(buildNameRecords(JSON.parse(line) as NamedService[]));
  console.log('ok');
}
await server.close();
