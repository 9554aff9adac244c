import { describe, expect, it } from 'vitest';
import { codec } from '../../gen/index.js';
import type { StoreEvent } from '../store/index.js';
import { affectedServices } from './affected-services.js';

const lookups = { servicesOnNode: (id: string) => (id === 'n1' ? ['web'] : []), globalServices: () => ['agent'] };
const node = (state: 'READY' | 'DOWN', leader = false) => codec.Node.fromPartial({ id: 'n1', status: { state }, managerStatus: { leader } });

describe('affectedServices', () => {
  it('maps task and service events to their service', () => {
    const events: StoreEvent[] = [
      { kind: 'task', action: 'create', object: codec.Task.fromPartial({ id: 't', serviceId: 'db' }) },
      { kind: 'service', action: 'update', object: codec.Service.fromPartial({ id: 'api' }) },
      { kind: 'secret', action: 'create', object: codec.Secret.fromPartial({ id: 's' }) },
    ];
    expect(affectedServices(events, lookups)).toEqual({ all: false, serviceIds: new Set(['db', 'api']) });
  });

  it('sends node changes that matter to the services on it and to global services', () => {
    const down: StoreEvent = { kind: 'node', action: 'update', object: node('DOWN'), previous: node('READY') };
    expect(affectedServices([down], lookups).serviceIds).toEqual(new Set(['web', 'agent']));
    const leaderOnly: StoreEvent = { kind: 'node', action: 'update', object: node('READY', true), previous: node('READY') };
    expect(affectedServices([leaderOnly], lookups).serviceIds).toEqual(new Set());
  });

  it('asks for everything when the cluster object changes', () => {
    expect(affectedServices([{ kind: 'cluster', action: 'update', object: codec.Cluster.fromPartial({ id: 'c' }) }], lookups).all).toBe(true);
  });
});
