/**
 * Which transaction of which database the current async call chain runs in. It lets a database
 * refuse what would misbehave: a nested transaction, or a write through the store itself from
 * inside `store.transaction(fn)` (it would run outside the unit of work — and on PGlite, whose
 * single connection the transaction holds, it would wait forever).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SdrError } from '@sdr/core';
import type { SqlExecutor } from './database.js';

interface Scope {
  readonly database: object;
  readonly tx: SqlExecutor;
  active: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/** The transaction of `database` the caller runs inside, if any. */
export function currentTransaction(database: object): SqlExecutor | undefined {
  const scope = scopes.getStore();
  return scope !== undefined && scope.database === database && scope.active ? scope.tx : undefined;
}

/** Runs `fn` marked as inside the transaction `tx` of `database`. */
export async function runInTransactionScope<T>(database: object, tx: SqlExecutor, fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { database, tx, active: true };
  try {
    return await scopes.run(scope, fn);
  } finally {
    scope.active = false;
  }
}

/** The error for a nested `transaction` call. */
export function nestedTransactionError(): SdrError {
  return new SdrError('store.transaction() was called inside another transaction of the same store: nesting is not supported');
}

/** The error for a write through the store itself from inside one of its transactions. */
export function writeOutsideUnitError(operation: string): SdrError {
  return new SdrError(
    `store.${operation} was called on the store itself inside store.transaction(): use the repositories the transaction passes to its function`,
  );
}

/** The error for a statement issued through a transaction's executor after the transaction ended. */
export function transactionEndedError(operation: string): SdrError {
  return new SdrError(`tx.${operation} was called after its transaction ended`);
}
