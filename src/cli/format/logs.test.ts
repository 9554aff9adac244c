import { describe, expect, it } from 'vitest';
import { formatLogLine, type LogLine } from './logs.js';

const line: LogLine = { serviceName: 'web', slot: 3, taskId: 'x8hdwp0v3y8pyzd2jmfscj3zs', nodeName: 'host1', timestampMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6), text: 'GET / 200' };

describe('service logs lines', () => {
  it('prefix the task and node as Docker does', () => {
    expect(formatLogLine(line, { slotDigits: 1 })).toBe('web.3.x8hdwp0v3y8p@host1    | GET / 200');
    expect(formatLogLine(line, { slotDigits: 2 })).toBe('web.3.x8hdwp0v3y8p@host1     | GET / 200');
    expect(formatLogLine(line, { slotDigits: 1, noTaskIds: true })).toBe('web.3@host1    | GET / 200');
    expect(formatLogLine(line, { slotDigits: 1, noTrunc: true })).toBe('web.3.x8hdwp0v3y8pyzd2jmfscj3zs@host1    | GET / 200');
    expect(formatLogLine(line, { slotDigits: 1, timestamps: true })).toBe('2026-01-02T03:04:05.006Z web.3.x8hdwp0v3y8p@host1    | GET / 200');
    expect(formatLogLine({ ...line, slot: 0 }, { slotDigits: 1 })).toBe('web.0.x8hdwp0v3y8p@host1    | GET / 200');
  });
  it('print only the text with --raw', () => {
    expect(formatLogLine(line, { slotDigits: 1, raw: true })).toBe('GET / 200');
    expect(formatLogLine(line, { slotDigits: 1, raw: true, timestamps: true })).toBe('2026-01-02T03:04:05.006Z GET / 200');
  });
});
