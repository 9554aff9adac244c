/** Runs async jobs one after another, in call order; a failing job does not stop the next. */
export class Serializer {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs fn once every job queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
