/** The PostgreSQL schema the store's tables live in, and SQL-safe references to it. */
import { ValidationError } from '@sdr/core';

/** Where the tables live unless the application chooses another schema. */
export const defaultSchema = 'sdr';

/**
 * The quoted identifier of `schema`. Only plain lowercase names are accepted, so that a schema
 * name can never smuggle SQL into the statements it is spliced into.
 */
export function quoteSchema(schema: string = defaultSchema): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw ValidationError.forField('schema', 'must be a lowercase PostgreSQL identifier such as sdr (letters, digits, _)');
  }
  return `"${schema}"`;
}
