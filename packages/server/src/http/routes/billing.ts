/**
 * Billing cycles (collections reminders): import a batch (or dry-run it for its plan and hash),
 * apply a dry-run plan by its hash, pay, cancel, read, and opt a contact out. Items are checked
 * one by one by the billing service — a bad item is reported `invalid` with its field errors and
 * never fails the batch — so the request schema only bounds the batch; the item shape in the
 * OpenAPI document is generated from the same zod schema the service validates each item with.
 */
import {
  NotFoundError,
  billingCycleStatusSchema,
  billingItemSchema,
  exceedsJsonDepth,
  idSchema,
  maxBillingBatchItems,
  maxJsonDepth,
} from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { tenantOf } from '../request-context.js';
import { errorResponses, idParamsSchema, pageQuerySchema, pageSchema } from '../schemas/common.js';
import { billingCycleResource, toBillingCycleResource } from '../schemas/resources.js';
import { underField } from '../validation.js';
import { billingImportResource, toBillingImportResource } from './billing-import-resource.js';

/** The JSON schema of one item, for the document: the service's item schema (metadata kept non-recursive). */
const itemDocumentation = z.toJSONSchema(
  billingItemSchema({ defaultCountry: 'BR', today: '2026-01-01' }).extend({
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
  { io: 'input', unrepresentable: 'any' },
);
const { $schema: _dialect, ...itemShape } = itemDocumentation;

/**
 * Metadata nested beyond what free-form JSON may is refused with the whole request (a 400 naming
 * the item's field), before the service walks it: no batch carries that by mistake.
 */
const itemSchema = z
  .unknown()
  .superRefine((item, context) => {
    if (typeof item !== 'object' || item === null || !('metadata' in item) || !exceedsJsonDepth(item.metadata)) return;
    context.addIssue({ code: 'custom', path: ['metadata'], message: `must nest at most ${maxJsonDepth} levels deep` });
  })
  .meta(itemShape);

const itemsSchema = z
  .array(itemSchema)
  .max(maxBillingBatchItems, { message: `must hold at most ${maxBillingBatchItems} items — split the batch` })
  .describe('Up to 1000 billing items; each is validated on its own and reported in the result.');

const importBody = z.strictObject({
  items: itemsSchema,
  dryRun: z.boolean().default(false).describe('`true`: write nothing and return the full plan with its `planHash`.'),
});

const planParams = z.strictObject({ planHash: z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lower-case hex digits' }) });

const listCyclesQuery = pageQuerySchema.extend({
  status: billingCycleStatusSchema.optional(),
  contactId: idSchema.optional(),
});

const optOutBody = z.union([
  z.strictObject({ contactId: idSchema }),
  z.strictObject({ phone: z.string().min(1).max(64).describe('Created opted out when no contact has it yet.') }),
]);

/** The billing routes. */
export function billingRoutes(context: ServerContext): FastifyPluginCallbackZod {
  const { billing } = context.services;
  return (app, _options, done) => {
    app.post(
      '/billing/imports',
      {
        schema: {
          tags: ['billing'],
          summary: 'Import a batch of billing cycles, or dry-run it',
          body: importBody,
          response: { 200: billingImportResource, 201: billingImportResource, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { items, dryRun } = request.body;
        const result = await underField('body', () => billing.importBatch({ tenantId: tenantOf(request).id, items, dryRun }));
        return reply.code(dryRun ? 200 : 201).send(toBillingImportResource(result));
      },
    );

    app.post(
      '/billing/plans/:planHash/apply',
      {
        schema: {
          tags: ['billing'],
          summary: 'Write exactly the plan a dry run returned',
          description:
            'Send the same items as the dry run. When anything the plan depends on changed since, it is a 409 and nothing is written.',
          params: planParams,
          body: z.strictObject({ items: itemsSchema }),
          response: { 201: billingImportResource, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await underField('body', () =>
          billing.applyPlan({ tenantId: tenantOf(request).id, items: request.body.items, planHash: request.params.planHash }),
        );
        return reply.code(201).send(toBillingImportResource(result));
      },
    );

    app.get(
      '/billing/cycles',
      {
        schema: {
          tags: ['billing'],
          summary: 'List billing cycles',
          querystring: listCyclesQuery,
          response: { 200: pageSchema(billingCycleResource), ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit, status, contactId } = request.query;
        const page = await underField('query', () =>
          context.store.billingCycles.list(tenantOf(request).id, {
            limit,
            ...(cursor === undefined ? {} : { cursor }),
            ...(status === undefined ? {} : { status }),
            ...(contactId === undefined ? {} : { contactId }),
          }),
        );
        return { items: page.items.map(toBillingCycleResource), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/billing/cycles/:id',
      {
        schema: {
          tags: ['billing'],
          summary: 'Get a billing cycle',
          params: idParamsSchema,
          response: { 200: billingCycleResource, ...errorResponses },
        },
      },
      async (request) => {
        const cycle = await context.store.billingCycles.get(tenantOf(request).id, request.params.id);
        if (cycle === null) throw new NotFoundError('billing cycle', request.params.id);
        return toBillingCycleResource(cycle);
      },
    );

    app.post(
      '/billing/cycles/:id/pay',
      {
        schema: {
          tags: ['billing'],
          summary: 'Mark a cycle paid: its remaining reminders are cancelled',
          params: idParamsSchema,
          response: { 200: billingCycleResource, ...errorResponses },
        },
      },
      async (request) =>
        toBillingCycleResource(await billing.markPaid({ tenantId: tenantOf(request).id, billingCycleId: request.params.id })),
    );

    app.post(
      '/billing/cycles/:id/cancel',
      {
        schema: {
          tags: ['billing'],
          summary: 'Cancel an active cycle and its remaining reminders',
          params: idParamsSchema,
          response: { 200: billingCycleResource, ...errorResponses },
        },
      },
      async (request) =>
        toBillingCycleResource(await billing.cancel({ tenantId: tenantOf(request).id, billingCycleId: request.params.id })),
    );

    app.post(
      '/billing/contacts/opt-out',
      {
        schema: {
          tags: ['billing'],
          summary: 'Opt a contact out of billing messages, by id or by phone',
          body: optOutBody,
          response: {
            200: z.object({ id: z.string(), phone: z.string(), optedOut: z.boolean(), optedOutAt: z.date().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const contact = await underField('body', () => billing.optOutContact({ tenantId: tenantOf(request).id, ...request.body }));
        return { id: contact.id, phone: contact.phone.e164, optedOut: contact.optedOut, optedOutAt: contact.optedOutAt };
      },
    );
    done();
  };
}
