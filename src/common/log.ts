import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

import { LOG_LEVELS, type LogLevel } from './log-levels.js';

export { LOG_LEVELS, type LogLevel };

/** True when `value` names a level `--log-level` accepts. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * The process's root logger: JSON lines on stderr (stdout belongs to command
 * output). Components take `logger.child({ component: 'raft' })`, never the root.
 */
export function createLogger(level: LogLevel | LevelWithSilent = 'info', bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

/** A component's logger: every line names the component it came from. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
