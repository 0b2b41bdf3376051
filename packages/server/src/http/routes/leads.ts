/** `/v1/leads`: create (by phone), read, list and update leads. */
import { NotFoundError, PhoneNumber, leadFieldsSchema, nameSchema, stageSchema, tagSchema, type Lead } from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { tenantOf } from '../request-context.js';
import { errorResponses, idParamsSchema, pageQuerySchema, pageSchema } from '../schemas/common.js';
import { leadResource, toLeadResource } from '../schemas/resources.js';
import { underField } from '../validation.js';

const createLeadBody = z.strictObject({
  phone: z
    .string()
    .min(1)
    .max(64)
    .describe('The phone as people write it; national numbers use the tenant’s default country. Stored in E.164.'),
  name: nameSchema.optional(),
});

const updateLeadBody = z
  .strictObject({
    name: nameSchema.optional(),
    fields: leadFieldsSchema.optional().describe('Qualification fields to set (`null` clears one); fields not named are kept.'),
    tags: z
      .strictObject({
        add: z.array(tagSchema).max(100).optional(),
        remove: z.array(tagSchema).max(100).optional(),
      })
      .optional()
      .describe('Tags to add and to remove; the others are kept.'),
  })
  .refine((body) => body.name !== undefined || body.fields !== undefined || body.tags !== undefined, {
    message: 'must change at least one of name, fields and tags',
  });

const listLeadsQuery = pageQuerySchema.extend({ stage: stageSchema.optional().describe('Only leads in this stage.') });

/** The tenant's lead, or `NotFoundError` (also for another tenant's id: nothing tells them apart). */
export async function loadLead(context: ServerContext, tenantId: string, leadId: string): Promise<Lead> {
  const lead = await context.store.leads.get(tenantId, leadId);
  if (lead === null) throw new NotFoundError('lead', leadId);
  return lead;
}

/** The lead routes. */
export function leadRoutes(context: ServerContext): FastifyPluginCallbackZod {
  return (app, _options, done) => {
    app.post(
      '/leads',
      {
        schema: {
          tags: ['leads'],
          summary: 'Create a lead, or find the one with this phone',
          description:
            'Creates the lead of a phone number (201), or returns the existing one (200): a phone identifies one lead per tenant, the Brazilian 9th digit included.',
          body: createLeadBody,
          response: { 200: leadResource, 201: leadResource, ...errorResponses },
        },
      },
      async (request, reply) => {
        const tenant = tenantOf(request);
        const phone = PhoneNumber.parse(request.body.phone, { defaultCountry: tenant.defaultCountry, field: 'body.phone' });
        const found = await context.services.conversation.findOrCreateLead({ tenant, from: phone, name: request.body.name });
        return reply.code(found.created ? 201 : 200).send(toLeadResource(found.lead));
      },
    );

    app.get(
      '/leads',
      {
        schema: {
          tags: ['leads'],
          summary: 'List leads, newest first',
          querystring: listLeadsQuery,
          response: { 200: pageSchema(leadResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const { cursor, limit, stage } = request.query;
        const page = await underField('query', () =>
          context.store.leads.list(tenant.id, {
            limit,
            ...(cursor === undefined ? {} : { cursor }),
            ...(stage === undefined ? {} : { stage }),
          }),
        );
        return { items: page.items.map(toLeadResource), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/leads/:id',
      {
        schema: { tags: ['leads'], summary: 'Get a lead', params: idParamsSchema, response: { 200: leadResource, ...errorResponses } },
      },
      async (request) => toLeadResource(await loadLead(context, tenantOf(request).id, request.params.id)),
    );

    app.patch(
      '/leads/:id',
      {
        schema: {
          tags: ['leads'],
          summary: 'Rename a lead, set its fields, add and remove tags — all at once or nothing',
          params: idParamsSchema,
          body: updateLeadBody,
          response: { 200: leadResource, ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const lead = await underField('body', () =>
          context.services.conversation.updateLead({
            tenant,
            leadId: request.params.id,
            name: request.body.name,
            fields: request.body.fields,
            tags: request.body.tags,
          }),
        );
        return toLeadResource(lead);
      },
    );
    done();
  };
}
