// No runtime imports: every command file imports this, and the CLI's start-up must stay light.

/** Docker's exit codes: 1 for a failed operation, 125 for bad flags or arguments. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 125;

/** A failure the CLI reports in one line on stderr, with its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message);
  }
}

/** A usage error: wrong flags or arguments (exit 125). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/**
 * A command whose backend has not been built yet says so and fails; it never
 * pretends to have worked.
 */
export function notBuiltYet(command: string, issue: string): CliError {
  return new CliError(`"shoal ${command}" is not built yet (it lands with ${issue}); nothing was changed`, EXIT_FAILED);
}

/**
 * Docker's multi-object commands (`service rm a b`, `node promote a b`):
 * run fn for every item, keep going past failures, then fail once with every
 * failure's line.
 */
export async function forEachRef<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (const item of items) {
    try {
      await fn(item);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length) throw new CliError(failures.join('\n'));
}
