import { describe, expect, it } from 'vitest';
import { codec, type Network, type Task } from '../gen/index.js';
import { onlyOnInternalNetworks, withoutGatewayBridge } from './internal-networks.js';

const network = (id: string, internal: boolean, ingress = false): Network => codec.Network.fromPartial({ id, spec: { annotations: { name: id }, internal, ingress } });
const networks = new Map([network('back', true), network('vault', true), network('front', false), network('ing', false, true)].map((n) => [n.id, n]));
const task = (ids: string[], hostPort = false): Task =>
  codec.Task.fromPartial({
    id: 't1',
    networks: ids.map((networkId) => ({ networkId, addresses: ['10.0.9.5/24'] })),
    ...(hostPort ? { endpoint: { ports: [{ protocol: 'TCP', targetPort: 80, publishedPort: 8080, publishMode: 'HOST' }] } } : {}),
  });

describe('onlyOnInternalNetworks', () => {
  it('holds when every network of the task is internal', () => {
    expect(onlyOnInternalNetworks(task(['back']), networks)).toBe(true);
    expect(onlyOnInternalNetworks(task(['back', 'vault']), networks)).toBe(true);
  });

  it('does not hold with one normal network, ingress (a published port), none at all, or an unknown network', () => {
    expect(onlyOnInternalNetworks(task(['back', 'front']), networks)).toBe(false);
    expect(onlyOnInternalNetworks(task(['ing', 'back']), networks)).toBe(false);
    expect(onlyOnInternalNetworks(task([]), networks)).toBe(false);
    expect(onlyOnInternalNetworks(task(['back', 'gone']), networks)).toBe(false);
  });
});

describe('withoutGatewayBridge', () => {
  it('drops the bridge for internal-only tasks but keeps it for host-mode ports (the engine binds them on it)', () => {
    expect(withoutGatewayBridge(task(['back']), networks)).toBe(true);
    expect(withoutGatewayBridge(task(['back'], true), networks)).toBe(false);
    expect(withoutGatewayBridge(task(['front']), networks)).toBe(false);
  });
});
