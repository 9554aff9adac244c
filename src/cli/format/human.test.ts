import { describe, expect, it } from 'vitest';
import { codec, type PortConfig } from '../../gen/index.js';
import { goJsonMarshal, inspectJson, jsonLine } from './go-json.js';
import { bytesSize, capitalize, displayImage, ellipsis, goG4, goTimeJson, goTimeString, humanAgo, humanDuration, naturalCompare, truncateId } from './human.js';
import { formatServicePorts, formatTaskPorts } from './ports.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (Docker units.HumanDuration)', () => {
  it.each([
    [0, 'Less than a second'], [999, 'Less than a second'], [S, '1 second'], [59 * S, '59 seconds'], [60 * S, 'About a minute'], [119 * S, 'About a minute'],
    [2 * M, '2 minutes'], [59 * M, '59 minutes'], [60 * M, 'About an hour'], [89 * M, 'About an hour'], [90 * M, '2 hours'], [47 * H, '47 hours'],
    [48 * H, '2 days'], [13 * D, '13 days'], [14 * D, '2 weeks'], [59 * D, '8 weeks'], [60 * D, '2 months'], [729 * D, '24 months'], [730 * D, '2 years'],
  ])('%d ms is "%s"', (ms, text) => expect(humanDuration(ms)).toBe(text));
  it('says how long ago', () => expect(humanAgo(1000, 1000 + 5 * M)).toBe('5 minutes ago'));
});

describe('small helpers', () => {
  it('truncates IDs to 12', () => {
    expect(truncateId('kq9m3s5c1y2ddx0ufhmh2bjj5')).toBe('kq9m3s5c1y2d');
    expect(truncateId('short')).toBe('short');
  });
  it('capitalizes like PrettyPrint', () => {
    expect(capitalize('RUNNING')).toBe('Running');
    expect(capitalize('on_failure')).toBe('On_failure');
    expect(capitalize('X')).toBe('x');
    expect(capitalize('')).toBe('');
  });
  it('cuts with an ellipsis', () => {
    expect(ellipsis('abcdef', 4)).toBe('abc…');
    expect(ellipsis('abcd', 4)).toBe('abcd');
    expect(ellipsis('abc', 1)).toBe('a');
    expect(ellipsis('abc', 0)).toBe('');
  });
  it('prints sizes like units.BytesSize', () => {
    expect(bytesSize(512 * 1024 ** 2)).toBe('512MiB');
    expect(bytesSize(1.5 * 1024 ** 3)).toBe('1.5GiB');
    expect(bytesSize(10 * 1024 ** 2)).toBe('10MiB');
    expect(bytesSize(1023)).toBe('1023B');
    expect(bytesSize(1234567)).toBe('1.177MiB');
    expect(bytesSize(0)).toBe('0B');
    expect(goG4(0.00001234)).toBe('1.234e-05');
  });
  it('shows images as Docker lists do', () => {
    expect(displayImage('nginx:1.27@sha256:abc')).toBe('nginx:1.27');
    expect(displayImage('docker.io/library/redis:7')).toBe('redis:7');
    expect(displayImage('docker.io/bitnami/redis:7@sha256:abc')).toBe('bitnami/redis:7');
    expect(displayImage('registry:5000/app:v1')).toBe('registry:5000/app:v1');
    expect(displayImage('registry:5000/app@sha256:abc')).toBe('registry:5000/app@sha256:abc');
    expect(displayImage('busybox')).toBe('busybox');
  });
  it('sorts naturally', () => {
    expect(['web.10', 'web.2', 'web.1', 'api', 'web'].sort(naturalCompare)).toEqual(['api', 'web', 'web.1', 'web.2', 'web.10']);
    expect(naturalCompare('a01', 'a1')).toBeGreaterThan(0);
    expect(['x-1', 'x1', 'x10', 'x9', 'x', 'X'].sort(naturalCompare)).toEqual(['X', 'x', 'x1', 'x9', 'x10', 'x-1']);
    expect(naturalCompare('web', 'web')).toBe(0);
  });
  it('prints times as Go does', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 120);
    expect(goTimeString(t)).toBe('2026-01-02 03:04:05.12 +0000 UTC');
    expect(goTimeJson(t)).toBe('2026-01-02T03:04:05.12Z');
    expect(goTimeJson(Date.UTC(2026, 0, 2))).toBe('2026-01-02T00:00:00Z');
    expect(goTimeString(Date.UTC(2026, 0, 2))).toBe('2026-01-02 00:00:00 +0000 UTC');
  });
  it('marshals JSON like Go', () => {
    expect(goJsonMarshal({ p: '*:80->80/tcp & <x>' })).toBe('{"p":"*:80-\\u003e80/tcp \\u0026 \\u003cx\\u003e"}');
    expect(jsonLine({ b: 1, a: 'x' })).toBe('{"a":"x","b":1}');
    expect(inspectJson([])).toBe('[]');
    expect(inspectJson([{ A: { B: [] } }])).toBe('[\n    {\n        "A": {\n            "B": []\n        }\n    }\n]');
  });
});

describe('ports columns', () => {
  const p = (publishedPort: number, targetPort: number, protocol: PortConfig['protocol'] = 'TCP', publishMode: PortConfig['publishMode'] = 'INGRESS') => codec.PortConfig.fromPartial({ publishedPort, targetPort, protocol, publishMode });
  it('folds consecutive ingress ports into ranges, as Docker', () => {
    expect(formatServicePorts([p(8080, 80)])).toBe('*:8080->80/tcp');
    expect(formatServicePorts([p(81, 81), p(80, 80)])).toBe('*:80-81->80-81/tcp');
    expect(formatServicePorts([p(80, 80), p(81, 80)])).toBe('*:80-81->80/tcp');
    expect(formatServicePorts([p(80, 80), p(81, 81), p(82, 80)])).toBe('*:80-81->80-81/tcp, *:82->80/tcp');
    expect(formatServicePorts([p(53, 53, 'UDP'), p(80, 80), p(90, 90)])).toBe('*:80->80/tcp, *:90->90/tcp, *:53->53/udp');
    expect(formatServicePorts([p(8080, 80, 'TCP', 'HOST')])).toBe('');
    expect(formatServicePorts([])).toBe('');
  });
  it('lists a task\'s host-mode ports', () => {
    expect(formatTaskPorts([p(8080, 80, 'TCP', 'HOST'), p(53, 53, 'UDP', 'HOST'), p(30000, 80)])).toBe('*:8080->80/tcp,*:53->53/udp');
  });
});
