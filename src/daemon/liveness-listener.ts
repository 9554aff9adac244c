import { createServer, type Server } from 'node:net';
import type { Logger } from 'pino';

/** A running liveness listener: the port it answers on, and how to close it. */
export interface LivenessListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `port` (all addresses) and closes every connection at once.
 * Its only job is to exist exactly as long as this process: the kernel
 * completes connections to it even while the daemon is stopped or starved of
 * CPU, and refuses them once the process is gone, which is how the leader's
 * dispatcher tells a dead daemon from a slow one. Returns undefined (and
 * logs why) when the port cannot be had, e.g. another daemon in the same
 * network namespace holds it: the leader then relies on heartbeats alone.
 */
export async function startLivenessListener(port: number, log: Logger): Promise<LivenessListener | undefined> {
  const server: Server = createServer((socket) => socket.destroy());
  server.on('error', (error) => log.warn({ err: error }, 'liveness listener failed'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    log.warn({ port, err: (error as Error).message }, 'cannot listen for liveness probes; managers will judge this node by heartbeats alone');
    return undefined;
  }
  server.unref();
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
