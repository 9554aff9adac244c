// Docker's error text, as users know it from the docker CLI: dockerode wraps
// it as "(HTTP code 404) no such container - No such image: x " with the
// engine's own message in `json.message`.
import type { ExecutorError } from './executor.js';

interface DockerodeError {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

/** The HTTP status of an engine error, if the engine answered at all. */
export function engineStatusCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as DockerodeError).statusCode : undefined;
}

/** Docker's message, without dockerode's prefix. */
export function engineMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as DockerodeError;
  const message = e.json?.message ?? e.message ?? e.reason ?? String(error);
  return message.trim();
}

/** An ExecutorError: transient when the engine did not answer (socket refused, reset, timed out). */
export function executorError(error: unknown): ExecutorError {
  return { message: engineMessage(error), transient: engineStatusCode(error) === undefined };
}
