// CI logs must not go silent during slow steps (apt, dockerd start, debootstrap),
// so every step of the test environment announces itself on stderr.

/** Prints one `[test-env] ...` progress line on stderr. */
export function progress(message: string): void {
  process.stderr.write(`[test-env] ${message}\n`);
}

/** Measures an async step and reports how long it took. */
export async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const startMs = Date.now();
  progress(`${label} ...`);
  const result = await step();
  progress(`${label}: done in ${((Date.now() - startMs) / 1000).toFixed(1)}s`);
  return result;
}
