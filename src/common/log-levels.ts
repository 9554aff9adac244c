// Apart from log.ts so that the CLI can name the levels without loading pino.

/** The levels `--log-level` accepts, as Docker's daemon does. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];
