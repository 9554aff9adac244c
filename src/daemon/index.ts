// The node daemon: one per host. Serves the local socket and, once the
// node is in a swarm, runs the worker agent and (on managers) the manager.
import type { DaemonOptions } from './options.js';

export type { DaemonOptions } from './options.js';

/**
 * Runs the daemon until it is stopped. The implementation (engine client,
 * Raft, level, certificates: about 400 modules) is loaded only when called:
 * every `shoal` command imports the CLI's command tree, and only `shoal
 * daemon` needs it — loading it made each CLI run cost seconds of CPU on a
 * busy host.
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { runDaemon: run } = await import('./daemon.js');
  await run(options);
}
