import type { Logger } from 'pino';
import type { LogMessage, LogsService, SubscriptionMessage, Task } from '../gen/index.js';
import type { RpcClient } from '../rpc/index.js';
import type { LogLine, LogOptions } from '../worker/index.js';

/** Lines per PublishLogs message: bounds a message's size and keeps latency low. */
const LINES_PER_MESSAGE = 200;

/** What the publisher needs from the agent. */
export interface LogSource {
  tasks(): Task[];
  logs(taskId: string, options: LogOptions): AsyncGenerator<LogLine>;
}

/**
 * The node's side of `service logs`: listens for subscriptions from the
 * leader and publishes the matching lines of its local tasks, then `close`
 * (unless following, which ends when the subscription is closed).
 */
export class LogPublisher {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly nodeId: string,
    private readonly source: LogSource,
    private readonly log: Logger,
  ) {}

  /** Serves subscriptions over one client until it or the stream ends. */
  async serve(client: RpcClient<typeof LogsService>, signal: AbortSignal): Promise<void> {
    const stream = client.listenSubscriptions({}, { signal });
    try {
      for await (const m of stream as AsyncIterable<SubscriptionMessage>) {
        if (m.close) {
          this.running.get(m.id)?.abort();
          this.running.delete(m.id);
        } else if (!this.running.has(m.id)) {
          const abort = new AbortController();
          this.running.set(m.id, abort);
          this.publish(client, m, abort.signal)
            .catch((error: unknown) => this.log.debug({ err: error, subscription: m.id }, 'publishing logs ended'))
            .finally(() => this.running.delete(m.id));
        }
      }
    } finally {
      for (const a of this.running.values()) a.abort();
      this.running.clear();
    }
  }

  private async publish(client: RpcClient<typeof LogsService>, sub: SubscriptionMessage, signal: AbortSignal): Promise<void> {
    const selector = sub.selector;
    const options = sub.options;
    const tasks = this.source.tasks().filter((t) => selector && (selector.taskIds.includes(t.id) || selector.serviceIds.includes(t.serviceId)));
    const done = new Promise<void>((resolve, reject) => {
      const stream = client.publishLogs({ signal }, (error) => (error ? reject(error) : resolve()));
      const send = (messages: LogMessage[], close: boolean): void => {
        stream.write({ subscriptionId: sub.id, messages, close });
      };
      const one = async (task: Task): Promise<void> => {
        let batch: LogMessage[] = [];
        const lines = this.source.logs(task.id, { follow: options?.follow === true, tail: options && options.tail >= 0 ? options.tail : undefined, sinceMs: options?.sinceMs || undefined });
        for await (const line of lines) {
          if (signal.aborted) break;
          batch.push({ context: { serviceId: task.serviceId, nodeId: this.nodeId, taskId: task.id }, timestampMs: line.timestampMs, stream: line.stream === 'stderr' ? 'STDERR' : 'STDOUT', data: Buffer.from(line.line + '\n') });
          // Following: every line goes out as it comes; otherwise in batches.
          if (options?.follow === true || batch.length >= LINES_PER_MESSAGE) {
            send(batch, false);
            batch = [];
          }
        }
        if (batch.length) send(batch, false);
      };
      Promise.all(tasks.map((t) => one(t).catch((error: unknown) => this.log.debug({ err: error, taskId: t.id }, 'reading task logs failed'))))
        .then(() => {
          send([], true);
          stream.end();
        })
        .catch(reject);
    });
    await done;
  }
}
