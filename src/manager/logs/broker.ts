import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LogMessage, LogSelector, LogSubscriptionOptions, SubscriptionMessage, Task } from '../../gen/index.js';

/** How long a node may take to answer a non-follow subscription before it is reported as silent. */
const NODE_ANSWER_TIMEOUT_MS = 10_000;

/** Where the broker finds the tasks a selector means. */
export interface LogBrokerStore {
  tasksOfService(serviceId: string): Task[];
  task(taskId: string): Task | undefined;
  nodeName(nodeId: string): string;
}

/** A subscriber's side: lines as they arrive, warnings, and the end. */
export interface LogSink {
  messages(messages: LogMessage[]): void;
  warning(text: string): void;
}

interface Subscription {
  id: string;
  selector: LogSelector;
  options: LogSubscriptionOptions;
  sink: LogSink;
  waiting: Set<string>;
  finished: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * `service logs` fan-out on the leader. Nodes hold a ListenSubscriptions
 * stream open; a subscription goes to exactly the nodes that ran the
 * selected tasks, which publish matching lines back. A node that is not
 * connected (or never answers) yields a warning, never a hang.
 */
export class LogBroker {
  private readonly listeners = new Map<string, (m: SubscriptionMessage) => void>();
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly store: LogBrokerStore,
    private readonly log: Logger,
  ) {}

  /** A node starts listening; returns the function to call when it stops. */
  listen(nodeId: string, send: (m: SubscriptionMessage) => void): () => void {
    this.listeners.set(nodeId, send);
    // Follow-mode subscriptions that want this node get it (again) on reconnect.
    for (const s of this.subscriptions.values()) if (s.options.follow && this.nodesOf(s.selector).has(nodeId)) send({ id: s.id, selector: s.selector, options: s.options, close: false });
    return () => {
      if (this.listeners.get(nodeId) === send) this.listeners.delete(nodeId);
      for (const s of this.subscriptions.values()) if (s.waiting.has(nodeId)) this.nodeDone(s, nodeId, `node ${this.store.nodeName(nodeId)} went away before sending all its logs`);
    };
  }

  /** Lines published by a node for a subscription; `close` means the node has sent everything. */
  publish(nodeId: string, subscriptionId: string, messages: LogMessage[], close: boolean): void {
    const s = this.subscriptions.get(subscriptionId);
    if (!s) return;
    const selected = new Set(this.tasksOf(s.selector).map((t) => t.id));
    const own = messages.filter((m) => m.context?.nodeId === nodeId && selected.has(m.context.taskId));
    if (own.length) s.sink.messages(own);
    if (close) this.nodeDone(s, nodeId);
  }

  /** Starts a subscription; resolves when every node has sent its logs (never, with follow, until cancelled). */
  subscribe(selector: LogSelector, options: LogSubscriptionOptions, sink: LogSink, signal: AbortSignal): Promise<void> {
    const id = randomUUID();
    return new Promise<void>((resolve) => {
      const nodes = this.nodesOf(selector);
      const s: Subscription = { id, selector, options, sink, waiting: new Set(), finished: resolve, timer: undefined };
      this.subscriptions.set(id, s);
      const end = (): void => {
        clearTimeout(s.timer);
        this.subscriptions.delete(id);
        for (const send of this.listeners.values()) send({ id, selector, options, close: true });
        resolve();
      };
      s.finished = end;
      signal.addEventListener('abort', end, { once: true });
      for (const nodeId of nodes) {
        const send = this.listeners.get(nodeId);
        if (!send) {
          sink.warning(`node ${this.store.nodeName(nodeId)} is not connected; the logs of its tasks are not included`);
          continue;
        }
        s.waiting.add(nodeId);
        send({ id, selector, options, close: false });
      }
      if (!options.follow) {
        if (s.waiting.size === 0) return end();
        s.timer = setTimeout(() => {
          for (const nodeId of [...s.waiting]) this.nodeDone(s, nodeId, `node ${this.store.nodeName(nodeId)} did not answer within ${NODE_ANSWER_TIMEOUT_MS / 1000}s; its logs may be incomplete`);
        }, NODE_ANSWER_TIMEOUT_MS);
      }
      this.log.debug({ subscription: id, nodes: [...nodes] }, 'log subscription started');
    });
  }

  private nodeDone(s: Subscription, nodeId: string, warning?: string): void {
    if (!s.waiting.delete(nodeId)) return;
    if (warning) s.sink.warning(warning);
    if (!s.options.follow && s.waiting.size === 0) s.finished();
  }

  private tasksOf(selector: LogSelector): Task[] {
    const tasks = selector.serviceIds.flatMap((id) => this.store.tasksOfService(id));
    for (const id of selector.taskIds) {
      const t = this.store.task(id);
      if (t) tasks.push(t);
    }
    return tasks;
  }

  private nodesOf(selector: LogSelector): Set<string> {
    return new Set(this.tasksOf(selector).map((t) => t.nodeId).filter(Boolean));
  }
}
