// For the spec parsers' tests: the message of the usage error a call throws.
import { CliError } from '../errors.js';

/**
 * Runs `fn`, which must throw a usage error (a CliError with exit code 125,
 * as Docker's flag errors) of one line, and returns its message.
 */
export function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof CliError)) throw new Error(`expected a usage error (CliError), got ${String(error)}`);
    if (error.exitCode !== 125) throw new Error(`expected exit code 125 for a usage error, got ${error.exitCode}: ${error.message}`);
    if (error.message.includes('\n')) throw new Error(`expected a one-line usage error, got: ${error.message}`);
    return error.message;
  }
  throw new Error('expected a usage error, but nothing was thrown');
}
