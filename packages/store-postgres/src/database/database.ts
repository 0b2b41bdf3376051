/**
 * The tiny database interface every repository is written against, so that one code path runs
 * on a `pg.Pool` and on PGlite. Statements use `$n` parameters; results are plain rows.
 *
 * Inside a transaction each `write` runs under a savepoint: a failing statement (a unique key
 * taken, an overlapping appointment) is undone alone and the transaction stays usable — the
 * caller may catch the `SdrError` and go on, exactly as on the in-memory store. Without it,
 * PostgreSQL would refuse every further statement of the transaction.
 */
import type { SdrError } from '@sdr/core';

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** Runs statements; errors reach the caller already mapped to `SdrError`s. */
export interface SqlExecutor {
  /** Runs a statement that writes nothing. `operation` (`leads.get`) names it in errors. */
  query<R extends Row = Row>(operation: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a statement that writes: all of its effect, or — when it fails — none, even inside a transaction. */
  write<R extends Row = Row>(operation: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (a migration). */
  script(operation: string, sql: string): Promise<void>;
}

/** A connection pool or an embedded instance, with the unit of work. */
export interface Database extends SqlExecutor {
  /** `postgres` for a pg.Pool, `pglite` for an embedded instance. */
  readonly driver: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when
   * it throws (the error is rethrown). Nesting is refused.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Rejects a call that cannot be served, with the error the store reports. */
export type Refusal = (operation: string) => SdrError;
