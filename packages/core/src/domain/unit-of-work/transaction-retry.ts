/**
 * Runs a unit of work again when it lost a race: optimistic locking (`VersionConflictError`)
 * means another writer changed the lead between our read and our write, and deciding again on
 * the fresh state is the correct answer. The work must therefore be safe to re-run from scratch,
 * which a rolled-back transaction guarantees.
 */
import { DuplicateError, VersionConflictError } from '../../errors/index.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';

/** How many times a unit of work is tried before its last error is rethrown. */
const transactionAttempts = 3;

/**
 * `store.transaction(work)`, tried again after a `VersionConflictError` — and after a
 * `DuplicateError` when `retryDuplicates` is set (two writers creating the same lead at once:
 * the second attempt finds the first one's row).
 */
export async function transactionWithRetry<T>(
  store: Store,
  work: (tx: Repositories) => Promise<T>,
  options: { readonly retryDuplicates?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.transaction(work);
    } catch (error) {
      const lostRace = VersionConflictError.isInstance(error) || (options.retryDuplicates === true && DuplicateError.isInstance(error));
      if (!lostRace || attempt >= transactionAttempts) throw error;
    }
  }
}
