// Reading a container's output from the engine's log endpoint. Without a TTY
// the engine multiplexes stdout and stderr into frames (8-byte header: stream
// byte, 3 zero bytes, big-endian length); with one it sends raw bytes. We ask
// for timestamps always and split them off, so callers format them or not.
import type { Readable } from 'node:stream';
import { engineMessage } from './docker-errors.js';
import type { Engine } from './engine.js';
import type { LogLine, LogOptions } from './executor.js';

const HEADER_BYTES = 8;
/** A line longer than this is cut, so one runaway line can't exhaust memory. */
const MAX_LINE_BYTES = 1 << 20;

type StreamName = LogLine['stream'];

/** Splits `chunks` of the engine's log response into timestamped lines. */
export async function* parseLogStream(chunks: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<LogLine> {
  const partial: Record<StreamName, string> = { stdout: '', stderr: '' };
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const payloads: { stream: StreamName; text: string }[] = [];
    if (tty) {
      payloads.push({ stream: 'stdout', text: bytes.toString('utf8') });
    } else {
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      while (pending.length >= HEADER_BYTES) {
        const size = pending.readUInt32BE(4);
        if (pending.length < HEADER_BYTES + size) break;
        const stream: StreamName = pending[0] === 2 ? 'stderr' : 'stdout';
        payloads.push({ stream, text: pending.subarray(HEADER_BYTES, HEADER_BYTES + size).toString('utf8') });
        pending = pending.subarray(HEADER_BYTES + size);
      }
    }
    for (const { stream, text } of payloads) {
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = (lines.pop() ?? '').slice(0, MAX_LINE_BYTES);
      for (const line of lines) yield parseLine(stream, line);
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) if (partial[stream] !== '') yield parseLine(stream, partial[stream]);
}

/** One "TIMESTAMP text" line as the engine sends it with timestamps on. */
export function parseLine(stream: StreamName, raw: string): LogLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const space = text.indexOf(' ');
  const timestampMs = space > 0 ? Date.parse(text.slice(0, space)) : NaN;
  if (Number.isNaN(timestampMs)) return { timestampMs: 0, stream, line: text };
  return { timestampMs, stream, line: text.slice(space + 1) };
}

/** The engine's `since` parameter: Unix seconds with a fraction. */
export function sinceParam(sinceMs: number): string {
  return (sinceMs / 1000).toFixed(3);
}

/** A container's output, oldest first; ends at the end unless following. */
export async function* containerLogs(engine: Engine, containerId: string, options: LogOptions): AsyncGenerator<LogLine> {
  const container = engine.getContainer(containerId);
  // Callers show this to users: Docker's words, not dockerode's wrapping.
  const info = await container.inspect().catch((e: unknown) => {
    throw new Error(engineMessage(e));
  });
  const query = {
    stdout: options.stdout ?? true,
    stderr: options.stderr ?? true,
    timestamps: true,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.sinceMs !== undefined ? { since: sinceParam(options.sinceMs) } : {}),
  };
  if (options.follow) {
    const stream = (await container.logs({ ...query, follow: true })) as Readable;
    try {
      yield* parseLogStream(stream, info.Config.Tty);
    } finally {
      stream.destroy();
    }
  } else {
    const buffer = await container.logs({ ...query, follow: false });
    yield* parseLogStream(once(buffer), info.Config.Tty);
  }
}

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}
