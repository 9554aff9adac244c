import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { parseRamBytes } from './bytes.js';
import { formatGoDuration, parseGoDurationMs } from './duration.js';
import { parsePublish } from './port.js';
import { parseMount } from './mount.js';
import { parseFileRef } from './file-ref.js';

// fast-check prints the seed and path of any failure; rerun with { seed, path } to replay.
describe('parser properties', () => {
  it('reads back every duration it formats', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 400 * 3_600_000 }), (ms) => parseGoDurationMs(formatGoDuration(ms)) === ms));
  });

  it('reads sizes as whole numbers of the unit', () => {
    const units = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 } as const;
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])), (n, unit) => parseRamBytes(`${n}${unit}`) === n * units[unit]));
  });

  it('maps every valid short publish spec to that port', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), fc.constantFrom('tcp', 'udp', 'sctp'), (published, target, proto) => {
        const [port, ...rest] = parsePublish('publish', `${published}:${target}/${proto}`);
        expect(rest).toEqual([]);
        expect(port).toMatchObject({ publishedPort: published, targetPort: target, protocol: proto.toUpperCase(), publishMode: 'INGRESS' });
      }),
    );
  });

  it('fails only with one-line usage errors, whatever the input', () => {
    const parsers = [(v: string) => parsePublish('publish', v), (v: string) => parseMount('mount', v), (v: string) => parseFileRef('secret', v)];
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom('a', 't', '1', '8', ',', '=', ':', '/', '-', '\n', ' ', 'target', 'source', 'type', 'tmpfs', 'bind', 'published', 'mode', 'udp') }), fc.integer({ min: 0, max: parsers.length - 1 }), (value, i) => {
        try {
          parsers[i]?.(value);
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
          expect((error as CliError).exitCode).toBe(125);
          expect((error as CliError).message).not.toMatch(/\n/);
        }
      }),
    );
  });
});
