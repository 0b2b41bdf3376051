/**
 * What a repository needs from the store it belongs to: a consistent view to read, an atomic
 * write, the clock for store-assigned timestamps, and the outbox sequence. The plain store and
 * each transaction provide their own runtime; the repositories are the same code in both.
 */
import type { Clock } from '../../ports/clock/clock.js';
import type { UnitOfWork } from './tables.js';

/** The store's services to its repositories; see the module comment. */
export interface StoreRuntime {
  readonly clock: Clock;
  /**
   * Runs a read. `operation` (`leads.get`) names the call in error messages. The unit given
   * to `read` is never committed: reads cannot write by accident.
   */
  read<T>(operation: string, fn: (unit: UnitOfWork) => T): Promise<T>;
  /** Runs a write: every row `fn` writes is applied together, or — when it throws — none. */
  write<T>(operation: string, fn: (unit: UnitOfWork) => T): Promise<T>;
  /** The next outbox `sequence`: strictly increasing, never reused (gaps after a rollback, like a database sequence). */
  nextSequence(): number;
}
