// Only a failing command loads this (and with it the gRPC error types): see runCli.
import { RpcError } from '../rpc/index.js';
import { CliError, EXIT_FAILED } from './errors.js';

/** Turns whatever a command threw into the one line the user sees. */
export function describeFailure(error: unknown, host: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof RpcError) {
    // Only a failure to reach the socket itself means the daemon is not running;
    // the daemon's own "unavailable" answers (no leader, manager unreachable) pass through.
    const detail = error.detail;
    switch (detail?.kind) {
      case 'transport':
        if (error.kind === 'unavailable' && host.startsWith('unix://')) {
          return new CliError(`Cannot connect to the shoal daemon at ${host}. Is the shoal daemon running? (start it with "shoal daemon", or point -H/SHOAL_HOST at its socket)`);
        }
        break;
      case 'not-leader':
      case 'node-removed':
      case undefined:
        break;
      default: {
        const unknown: never = detail;
        throw new Error(`unknown error detail ${JSON.stringify(unknown)}`);
      }
    }
    if (error.kind === 'invalid-argument') return new CliError(error.message, EXIT_FAILED);
    return new CliError(error.message, EXIT_FAILED);
  }
  return new CliError(error instanceof Error ? error.message : String(error), EXIT_FAILED);
}
