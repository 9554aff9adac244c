import { notBuiltYet } from '../errors.js';

/** Swarm's autolock (encrypting the managers' keys at rest under an unlock key): no issue has it yet. */
export const AUTOLOCK_WORK = 'the autolock work, which no issue covers yet';

/** An action for a command whose backend is not built: one line, exit 1. */
export function pending(command: string, issue: string): () => never {
  return () => {
    throw notBuiltYet(command, issue);
  };
}
