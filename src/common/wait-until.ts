/** How long to wait for a condition, how often to look, and the error when it never holds. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** The failure to throw once `timeoutMs` passed without the condition holding (called then, so it can report progress). */
  timedOut: () => Error;
}

/**
 * Polls `condition` until it holds, at most `timeoutMs`: the one bounded
 * wait for states that announce no event (a first leader, a log caught up).
 */
export async function waitUntil(condition: () => boolean, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw options.timedOut();
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
