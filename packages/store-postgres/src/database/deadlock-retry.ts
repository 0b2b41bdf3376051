/**
 * One statement that PostgreSQL killed to break a deadlock had no effect (its statement, or its
 * savepoint, was rolled back), so running it again is safe. Concurrent inserts checked by the
 * same exclusion constraint (overlapping appointments) deadlock on each other's index entries
 * under load; the retry turns that into the answer the caller expects — the insert succeeds, or
 * meets the winner's row and fails with the constraint error.
 */
const deadlockDetected = '40P01';
const maxAttempts = 4;

function isDeadlock(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === deadlockDetected;
}

/** Runs `statement`, again (up to 4 times in all, after a short random pause) when it lost a deadlock. */
export async function retryOnDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await statement();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
