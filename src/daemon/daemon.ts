import { ControlService, DaemonService, LogsService } from '../gen/index.js';
import { componentLogger, createLogger } from '../common/log.js';
import { SHOAL_VERSION } from '../common/version.js';
import { RpcServer } from '../rpc/index.js';
import { connectEngine } from '../worker/index.js';
import { NODE_LIVENESS_PORT } from '../common/defaults.js';
import { claimDataRoot } from './data-root.js';
import { startLivenessListener } from './liveness-listener.js';
import { daemonHandlers } from './local-api.js';
import { localControl, localLogs } from './local-control.js';
import { SwarmNode } from './swarm-node.js';
import type { DaemonOptions } from './options.js';
import { prepareSocketPath, unixSocketPath } from './socket.js';
import { rmSync } from 'node:fs';

/**
 * Runs the node daemon until SIGTERM or SIGINT: claims the data root, serves
 * the local socket, and on a signal stops accepting calls, removes its
 * socket and pid file, and resolves. Tasks' containers are left running
 * (live-restore): stopping the daemon is not stopping the workload.
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const log = createLogger(options.logLevel, { node: options.nodeName });
  const socketPath = unixSocketPath(options.host);
  const releaseDataRoot = claimDataRoot(options.dataRoot);
  const engine = connectEngine(options.dockerHost);
  const liveness = await startLivenessListener(NODE_LIVENESS_PORT, componentLogger(log, 'liveness'));
  const swarm = new SwarmNode({ ...options, livenessPort: liveness?.port ?? 0 }, engine, log);

  const local = new RpcServer({ logger: componentLogger(log, 'local-api') });
  local.addService(DaemonService, daemonHandlers(options, engine, swarm));
  local.addService(ControlService, localControl(swarm.localCluster()));
  local.addService(LogsService, localLogs(swarm.localCluster()));
  try {
    await prepareSocketPath(socketPath);
    await local.listen(options.host);
    await swarm.resume();
  } catch (error) {
    await swarm.close().catch(() => undefined);
    await local.close(100).catch(() => undefined);
    await liveness?.close();
    rmSync(socketPath, { force: true });
    releaseDataRoot();
    throw error;
  }
  log.info({ version: SHOAL_VERSION, socket: socketPath, dataRoot: options.dataRoot, dockerHost: options.dockerHost }, 'shoal daemon started');

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      log.info({ signal }, 'shutting down; task containers keep running');
      Promise.all([local.close(), swarm.close()])
        .then(() => liveness?.close())
        .catch((error: unknown) => log.warn({ err: error }, 'shutting down cleanly failed'))
        .finally(() => {
          rmSync(socketPath, { force: true });
          releaseDataRoot();
          log.info('shutdown complete');
          resolve();
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
