/**
 * Runs a synchronous operation and hands its outcome back as a promise: a value resolves, a
 * throw rejects. Port methods are asynchronous by contract; the in-memory doubles do their work
 * synchronously (which is what makes each operation atomic) and report it through this.
 */
export function settle<T>(operation: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(operation());
  });
}
