/**
 * The one place where driver errors (node-postgres and PGlite raise the same SQLSTATE codes)
 * become `SdrError`s.
 *
 * Nothing of the driver's error travels on: its `detail` repeats the offending row (phones,
 * e-mail addresses) and PGlite's error even carries the query's parameters. The `SdrError` keeps
 * only the SQLSTATE, the constraint and the table — names from our own migrations.
 */
import {
  ConflictError,
  DuplicateError,
  ProviderUnavailableError,
  SdrError,
  SlotUnavailableError,
  ValidationError,
  isNetworkErrorCode,
} from '@sdr/core';

/** The provider name database failures carry (`ProviderUnavailableError.provider`). */
export const databaseProvider = 'postgres';

/** What a driver error exposes, whichever driver raised it. */
interface DriverErrorFields {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly table?: unknown;
  readonly column?: unknown;
}

// SQLSTATE classes and codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
const uniqueViolation = '23505';
const exclusionViolation = '23P01';
const foreignKeyViolation = '23503';
const checkViolation = '23514';
const notNullViolation = '23502';
const retryableCodes = new Set(['40001', '40P01', '55P03']);
// Connection lost or refused, server shutting down, too many connections, out of resources.
const unavailableCodes = new Set(['57P01', '57P02', '57P03', '53300', '53000', '53100', '53200', '58000', '58030']);

/** Entity names by table, for messages such as `lead phone already exists`. */
const resources: Readonly<Record<string, string>> = {
  tenants: 'tenant',
  leads: 'lead',
  messages: 'message',
  appointments: 'appointment',
  contacts: 'contact',
  billing_cycles: 'billing cycle',
  templates: 'template',
  scheduled_messages: 'scheduled message',
  outbox: 'outbox entry',
  sync_states: 'sync state',
  alerts: 'alert',
  api_keys: 'API key',
  oauth_tokens: 'OAuth token',
  inbound_events: 'inbound event',
  idempotency_keys: 'idempotency key',
  locks: 'lock',
};

/**
 * Unique constraints whose violation means something more specific than "this id exists"; the
 * others are named `<table>_<field>_key` or `<table>_pkey`.
 */
const uniqueMeanings: Readonly<Record<string, { readonly resource: string; readonly key: string }>> = {
  billing_cycles_one_active_key: { resource: 'active billing cycle', key: 'externalBillingId' },
};

/** Maps any error thrown by a driver call to an `SdrError`; `SdrError`s pass through untouched. */
export function mapDatabaseError(error: unknown, operation: string): SdrError {
  if (SdrError.isInstance(error)) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as DriverErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : '';
  const constraint = typeof fields.constraint === 'string' ? fields.constraint : '';
  const table = typeof fields.table === 'string' ? fields.table : '';
  const cause = sanitizedCause(code, constraint, table);
  const resource = resources[table] ?? (table || 'row');

  if (code === uniqueViolation) {
    const meaning = uniqueMeanings[constraint];
    if (meaning) return new DuplicateError(meaning.resource, meaning.key, { cause });
    return new DuplicateError(resource, keyOf(constraint, table), { cause });
  }
  if (code === exclusionViolation) {
    return new SlotUnavailableError('the calendar already has a scheduled appointment overlapping that time', { cause });
  }
  if (code === foreignKeyViolation) {
    return ValidationError.forField(fieldOfForeignKey(constraint, table), 'refers to a record that does not exist in this tenant', {
      cause,
    });
  }
  if (code === checkViolation || code === notNullViolation || code.startsWith('22')) {
    const column = typeof fields.column === 'string' ? fields.column : '';
    return ValidationError.forField(column || constraint || resource, 'is not accepted by the store', { cause });
  }
  if (retryableCodes.has(code)) {
    return new ConflictError(`${operation} collided with a concurrent transaction; try again`, { cause, retryable: true });
  }
  if (unavailableCodes.has(code) || code.startsWith('08') || isNetworkErrorCode(code) || isConnectionMessage(error)) {
    return new ProviderUnavailableError({ provider: databaseProvider, operation, cause });
  }
  return new SdrError(`${databaseProvider} ${operation} failed${code ? ` (SQLSTATE ${code})` : ''}`, 'internal', { cause });
}

/** Runs a driver call, mapping whatever it throws. */
export async function mapErrors<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapDatabaseError(error, operation);
  }
}

/** True for the SQLSTATEs a caller may retry (serialization failure, deadlock). */
export function isRetryableDatabaseError(error: unknown): boolean {
  return SdrError.isInstance(error) && error.retryable;
}

function keyOf(constraint: string, table: string): string {
  if (constraint === `${table}_pkey`) return 'id';
  const prefix = `${table}_`;
  const inner = constraint.startsWith(prefix) && constraint.endsWith('_key') ? constraint.slice(prefix.length, -'_key'.length) : '';
  return inner.replace(/^tenant_/, '') || 'key';
}

function fieldOfForeignKey(constraint: string, table: string): string {
  const prefix = `${table}_`;
  const inner = constraint.startsWith(prefix) && constraint.endsWith('_fkey') ? constraint.slice(prefix.length, -'_fkey'.length) : '';
  return camelCase(inner || 'reference');
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function isConnectionMessage(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection (?:is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect|PGlite is closed/i.test(
    message,
  );
}

/** A cause for logs that names the failure without any of the driver's data. */
function sanitizedCause(code: string, constraint: string, table: string): Error {
  const parts = [code && `SQLSTATE ${code}`, constraint && `constraint ${constraint}`, table && `table ${table}`].filter(Boolean);
  const cause = new Error(parts.length > 0 ? parts.join(', ') : 'database driver error');
  cause.name = 'DatabaseError';
  return cause;
}
