/**
 * The executor a transaction hands to its repositories, over one connection of either driver:
 * writes one at a time, each under a savepoint (see `database.ts`), and nothing at all once the
 * transaction has ended.
 */
import { mapDatabaseError } from '../postgres-errors.js';
import { retryOnDeadlock } from './deadlock-retry.js';
import type { Row, SqlExecutor } from './database.js';
import { transactionEndedError } from './transaction-scope.js';

/** Runs one statement on the transaction's connection. */
export type RunStatement = (sql: string, params: readonly unknown[]) => Promise<Row[]>;

/** Runs a parameterless script of several statements on the transaction's connection. */
export type RunScript = (sql: string) => Promise<unknown>;

/** A transaction's executor and the switch that retires it. */
export interface TransactionExecutor {
  readonly executor: SqlExecutor;
  /** Called when the transaction ends: every later call is refused. */
  end(): void;
}

const savepoint = 'sdr_statement';

/** Wraps the connection of a running transaction. */
export function createTransactionExecutor(run: RunStatement, runScript: RunScript): TransactionExecutor {
  let active = true;
  // Savepoints nest by name on one connection: two writes racing inside one transaction
  // (Promise.all in `fn`) must not interleave their SAVEPOINT / RELEASE pairs.
  let writes: Promise<unknown> = Promise.resolve();

  const assertActive = (operation: string) => {
    if (!active) throw transactionEndedError(operation);
  };

  const guardedWrite = async (operation: string, sql: string, params: readonly unknown[]): Promise<Row[]> => {
    assertActive(operation);
    try {
      return await retryOnDeadlock(() => savepointWrite(sql, params));
    } catch (error) {
      throw mapDatabaseError(error, operation);
    }
  };

  const savepointWrite = async (sql: string, params: readonly unknown[]): Promise<Row[]> => {
    await run(`SAVEPOINT ${savepoint}`, []);
    try {
      const rows = await run(sql, params);
      await run(`RELEASE SAVEPOINT ${savepoint}`, []);
      return rows;
    } catch (error) {
      // Undo this statement alone; if even that fails the connection is gone and the
      // transaction fails as a whole with the original error.
      await run(`ROLLBACK TO SAVEPOINT ${savepoint}`, [])
        .then(() => run(`RELEASE SAVEPOINT ${savepoint}`, []))
        .catch(() => undefined);
      throw error;
    }
  };

  const executor: SqlExecutor = {
    async query<R extends Row = Row>(operation: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
      assertActive(operation);
      try {
        return (await run(sql, params)) as R[];
      } catch (error) {
        throw mapDatabaseError(error, operation);
      }
    },
    write<R extends Row = Row>(operation: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = writes.then(() => guardedWrite(operation, sql, params));
      writes = result.catch(() => undefined);
      return result as Promise<R[]>;
    },
    async script(operation: string, sql: string): Promise<void> {
      assertActive(operation);
      try {
        await runScript(sql);
      } catch (error) {
        throw mapDatabaseError(error, operation);
      }
    },
  };

  return {
    executor,
    end: () => {
      active = false;
    },
  };
}
