// CI logs must not go silent during slow steps (apt, dockerd start, debootstrap),
// so every step of the test environment announces itself on stderr.

/** Prints one `[test-env] ...` progress line on stderr. */
export function progress(message: string): void {
  process.stderr.write(`[test-env] ${message}\n`);
}

const HEARTBEAT_MS = 20_000;

/** Runs a step, reporting its start, a heartbeat every 20s while it runs, and how long it took. */
export async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const startMs = Date.now();
  const seconds = (): string => ((Date.now() - startMs) / 1000).toFixed(1);
  progress(`${label} ...`);
  const heartbeat = setInterval(() => progress(`${label}: still running after ${seconds()}s`), HEARTBEAT_MS);
  try {
    const result = await step();
    progress(`${label}: done in ${seconds()}s`);
    return result;
  } finally {
    clearInterval(heartbeat);
  }
}
