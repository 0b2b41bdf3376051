/**
 * Request validation with zod, reported as core's `ValidationError`: each issue names its field
 * as a dotted path under the part of the request it is in (`body.customer.phone`,
 * `query.limit`, `params.id`, `headers.idempotency-key`), and unknown fields are named too.
 */
import { ValidationError, toFieldErrors } from '@sdr/core';
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';

const partLabels: Readonly<Record<string, string>> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** Fastify's validator compiler for zod schemas: the parsed (and transformed) value replaces the input. */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: new ValidationError(toFieldErrors(result.error.issues, partLabels[httpPart ?? 'body'] ?? httpPart)) };
  };

/**
 * Runs `fn`, naming the fields of a `ValidationError` it throws under `label` (`query`): a
 * repository's `cursor` problem is the client's `query.cursor`.
 */
export async function underField<T>(label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    throw new ValidationError(error.fieldErrors.map((fieldError) => ({ ...fieldError, field: `${label}.${fieldError.field}` })));
  }
}
