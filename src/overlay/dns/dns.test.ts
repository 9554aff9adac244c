import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNameRecords, NameTable, type NamedService } from './name-table.js';
import { EmbeddedDnsServer } from './server.js';
import { parseResolvConf } from './upstream.js';
import { buildQuery, parseQuestion, readAnswers, recordTypeAaaa, rcode } from './wire.js';

const services: NamedService[] = [
  { name: 'web', endpointMode: 'vip', vips: [{ networkId: 'n1', ip: '10.0.1.2' }], tasks: [{ networkId: 'n1', ip: '10.0.1.6' }, { networkId: 'n1', ip: '10.0.1.5' }] },
  { name: 'shop_db', stackNamespace: 'shop', endpointMode: 'dnsrr', vips: [], tasks: [{ networkId: 'n1', ip: '10.0.1.9' }, { networkId: 'n2', ip: '10.0.2.9' }] },
];

function tableOf(list: readonly NamedService[]): NameTable {
  const table = new NameTable();
  table.replace(buildNameRecords(list));
  return table;
}

describe('name records', () => {
  it('maps SERVICE to the VIP (vip) or task IPs (dnsrr), tasks.SERVICE to task IPs, stack short names, per network', () => {
    const table = tableOf(services);
    expect(table.lookup('n1', 'web')).toEqual(['10.0.1.2']);
    expect(table.lookup('n1', 'TASKS.WEB.')).toEqual(['10.0.1.5', '10.0.1.6']);
    expect(table.lookup('n1', 'shop_db')).toEqual(['10.0.1.9']);
    expect(table.lookup('n1', 'db')).toEqual(['10.0.1.9']);
    expect(table.lookup('n2', 'tasks.db')).toEqual(['10.0.2.9']);
    expect(table.lookup('n2', 'web')).toBeUndefined();
  });
});

describe('wire format', () => {
  it('round-trips a question and rejects garbage', () => {
    const q = parseQuestion(buildQuery(7, 'Tasks.Web'));
    expect(q).toMatchObject({ id: 7, name: 'tasks.web', type: 1, class: 1, recursionDesired: true });
    expect(parseQuestion(new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(parseQuestion(Buffer.concat([Buffer.from(buildQuery(1, 'a')).subarray(0, 12), Buffer.from([0xc0, 0x0c])]))).toBeUndefined();
  });
});

describe('EmbeddedDnsServer', () => {
  const servers: EmbeddedDnsServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('answers its names, with no data for AAAA, and sees table updates at once', async () => {
    const table = tableOf(services);
    const server = new EmbeddedDnsServer({ table, upstreams: [], upstreamTimeoutMs: 100 });
    expect(readAnswers(await server.answer('n1', buildQuery(1, 'tasks.web')))).toEqual({ rcode: rcode.noError, addresses: ['10.0.1.5', '10.0.1.6'] });
    expect(readAnswers(await server.answer('n1', buildQuery(2, 'web', recordTypeAaaa)))).toEqual({ rcode: rcode.noError, addresses: [] });
    table.replace(buildNameRecords([{ ...services[0]!, tasks: [{ networkId: 'n1', ip: '10.0.1.6' }] }]));
    expect(readAnswers(await server.answer('n1', buildQuery(3, 'tasks.web')))).toEqual({ rcode: rcode.noError, addresses: ['10.0.1.6'] });
    expect(readAnswers(await server.answer('n1', buildQuery(4, 'nope.invalid')))).toEqual({ rcode: rcode.servFail, addresses: [] });
  });

  it('forwards other names upstream over UDP, serves TCP, and bounds a dead upstream by its timeout', async () => {
    const upstream = new EmbeddedDnsServer({ table: tableOf([{ name: 'example.test', endpointMode: 'dnsrr', vips: [], tasks: [{ networkId: 'up', ip: '192.0.2.99' }] }]), upstreams: [], upstreamTimeoutMs: 100 });
    servers.push(upstream);
    await upstream.listen({ networkId: 'up', address: '127.0.0.1', port: 35353 });
    const server = new EmbeddedDnsServer({ table: tableOf(services), upstreams: [{ address: '127.0.0.1', port: 35354 }, { address: '127.0.0.1', port: 35353 }], upstreamTimeoutMs: 200 });
    servers.push(server);
    await server.listen({ networkId: 'n1', address: '127.0.0.1', port: 35355 });
    const started = Date.now();
    const udpAnswer = await new Promise<Buffer>((resolve) => {
      const socket = createSocket('udp4');
      socket.on('message', (m) => { socket.close(); resolve(m); });
      socket.send(buildQuery(9, 'example.test'), 35355, '127.0.0.1');
    });
    expect(readAnswers(udpAnswer)).toEqual({ rcode: rcode.noError, addresses: ['192.0.2.99'] });
    expect(Date.now() - started).toBeLessThan(2000);
    const tcpAnswer = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect(35355, '127.0.0.1', () => {
        const query = Buffer.from(buildQuery(10, 'web'));
        const header = Buffer.alloc(2);
        header.writeUInt16BE(query.length);
        socket.write(Buffer.concat([header, query]));
      });
      socket.on('data', (d) => { socket.destroy(); resolve(d.subarray(2)); });
      socket.on('error', reject);
    });
    expect(readAnswers(tcpAnswer)).toEqual({ rcode: rcode.noError, addresses: ['10.0.1.2'] });
  });

  it('reads nameservers from resolv.conf', () => {
    expect(parseResolvConf('# x\nnameserver 10.0.0.2\nnameserver ::1\nsearch a\nnameserver 1.1.1.1\n')).toEqual([{ address: '10.0.0.2', port: 53 }, { address: '1.1.1.1', port: 53 }]);
  });
});
