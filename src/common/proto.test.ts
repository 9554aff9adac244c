import { describe, expect, it } from 'vitest';
import { codec } from '../gen/index.js';

describe('generated proto codecs', () => {
  it('round-trips a service with nested messages, enums, maps and int64s', () => {
    const service = codec.Service.fromPartial({
      id: 'svc1',
      meta: { version: { index: 2 ** 40 }, createdAtMs: 1_700_000_000_000 },
      spec: {
        annotations: { name: 'web', labels: { tier: 'front' } },
        mode: { kind: 'REPLICATED', replicas: 3 },
        task: { container: { image: 'busybox', command: ['httpd', '-f'] } },
      },
    });
    expect(service.spec?.mode?.kind).toBe('REPLICATED');
    expect(service.updateStatus).toBeUndefined();
    expect(service.forceUpdate).toBe(0);
    const decoded = codec.Service.decode(codec.Service.encode(service));
    expect(decoded).toEqual(service);
    expect(decoded.meta?.version?.index).toBe(2 ** 40);
    expect(decoded.spec?.annotations?.labels).toEqual({ tier: 'front' });
  });

  it('keeps bytes as bytes and defaults absent scalars', () => {
    const entry = codec.RaftEntry.decode(codec.RaftEntry.encode({ term: 3, index: 9, type: 'NORMAL', data: new Uint8Array([1, 2, 3]) }));
    expect(Array.from(entry.data)).toEqual([1, 2, 3]);
    const empty = codec.RaftEntry.decode(new Uint8Array());
    expect(empty).toMatchObject({ term: 0, index: 0, type: 'NORMAL' });
    expect(empty.data).toBeInstanceOf(Uint8Array);
    expect(empty.data.length).toBe(0);
  });

  it('decodes a oneof with only the member that was set', () => {
    const a = codec.Assignment.decode(codec.Assignment.encode({ peer: { networkId: 'n', ip: '10.0.0.2', mac: 'aa', vtep: '192.0.2.2' } }));
    expect(a.peer?.ip).toBe('10.0.0.2');
    expect(a.task).toBeUndefined();
  });
});
