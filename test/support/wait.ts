// Bounded polling for the test environment: every wait has a deadline so a
// broken setup fails with a message instead of hanging CI.

const POLL_MS = 200;

/** Sleeps; only for polling loops in the test environment. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls `cond` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  return waitForAsync(() => Promise.resolve(cond()), timeoutMs);
}

/** Polls async `cond` every 200ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitForAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

/** Like waitForAsync, but throws `message` (with the last observation) when time runs out. */
export async function waitUntil<T>(observe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, message: string): Promise<T> {
  let last: T | undefined;
  const held = await waitForAsync(async () => {
    last = await observe();
    return ok(last);
  }, timeoutMs);
  if (!held) throw new Error(`${message} (after ${timeoutMs}ms; last seen: ${JSON.stringify(last)})`);
  return last as T;
}
