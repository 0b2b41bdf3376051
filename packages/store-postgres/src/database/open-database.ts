/** Recognises the connection an application passed (a `pg.Pool` or a PGlite instance). */
import { ValidationError } from '@sdr/core';
import type { Database } from './database.js';
import { createPgPoolDatabase, isPgPool, type PgPoolLike } from './pg-pool-database.js';
import { createPgliteDatabase, isPglite, type PgliteLike } from './pglite-database.js';

/** A `pg.Pool` (taken, never created or ended by the store) or a PGlite instance. */
export type DatabaseConnection = PgPoolLike | PgliteLike;

const wrapped = new WeakMap<object, Database>();

/**
 * The `Database` over `db`. The same wrapper is returned for the same connection, so that the
 * store, the lock and `migrate` share one view of which transaction is running.
 */
export function openDatabase(db: DatabaseConnection): Database {
  const existing = wrapped.get(db);
  if (existing) return existing;
  // PGlite is checked first: it also has a `query` method, but no `connect`.
  const database = isPglite(db) ? createPgliteDatabase(db) : isPgPool(db) ? createPgPoolDatabase(db) : undefined;
  if (!database) throw ValidationError.forField('db', 'must be a pg.Pool or a PGlite instance');
  wrapped.set(db, database);
  return database;
}
