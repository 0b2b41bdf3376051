/**
 * The `Database` over an embedded PGlite instance. PGlite is one connection: transactions run
 * one after the other, and a statement issued outside while one runs waits for it. A read made
 * through the store from inside its own transaction therefore runs on the transaction (it would
 * otherwise wait for itself).
 */
import { mapDatabaseError } from '../postgres-errors.js';
import type { Database, Row, SqlExecutor } from './database.js';
import { createTransactionExecutor } from './transaction-executor.js';
import { currentTransaction, nestedTransactionError, runInTransactionScope, writeOutsideUnitError } from './transaction-scope.js';

/** What the store needs of a PGlite transaction. */
export interface PgliteTransactionLike {
  query(sql: string, params?: unknown[]): Promise<{ readonly rows: unknown[] }>;
  exec(sql: string): Promise<unknown>;
}

/** What the store needs of a `PGlite` instance; pass the instance itself. */
export interface PgliteLike {
  query(sql: string, params?: unknown[]): Promise<{ readonly rows: unknown[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(callback: (tx: PgliteTransactionLike) => Promise<T>): Promise<T>;
}

/** True when `db` looks like a PGlite instance. */
export function isPglite(db: unknown): db is PgliteLike {
  const candidate = db as Partial<PgliteLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.exec === 'function' &&
    typeof candidate.transaction === 'function' &&
    typeof candidate.query === 'function'
  );
}

/** Wraps an application-owned PGlite instance; the store never closes it. */
export function createPgliteDatabase(pglite: PgliteLike): Database {
  const run = async (operation: string, sql: string, params: readonly unknown[]): Promise<Row[]> => {
    try {
      return (await pglite.query(sql, [...params])).rows as Row[];
    } catch (error) {
      throw mapDatabaseError(error, operation);
    }
  };

  const database: Database = {
    driver: 'pglite',
    query: <R extends Row = Row>(operation: string, sql: string, params: readonly unknown[] = []) => {
      const tx = currentTransaction(database);
      return (tx ? tx.query<R>(operation, sql, params) : run(operation, sql, params)) as Promise<R[]>;
    },
    write: <R extends Row = Row>(operation: string, sql: string, params: readonly unknown[] = []) => {
      if (currentTransaction(database)) return Promise.reject(writeOutsideUnitError(operation));
      return run(operation, sql, params) as Promise<R[]>;
    },
    async script(operation: string, sql: string): Promise<void> {
      if (currentTransaction(database)) throw writeOutsideUnitError(operation);
      try {
        await pglite.exec(sql);
      } catch (error) {
        throw mapDatabaseError(error, operation);
      }
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (currentTransaction(database)) throw nestedTransactionError();
      let unit: ReturnType<typeof createTransactionExecutor> | undefined;
      // Set inside the callback below: widened so that TypeScript does not keep it narrowed to `false`.
      let failedInside = false as boolean;
      try {
        return await pglite.transaction(async (connection) => {
          unit = createTransactionExecutor(
            async (sql, params) => (await connection.query(sql, [...params])).rows as Row[],
            (sql) => connection.exec(sql),
          );
          const executor = unit.executor;
          try {
            return await runInTransactionScope(database, executor, () => fn(executor));
          } catch (error) {
            failedInside = true;
            throw error;
          }
        });
      } catch (error) {
        // `fn`'s own error reaches the caller untouched; only BEGIN/COMMIT failures are mapped.
        throw failedInside ? error : mapDatabaseError(error, 'transaction');
      } finally {
        unit?.end();
      }
    },
  };
  return database;
}
