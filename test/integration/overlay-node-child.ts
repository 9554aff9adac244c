// A node's overlay driven the way the daemon will drive it: from a process
// inside the node's network namespace (started with nsenter --net=...),
// serving the embedded DNS itself. Prints "ready"; then for each stdin line
// {"state": <NodeOverlayState without names>, "services": NamedService[]}
// applies it and prints "ok <report JSON>" or "error <message>".
import { createInterface } from 'node:readline';
import {
  EmbeddedDnsServer, NameTable, NodeOverlay, ProcessCommandRunner, buildNameRecords,
  type NamedService, type NodeOverlayState,
} from '../../src/overlay/index.js';

const nodeTag = process.argv[2] ?? '';
// Stand-in for the host's resolver (what /etc/resolv.conf names), on this
// namespace's loopback: it knows one outside name.
const hostTable = new NameTable();
hostTable.replace(buildNameRecords([{ name: 'outside.example', endpointMode: 'dnsrr', vips: [], tasks: [{ networkId: 'host', ip: '198.51.100.7' }] }]));
const hostResolver = new EmbeddedDnsServer({ table: hostTable, upstreams: [], upstreamTimeoutMs: 500 });
await hostResolver.listen({ networkId: 'host', address: '127.0.0.1', port: 5353 });
const table = new NameTable();
const server = new EmbeddedDnsServer({ table, upstreams: [{ address: '127.0.0.1', port: 5353 }], upstreamTimeoutMs: 500 });
const overlay = new NodeOverlay({ runner: new ProcessCommandRunner(), nodeTag, dns: { server, table } });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { state: Omit<NodeOverlayState, 'names'>; services: NamedService[] };
  try {
    const report = await overlay.apply({ ...message.state, names: buildNameRecords(message.services) });
    console.log(`ok ${JSON.stringify(report)}`);
  } catch (error) {
    console.log(`error ${String(error).replace(/\n/g, ' ')}`);
  }
}
await server.close();
await hostResolver.close();
