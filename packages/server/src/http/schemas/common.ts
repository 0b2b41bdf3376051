/**
 * Schemas shared by the routes: ids in paths, paging, the problem document, and the error
 * responses every route declares — so the OpenAPI document lists them from the same zod schemas
 * the server validates with.
 */
import { idSchema } from '@sdr/core';
import { z } from 'zod';

/** `{ id }` path parameters. */
export const idParamsSchema = z.strictObject({ id: idSchema.describe('The resource id (a UUID).') });

/** Largest page a list returns. */
export const maxPageSize = 500;

/** `?cursor=&limit=` of paged lists. */
export const pageQuerySchema = z.strictObject({
  cursor: z.string().min(1).max(1000).optional().describe('The `nextCursor` of the previous page; omit it for the first page.'),
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(50).describe(`Page size, 1 to ${maxPageSize} (default 50).`),
});

/** A page of `item`: pass `nextCursor` back as `cursor`; `null` means there is no more. */
export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Cursor of the next page; `null` on the last page.'),
  });
}

/** A plain list of `item` (lists bounded by nature: a lead's appointments, a tenant's templates). */
export function listSchema<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item) });
}

const fieldErrorSchema = z.object({
  field: z.string().describe('Dotted path of the offending input, e.g. `body.customer.phone` or `query.limit`.'),
  message: z.string(),
});

/** RFC 9457 problem details, with this API's extension members. */
export const problemSchema = z
  .looseObject({
    type: z.string().describe('A URN naming the problem type, `urn:sdr:problem:<code>`.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('The machine-readable error code (`validation_failed`, `not_found`, `slot_unavailable`, …).'),
    instance: z.string().describe('The path of the request that failed.'),
    requestId: z.string().describe('The request id, as in the `x-request-id` response header and the server logs.'),
    errors: z.array(fieldErrorSchema).optional().describe('Every offending field of a `validation_failed` problem.'),
    alternatives: z
      .array(z.object({ start: z.string(), end: z.string(), localLabel: z.string().optional() }))
      .optional()
      .describe('Free slots near the one asked for (`slot_unavailable`).'),
    retryAfterMs: z.number().int().optional().describe('When to try again (`rate_limited`), as in `Retry-After`.'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document (`application/problem+json`).' });

/** The error responses every authenticated route may give. */
export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  404: problemSchema,
  409: problemSchema,
  413: problemSchema,
  415: problemSchema,
  429: problemSchema,
  500: problemSchema,
  503: problemSchema,
} as const;
