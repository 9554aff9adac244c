/** Thrown when an invariant is broken: a bug in shoal, never a user error. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Crash loudly on a broken invariant (TigerBeetle style): bugs are not handled, they are fixed. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** For exhaustive switches: the compiler proves this is never reached. */
export function unreachable(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
