/**
 * A lead's conversation and lifecycle: messages in and out, the stage an operator sets,
 * handoff and resume, opt-out, and the messages scheduled for it.
 */
import { SdrError, channelSchema, maxMessageLength, mediaRefSchema, nameSchema, scheduledStatusSchema, stageSchema } from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { tenantOf } from '../request-context.js';
import { errorResponses, idParamsSchema, listSchema, pageQuerySchema, pageSchema } from '../schemas/common.js';
import {
  leadResource,
  messageResource,
  scheduledMessageResource,
  toLeadResource,
  toMessageResource,
  toScheduledMessageResource,
} from '../schemas/resources.js';
import { loadLead } from './leads.js';
import { pageOfMessages } from './message-page.js';

const messageFields = {
  body: z.string().max(maxMessageLength).describe('The text of the message.'),
  channel: channelSchema.default('whatsapp'),
  media: z.array(mediaRefSchema).max(20).optional(),
};

const postMessageBody = z.discriminatedUnion('direction', [
  z
    .strictObject({
      direction: z.literal('inbound'),
      ...messageFields,
      providerMessageId: z
        .string()
        .min(1)
        .max(200)
        .nullable()
        .default(null)
        .describe('The channel’s message id: a message already recorded with it is not recorded again.'),
      senderName: nameSchema.optional().describe('The sender’s display name, given to a lead that has none.'),
    })
    .describe('What the lead wrote: it ends the lead’s silence and cancels pending re-engagements.'),
  z
    .strictObject({
      direction: z.literal('outbound'),
      ...messageFields,
      providerMessageId: z.string().min(1).max(200).nullable().default(null).describe('The channel’s id of the sent message.'),
    })
    .describe('What the app’s own agent sent: it starts a silence (re-engagement #1 after 30 minutes by default).'),
]);

const recordedMessage = z.object({
  outcome: z.enum(['recorded', 'duplicate']).describe('`duplicate`: the provider message id was already recorded; nothing changed.'),
  message: messageResource,
});

const handoffBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).describe('Why, shown in the handoff note.'),
  requestedBy: z.enum(['agent', 'lead', 'operator']).default('operator'),
  nextStep: z.string().trim().max(500).optional().describe('What the person should do next; suggested when absent.'),
});

