// The demo must stop what it started on every way out: success, failure,
// `--once`, Ctrl-C at any step (not only while it waits at the end), SIGTERM,
// a closed terminal. This runs a body until it ends or a signal arrives, then
// runs the cleanup exactly once, while further signals are held off.

/** Signals that end the demo; each gets the shell's 128+N exit code. */
const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;
/** A second copy of the same signal within this long is a relay, not another Ctrl-C. */
const RELAYED_COPY_MS = 1_000;

/** Runs `body` until it settles or a stop signal arrives, then `cleanup` once; resolves to the exit code (0, 1 on failure, 128+N on a signal). */
export async function runInterruptibly(
  body: (stopRequested: Promise<void>) => Promise<void>,
  cleanup: () => Promise<void>,
  log: (line: string) => void = (line) => console.error(line),
): Promise<number> {
  let received: StopSignal | undefined;
  let receivedAtMs = 0;
  let notify: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (notify = resolve));
  const onSignal = (signal: StopSignal): void => {
    if (received !== undefined) {
      // One Ctrl-C arrives twice under `npx tsx` (the terminal's and tsx's relay): only a later one is the user's.
      if (signal !== received || Date.now() - receivedAtMs > RELAYED_COPY_MS) log(`${signal}: still tearing down what was started; it takes a few seconds`);
      return;
    }
    received = signal;
    receivedAtMs = Date.now();
    log(`\n${signal}: tearing down what was started`);
    notify();
  };
  const handlers = Object.keys(STOP_SIGNALS).map((s) => {
    const signal = s as StopSignal;
    const handler = (): void => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  // Signal listeners do not keep Node running: a body that only waits for a signal needs this.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let code = 0;
  // A body in the middle of a step is abandoned, not awaited: cleanup removes what that step made.
  const outcome = body(stopRequested).then(() => undefined, (error: unknown) => error ?? new Error('failed'));
  const failure = await Promise.race([outcome, stopRequested.then(() => undefined)]);
  if (failure !== undefined && received === undefined) {
    log(`failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    code = 1;
  }
  try {
    await cleanup();
  } catch (error) {
    log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    code = code || 1;
  }
  clearInterval(keepAlive);
  for (const [signal, handler] of handlers) process.off(signal, handler);
  return received === undefined ? code : 128 + STOP_SIGNALS[received];
}
