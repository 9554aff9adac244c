import type { LogsService } from '../../gen/index.js';
import { RpcError, type Handlers } from '../../rpc/index.js';
import type { LogBroker } from './broker.js';

/** The Logs service on the leader: CLI subscriptions, and nodes listening and publishing. */
export function logsHandlers(broker: () => LogBroker | undefined): Handlers<typeof LogsService> {
  const need = (): LogBroker => {
    const b = broker();
    if (!b) throw new RpcError('unavailable', 'this manager is not the leader; try again (logs are served by the leader)');
    return b;
  };
  return {
    subscribeLogs: async (req, stream, ctx) => {
      const b = need();
      if (!req.selector) throw new RpcError('invalid-argument', 'a log selector is required');
      await b.subscribe(req.selector, req.options ?? { follow: false, tail: -1, sinceMs: 0, timestamps: false, stdout: true, stderr: true }, {
        messages: (messages) => stream.write({ messages, warnings: [] }),
        warning: (text) => stream.write({ messages: [], warnings: [text] }),
      }, ctx.signal);
    },
    listenSubscriptions: async (_req, stream, ctx) => {
      if (ctx.peer.kind !== 'node') throw new RpcError('unauthenticated', 'only nodes listen for log subscriptions');
      const stop = need().listen(ctx.peer.nodeId, (m) => stream.write(m));
      await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
      stop();
    },
    publishLogs: async (stream, ctx) => {
      if (ctx.peer.kind !== 'node') throw new RpcError('unauthenticated', 'only nodes publish logs');
      const nodeId = ctx.peer.nodeId;
      for await (const m of stream as AsyncIterable<{ subscriptionId: string; messages: never[]; close: boolean }>) need().publish(nodeId, m.subscriptionId, m.messages, m.close);
      return {};
    },
  };
}
