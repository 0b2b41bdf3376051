/**
 * `createPostgresStore`: the core `Store` on PostgreSQL (a `pg.Pool`) or embedded PGlite — one
 * code path for both. The invariants live in the schema (see `migrations/`); the repositories
 * turn constraint violations into the errors the ports promise.
 *
 * The store never creates, ends or closes the connection it is given, and expects the schema to
 * be migrated (`migrate({ db })`) before use.
 */
import { systemClock, type CalendarSyncTokenRepository, type Clock, type Repositories, type Store } from '@sdr/core';
import type { SqlExecutor } from '../database/database.js';
import { openDatabase, type DatabaseConnection } from '../database/open-database.js';
import { createCalendarSyncTokenRepository } from './calendar-sync-token-repository.js';
import { createRepositories } from './repositories.js';
import { defaultSchema, quoteSchema } from './schema-name.js';
import { rootContext, transactionContext } from './store-context.js';

/** Options of `createPostgresStore`. */
export interface PostgresStoreOptions {
  /** A `pg.Pool` the application created (and ends), or a PGlite instance it opened (and closes). */
  readonly db: DatabaseConnection;
  /**
   * Stamps store-assigned instants (`createdAt` of scheduled messages and outbox entries).
   * Default: the system clock. Claims and leases use the `now` each call is given.
   */
  readonly clock?: Clock;
  /** The schema the tables live in (default `sdr`), as given to `migrate`. */
  readonly schema?: string;
}

/** The PostgreSQL `Store`. */
export interface PostgresStore extends Store {
  /** `postgres` on a pg.Pool, `pglite` on an embedded instance. */
  readonly provider: 'postgres' | 'pglite';
  /** The schema the tables live in. */
  readonly schema: string;
  /** Where `CalendarSyncService` keeps each tenant calendar's sync token. */
  readonly calendarSyncTokens: CalendarSyncTokenRepository;
}

/** Creates the store over `options.db`. */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const database = openDatabase(options.db);
  const schemaName = options.schema ?? defaultSchema;
  const root = rootContext({ database, schema: quoteSchema(schemaName), schemaName, clock: options.clock ?? systemClock });
  return {
    contractVersion: 'v1',
    provider: database.driver,
    schema: schemaName,
    ...createRepositories(root),
    calendarSyncTokens: createCalendarSyncTokenRepository(root),
    transaction: <T>(fn: (tx: Repositories) => Promise<T>): Promise<T> =>
      database.transaction((sql) => {
        const tx = createRepositories(transactionContext(root, sql));
        executors.set(tx, sql);
        return fn(tx);
      }),
  };
}

const executors = new WeakMap<Repositories, SqlExecutor>();

/**
 * The connection a transaction of a PostgreSQL store runs on, for an application's own tables
 * written in the same transaction (an outbox of its own); `null` for repositories that are not a
 * transaction of this store.
 */
export function transactionSql(tx: Repositories): SqlExecutor | null {
  return executors.get(tx) ?? null;
}
