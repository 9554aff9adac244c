import { describe, expect, it } from 'vitest';
import { parseLogStream } from './docker-logs.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: (Buffer | string)[], tty: boolean) {
  async function* source() {
    for (const c of chunks) yield c;
  }
  const out = [];
  for await (const l of parseLogStream(source(), tty)) out.push(l);
  return out;
}

describe('parseLogStream', () => {
  it('demultiplexes frames split anywhere, with timestamps split off', async () => {
    const bytes = Buffer.concat([frame(1, '2026-11-22T12:00:00.123456789Z hello\n'), frame(2, '2026-11-22T12:00:01.000000000Z oops\n')]);
    const lines = await collect([bytes.subarray(0, 5), bytes.subarray(5, 30), bytes.subarray(30)], false);
    expect(lines).toEqual([
      { timestampMs: Date.parse('2026-11-22T12:00:00.123Z'), stream: 'stdout', line: 'hello' },
      { timestampMs: Date.parse('2026-11-22T12:00:01Z'), stream: 'stderr', line: 'oops' },
    ]);
  });

  it('reads raw TTY output as stdout and keeps a last line without newline', async () => {
    const lines = await collect(['2026-11-22T12:00:00Z a\r\n2026-11-22T12:00:00Z b'], true);
    expect(lines.map((l) => [l.stream, l.line])).toEqual([['stdout', 'a'], ['stdout', 'b']]);
  });
});
