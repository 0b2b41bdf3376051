/**
 * What a repository needs from the store it belongs to: the executor to run statements on (the
 * pool's, or a transaction's), the schema its tables live in, the clock for store-assigned
 * timestamps, and a way to run several statements atomically.
 */
import type { Clock } from '@sdr/core';
import type { Database, SqlExecutor } from '../database/database.js';

/** The store's services to its repositories; the plain store and each transaction provide their own. */
export interface StoreContext {
  readonly exec: SqlExecutor;
  /** The quoted schema identifier, e.g. `"sdr"`. */
  readonly schema: string;
  /** The unquoted schema name (advisory-lock keys). */
  readonly schemaName: string;
  readonly clock: Clock;
  /**
   * Runs `fn` atomically: in a new transaction when the repository runs outside one, inside the
   * running one otherwise.
   */
  atomically<T>(fn: (exec: SqlExecutor) => Promise<T>): Promise<T>;
}

/** The context of the plain store: statements on the pool, `atomically` opens a transaction. */
export function rootContext(input: {
  readonly database: Database;
  readonly schema: string;
  readonly schemaName: string;
  readonly clock: Clock;
}): StoreContext {
  return {
    exec: input.database,
    schema: input.schema,
    schemaName: input.schemaName,
    clock: input.clock,
    atomically: (fn) => input.database.transaction(fn),
  };
}

/** The context of one transaction: statements on its connection. */
export function transactionContext(root: StoreContext, tx: SqlExecutor): StoreContext {
  return { ...root, exec: tx, atomically: (fn) => fn(tx) };
}
