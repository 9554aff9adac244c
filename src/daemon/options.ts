import type { LogLevel } from '../common/log.js';

/** How `shoal daemon` was started (CONTRACT.md "Install and run"). */
export interface DaemonOptions {
  dataRoot: string;
  /** The local control socket, `unix:///path`. */
  host: string;
  dockerHost: string;
  nodeName: string;
  logLevel: LogLevel;
  metricsAddr?: string | undefined;
  /** The port this daemon's liveness listener got (not a flag: runDaemon fills it in), 0 when none. */
  livenessPort?: number | undefined;
}
