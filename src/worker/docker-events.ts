// The engine's event stream for this node's containers: one JSON object per
// line, cut into chunks anywhere. The agent only needs to know which task's
// container something happened to; it inspects the container itself.
import type { Readable } from 'node:stream';
import { engineMessage } from './docker-errors.js';
import type { Engine } from './engine.js';
import type { ContainerEvent, Subscription } from './executor.js';
import { LABELS } from './names.js';

/** Engine events that can change what the controller decides. */
const WATCHED_ACTIONS = ['create', 'start', 'die', 'stop', 'kill', 'oom', 'destroy', 'health_status'];

/** Calls `onEvent` for every watched event of a container labelled with `nodeId`; `onEnd` once, when the stream ends or cannot start. */
export function watchContainerEvents(engine: Engine, nodeId: string, onEvent: (event: ContainerEvent) => void, onEnd: (error: string) => void): Subscription {
  let stream: Readable | undefined;
  let closed = false;
  const end = (error: string): void => {
    if (closed) return;
    closed = true;
    onEnd(error);
  };
  const filters = { type: ['container' as const], label: [`${LABELS.nodeId}=${nodeId}`], event: WATCHED_ACTIONS };
  engine.getEvents({ filters }).then(
    (s) => {
      stream = s as Readable;
      if (closed) {
        stream.destroy();
        return;
      }
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const event = parseEvent(line);
          if (event !== undefined) onEvent(event);
        }
      });
      stream.on('error', (e: Error) => end(e.message));
      stream.on('close', () => end('event stream closed'));
    },
    (e: unknown) => end(engineMessage(e)),
  );
  return {
    close: () => {
      closed = true;
      stream?.destroy();
    },
  };
}

/** One line of the engine's event stream; undefined for a blank or unreadable line. */
export function parseEvent(line: string): ContainerEvent | undefined {
  if (line.trim() === '') return undefined;
  try {
    const e = JSON.parse(line) as { id?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
    const containerId = e.Actor?.ID ?? e.id ?? '';
    return { containerId, taskId: e.Actor?.Attributes?.[LABELS.taskId] ?? '', action: e.Action ?? '' };
  } catch {
    return undefined;
  }
}
