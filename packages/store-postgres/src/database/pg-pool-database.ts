/**
 * The `Database` over a node-postgres `Pool` the application created and owns: statements
 * outside a transaction go to the pool, a transaction checks out one client for its duration.
 */
import { createHash } from 'node:crypto';
import { SdrError } from '@sdr/core';
import { mapDatabaseError } from '../postgres-errors.js';
import type { Database, Row, SqlExecutor } from './database.js';
import { createTransactionExecutor } from './transaction-executor.js';
import { retryOnDeadlock } from './deadlock-retry.js';
import { currentTransaction, nestedTransactionError, runInTransactionScope, writeOutsideUnitError } from './transaction-scope.js';

/** A statement as node-postgres takes it; `name` makes it a prepared statement of the connection. */
export interface PgQueryConfig {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

/** What the store needs of a pooled client (`pg.PoolClient`). */
export interface PgPoolClientLike {
  query(config: PgQueryConfig): Promise<{ readonly rows: unknown[]; readonly command?: string }>;
  release(destroy?: boolean | Error): void;
}

/** What the store needs of a `pg.Pool`; pass the pool itself. */
export interface PgPoolLike {
  query(config: PgQueryConfig): Promise<{ readonly rows: unknown[] }>;
  connect(): Promise<PgPoolClientLike>;
}

const statementNames = new Map<string, string>();

/**
 * A parameterised statement as a named prepared statement: each connection parses and plans a
 * statement once instead of on every call (the claim, `markSent` and the other hot statements run
 * thousands of times a second). The name is derived from the text, so one text is one statement.
 */
function prepared(sql: string, params: readonly unknown[]): PgQueryConfig {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `sdr_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return { name, text: sql, values: [...params] };
}

/**
 * One statement on a pooled connection. Unlike `pool.query`, which destroys the connection
 * whenever the statement fails, a connection is only dropped when it is broken: after an error
 * PostgreSQL answered (a constraint refused a row, say) it is as good as before. Dropping it cost
 * a new connection — tens of milliseconds — for every refused booking of a contended slot.
 */
async function queryOnPool(pool: PgPoolLike, config: PgQueryConfig): Promise<{ readonly rows: unknown[] }> {
  const client = await pool.connect();
  let broken = true;
  try {
    const result = await client.query(config);
    broken = false;
    return result;
  } catch (error) {
    broken = !answeredByServer(error);
    throw error;
  } finally {
    client.release(broken);
  }
}

/** An error the server reported for one statement (SQLSTATE, severity `ERROR`): the session is intact. */
function answeredByServer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && severity === 'ERROR';
}

/** True when `db` looks like a `pg.Pool`. */
export function isPgPool(db: unknown): db is PgPoolLike {
  const candidate = db as Partial<PgPoolLike> | null;
  return (
    typeof candidate === 'object' && candidate !== null && typeof candidate.connect === 'function' && typeof candidate.query === 'function'
  );
}

/** Wraps an application-owned pool; the store never ends it. */
export function createPgPoolDatabase(pool: PgPoolLike): Database {
  const run = async (operation: string, sql: string, params: readonly unknown[]): Promise<Row[]> => {
    try {
      return await retryOnDeadlock(async () => (await queryOnPool(pool, prepared(sql, params))).rows as Row[]);
    } catch (error) {
      throw mapDatabaseError(error, operation);
    }
  };

  const database: Database = {
    driver: 'postgres',
    query: <R extends Row = Row>(operation: string, sql: string, params: readonly unknown[] = []) =>
      run(operation, sql, params) as Promise<R[]>,
    write: <R extends Row = Row>(operation: string, sql: string, params: readonly unknown[] = []) => {
      if (currentTransaction(database)) return Promise.reject(writeOutsideUnitError(operation));
      return run(operation, sql, params) as Promise<R[]>;
    },
    async script(operation: string, sql: string): Promise<void> {
      if (currentTransaction(database)) throw writeOutsideUnitError(operation);
      try {
        await pool.query({ text: sql });
      } catch (error) {
        throw mapDatabaseError(error, operation);
      }
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (currentTransaction(database)) throw nestedTransactionError();
      let client: PgPoolClientLike;
      try {
        client = await pool.connect();
      } catch (error) {
        throw mapDatabaseError(error, 'transaction');
      }
      const tx = createTransactionExecutor(
        async (sql, params) => (await client.query(params.length === 0 ? { text: sql } : prepared(sql, params))).rows as Row[],
        // Without parameters node-postgres uses the simple protocol, which runs several statements.
        (sql) => client.query({ text: sql }),
      );
      const driverCall = async <R>(operation: string, call: () => Promise<R>): Promise<R> => {
        try {
          return await call();
        } catch (error) {
          throw mapDatabaseError(error, operation);
        }
      };
      let broken: Error | undefined;
      try {
        await driverCall('transaction.begin', () => client.query({ text: 'BEGIN' }));
        const result = await runInTransactionScope(database, tx.executor, () => fn(tx.executor));
        tx.end();
        const commit = await driverCall('transaction.commit', () => client.query({ text: 'COMMIT' }));
        // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not an error.
        if (commit.command === 'ROLLBACK') throw new SdrError('the transaction was aborted by a failed statement and rolled back');
        return result;
      } catch (error) {
        // `fn`'s own error reaches the caller untouched; driver errors were mapped above.
        tx.end();
        await client.query({ text: 'ROLLBACK' }).catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
        });
        throw error;
      } finally {
        // A client whose rollback failed is in an unknown state: destroy it rather than pool it.
        client.release(broken ?? false);
      }
    },
  };
  return database;
}
