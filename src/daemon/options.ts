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
}
