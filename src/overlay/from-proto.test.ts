import { describe, expect, it } from 'vitest';
import type { Network, PortConfig } from '../gen/index.js';
import { desiredNetworkFromProto, mtuOption, parseMtuOption, routingMeshFromServices, vxlanIdOption } from './from-proto.js';
import { chooseVni } from './ipam/vni.js';

const network = (options: Record<string, string>, vni = '4097'): Network => ({
  id: 'n1',
  spec: { annotations: { name: 'appnet', labels: {} }, driver: { name: 'overlay', options }, internal: false, attachable: false, ingress: false, ipam: [], ipv6: false },
  driverState: { name: 'overlay', options: { [vxlanIdOption]: vni } },
  ipam: [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1', range: '' }],
});

const port = (p: Partial<PortConfig>): PortConfig => ({ name: '', protocol: 'TCP', targetPort: 80, publishedPort: 8080, publishMode: 'INGRESS', preserveSourceIp: false, ...p });

describe('desiredNetworkFromProto', () => {
  it('reads VNI, subnet, gateway and the MTU option', () => {
    expect(desiredNetworkFromProto(network({ [mtuOption]: '1400' }))).toEqual({ ok: true, value: { id: 'n1', vni: 4097, subnet: '10.0.1.0/24', gateway: '10.0.1.1', mtu: 1400, nodeAddress: undefined } });
  });
  it('rejects a bad MTU or a missing VNI with a clear message', () => {
    expect(desiredNetworkFromProto(network({ [mtuOption]: 'big' }))).toEqual({ ok: false, error: { kind: 'invalid-mtu', message: 'invalid com.docker.network.driver.mtu "big": expected an integer from 68 to 65535' } });
    expect(parseMtuOption('40')).toMatchObject({ ok: false });
    expect(desiredNetworkFromProto(network({}, ''))).toMatchObject({ ok: false, error: { kind: 'invalid-network' } });
  });
});

describe('routingMeshFromServices', () => {
  it('maps ingress ports to balanced rules, host ports to local targets, and refuses SCTP', () => {
    const spec = routingMeshFromServices([
      { ports: [port({}), port({ publishedPort: 9000, publishMode: 'HOST', targetPort: 90 }), port({ publishedPort: 0 })], ingressBackends: ['10.255.0.5'], localIngressBackends: [], localHostTargets: ['172.18.0.4'] },
    ], 'shg4096', '10.255.0.2');
    expect(spec).toEqual({ ok: true, value: {
      ingressLink: 'shg4096', nodeIngressAddress: '10.255.0.2',
      published: [{ protocol: 'tcp', publishedPort: 8080, targetPort: 80, backends: ['10.255.0.5'], localBackends: [], preserveSourceIp: false }],
      hostPorts: [{ protocol: 'tcp', publishedPort: 9000, targetIp: '172.18.0.4', targetPort: 90 }],
    } });
    expect(routingMeshFromServices([{ ports: [port({ protocol: 'SCTP' })], ingressBackends: [], localIngressBackends: [], localHostTargets: [] }], 'shg4096', '10.255.0.2')).toMatchObject({ ok: false, error: { kind: 'unsupported-protocol' } });
  });
});

describe('chooseVni', () => {
  it('hands out the lowest free VNI from 4096', () => {
    expect(chooseVni([])).toEqual({ ok: true, value: 4096 });
    expect(chooseVni([4096, 4098])).toEqual({ ok: true, value: 4097 });
  });
});
