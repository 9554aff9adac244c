import { notBuiltYet } from '../errors.js';

/** Issues that will bring a command's backend, named in its "not built yet" line. */
export const CLUSTER_ISSUE = 'the cluster work, issue #5';
export const OVERLAY_ISSUE = 'the overlay work, issue #6';
export const STACKS_ISSUE = 'the stacks, secrets and configs work, issue #7';

/** An action for a command whose backend is not built: one line, exit 1. */
export function pending(command: string, issue: string): () => never {
  return () => {
    throw notBuiltYet(command, issue);
  };
}
