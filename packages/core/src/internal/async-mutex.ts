/**
 * A first-come, first-served async mutex. The in-memory doubles use it where a real backend
 * would serialise work (database transactions); everything else in them is synchronous and
 * therefore already atomic on the single JavaScript thread.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `task` once every task queued before it has settled; resolves or rejects with it. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one to settle, whatever its outcome.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