/** The conversation and lifecycle routes of a lead. */
export function leadConversationRoutes(context: ServerContext): FastifyPluginCallbackZod {
  const { conversation, followUp, handoff } = context.services;
  return (app, _options, done) => {
    app.post(
      '/leads/:id/messages',
      {
        schema: {
          tags: ['conversation'],
          summary: 'Record a message the lead sent (inbound) or the app’s agent sent (outbound)',
          params: idParamsSchema,
          body: postMessageBody,
          response: { 200: recordedMessage, 201: recordedMessage, ...errorResponses },
        },
      },
      async (request, reply) => {
        const tenant = tenantOf(request);
        const lead = await loadLead(context, tenant.id, request.params.id);
        const body = request.body;
        const media = body.media ?? [];
        if (body.direction === 'inbound') {
          const result = await conversation.recordInbound({
            tenant,
            from: lead.phone,
            senderName: body.senderName,
            channel: body.channel,
            providerMessageId: body.providerMessageId,
            body: body.body,
            media,
          });
          if (result.outcome === 'echo') throw new SdrError('an inbound message was taken for an echo of our own');
          return reply
            .code(result.outcome === 'recorded' ? 201 : 200)
            .send({ outcome: result.outcome, message: toMessageResource(result.message) });
        }
        const result = await conversation.recordOutbound({
          tenant,
          leadId: lead.id,
          body: body.body,
          channel: body.channel,
          media,
          providerMessageId: body.providerMessageId,
        });
        return reply
          .code(result.created ? 201 : 200)
          .send({ outcome: result.created ? 'recorded' : 'duplicate', message: toMessageResource(result.message) });
      },
    );

    app.get(
      '/leads/:id/messages',
      {
        schema: {
          tags: ['conversation'],
          summary: 'A lead’s messages: the newest page first, each page in chronological order',
          params: idParamsSchema,
          querystring: pageQuerySchema,
          response: { 200: pageSchema(messageResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const lead = await loadLead(context, tenant.id, request.params.id);
        const page = await pageOfMessages(context.store.messages, {
          tenantId: tenant.id,
          leadId: lead.id,
          limit: request.query.limit,
          cursor: request.query.cursor,
        });
        return { items: page.items.map(toMessageResource), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/leads/:id/stage',
      {
        schema: {
          tags: ['leads'],
          summary: 'Set the lead’s stage as an operator',
          description:
            'Written to the CRM. `won` and `lost` stop automation; `human_handoff` pauses it (use `/handoff` to also write a note).',
          params: idParamsSchema,
          body: z.strictObject({ stage: stageSchema }),
          response: { 200: leadResource, ...errorResponses },
        },
      },
      async (request) => {
        const result = await followUp.handle({
          tenant: tenantOf(request),
          leadId: request.params.id,
          event: { type: 'operator_stage_changed', to: request.body.stage },
        });
        return toLeadResource(result.lead);
      },
    );

    app.post(
      '/leads/:id/handoff',
      {
        schema: {
          tags: ['leads'],
          summary: 'Hand the lead over to a person',
          description:
            'Pauses automation, cancels pending re-engagements, moves the stage to `human_handoff` and writes a handoff note to the CRM — once.',
          params: idParamsSchema,
          body: handoffBody,
          response: {
            200: z.object({
              lead: leadResource,
              alreadyHandedOff: z.boolean(),
              note: z
                .object({ key: z.string(), text: z.string() })
                .nullable()
                .describe('The note written; `null` when already handed off.'),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const result = await handoff.requestHandoff({
          tenant: tenantOf(request),
          leadId: request.params.id,
          reason: request.body.reason,
          requestedBy: request.body.requestedBy,
          nextStep: request.body.nextStep ?? null,
        });
        return {
          lead: toLeadResource(result.lead),
          alreadyHandedOff: result.alreadyHandedOff,
          note: result.note === null ? null : { key: result.note.key, text: result.note.text },
        };
      },
    );

    app.post(
      '/leads/:id/resume',
      {
        schema: {
          tags: ['leads'],
          summary: 'Give a handed-off lead back to automation',
          params: idParamsSchema,
          response: { 200: z.object({ lead: leadResource, resumed: z.boolean() }), ...errorResponses },
        },
      },
      async (request) => {
        const result = await handoff.resume({ tenant: tenantOf(request), leadId: request.params.id });
        return { lead: toLeadResource(result.lead), resumed: result.resumed };
      },
    );

    app.post(
      '/leads/:id/opt-out',
      {
        schema: {
          tags: ['leads'],
          summary: 'The lead opted out: nothing more is sent to it',
          params: idParamsSchema,
          response: { 200: leadResource, ...errorResponses },
        },
      },
      async (request) => toLeadResource(await conversation.optOut({ tenant: tenantOf(request), leadId: request.params.id })),
    );

    app.get(
      '/leads/:id/scheduled-messages',
      {
        schema: {
          tags: ['scheduled messages'],
          summary: 'The follow-ups and reminders of a lead, by due time',
          params: idParamsSchema,
          querystring: z.strictObject({ status: scheduledStatusSchema.optional().describe('Only messages in this status.') }),
          response: { 200: listSchema(scheduledMessageResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const lead = await loadLead(context, tenant.id, request.params.id);
        const { status } = request.query;
        const rows = await context.store.scheduledMessages.list({
          tenantId: tenant.id,
          leadId: lead.id,
          ...(status === undefined ? {} : { statuses: [status] }),
        });
        return { items: rows.map(toScheduledMessageResource) };
      },
    );
    done();
  };
}
