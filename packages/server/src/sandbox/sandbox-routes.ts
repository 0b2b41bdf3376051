/**
 * `/v1/sandbox/*`: what a newcomer uses to watch the system work offline — served only when the
 * sandbox adapters are active. Act as the lead writing on WhatsApp, see what the sandbox channel
 * "sent", the tenant's sandbox CRM board and calendar, and move the sandbox's virtual clock
 * forward to let the 30-minute follow-up fall due. Every route is a tenant route (API key), and
 * shows and drives only that tenant's own sandbox (its channel instances, calendars and board);
 * the clock is the one thing shared by every tenant of the server, so moving it takes the
 * operator key — or a tenant key when the server holds that one tenant only.
 */
import { randomUUID } from 'node:crypto';
import {
  AuthError,
  PhoneNumber,
  SdrError,
  ValidationError,
  fieldValueSchema,
  instantSchema,
  nameSchema,
  stageSchema,
  tenantIdProperty,
  type CalendarPort,
} from '@sdr/core';
import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { idempotencyOnSend, idempotencyPreHandler } from '../http/idempotency.js';
import { tenantOf } from '../http/request-context.js';
import { errorResponses } from '../http/schemas/common.js';
import type { SandboxClock } from './sandbox-clock.js';
import { maxSandboxAdvanceMs } from './sandbox-clock.js';
import type { SandboxCrm } from './sandbox-crm.js';
import { sandboxPipeline } from './sandbox-crm-pipeline.js';
import type { SandboxMessaging } from './sandbox-messaging.js';

/** One tenant's sandbox adapters. */
export interface TenantSandboxPorts {
  readonly messaging: SandboxMessaging;
  readonly calendar: CalendarPort;
  readonly crm: SandboxCrm;
}

/** The sandbox adapters the routes read and drive. */
export interface SandboxPorts {
  /** A tenant's own sandbox. */
  sandboxFor(tenantId: string): TenantSandboxPorts;
  readonly clock: SandboxClock;
}

/** Options of `createSandboxRoutes`. */
export interface SandboxRoutesOptions {
  readonly context: ServerContext;
  readonly sandbox: SandboxPorts;
}

const tags = ['sandbox'];
const dayMs = 24 * 3_600_000;
const maxAdvanceMinutes = maxSandboxAdvanceMs / 60_000;
const sharedClockNote =
  'The sandbox clock is shared by every tenant of this server (a sandbox-only server): moving it moves time for all of them, so it takes the operator key — or a tenant key while the server holds that one tenant only.';

const inboundBody = z.strictObject({
  from: z
    .string()
    .trim()
    .min(3)
    .max(40)
    .describe('The lead’s phone as people write it; national numbers use the tenant’s default country.'),
  text: z.string().trim().min(1).max(4096).describe('What the lead writes.'),
  name: nameSchema.optional().describe('The lead’s WhatsApp display name, given to a lead that has none.'),
});

const messagesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('How many, 1 to 500 (default 50).'),
  after: instantSchema.optional().describe('Only messages the channel accepted after this instant (ISO-8601), to poll for new ones.'),
});

const limitQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('How many leads, 1 to 500 (default 100).'),
});

const calendarQuery = z.strictObject({
  from: instantSchema.optional().describe('Start of the range (default: now on the sandbox clock).'),
  to: instantSchema.optional().describe('End of the range (default: 30 days after `from`; at most 366 days after it).'),
});

const advanceBody = z
  .strictObject({
    minutes: z.number().int().min(1).max(maxAdvanceMinutes).optional().describe('Minutes to move forward.'),
    ms: z.number().int().min(1).max(maxSandboxAdvanceMs).optional().describe('Milliseconds to move forward.'),
  })
  .refine((body) => (body.minutes === undefined) !== (body.ms === undefined), {
    message: 'give exactly one of minutes or ms',
    path: ['minutes'],
  });

const channelBody = z.strictObject({
  instance: z.string().min(1).max(100).optional().describe('The tenant’s channel instance (default: the one its settings name).'),
  status: z.enum(['up', 'down']),
  detail: z.string().trim().min(1).max(500).optional().describe('Why, shown by health checks.'),
});

const clockResource = z.object({
  now: z.date().describe('The sandbox time, ISO-8601 in UTC.'),
  offsetMs: z.number().int().describe('How far the sandbox clock runs ahead of real time, in milliseconds.'),
});

const sentMessageResource = z.object({
  providerMessageId: z.string(),
  scheduledMessageId: z.string().describe('The idempotency key of the send: the scheduled message the dispatcher sent.'),
  leadId: z.string().nullable(),
  kind: z.string().nullable().describe('The scheduled message’s kind (`reengage_1`, `reminder_24h`, …).'),
  instance: z.string(),
  to: z.string().describe('E.164.'),
  text: z.string(),
  media: z
    .object({ contentType: z.string(), url: z.string().optional(), fileName: z.string().optional(), size: z.number().optional() })
    .nullable(),
  acceptedAt: z.date(),
});

const boardLeadResource = z.object({
  leadId: z.string(),
  contactId: z.string().nullable(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  stage: z.object({ pipelineId: z.string(), statusId: z.string(), name: z.string().nullable() }),
  fields: z.record(z.string(), fieldValueSchema),
  tags: z.array(z.string()),
  notes: z.array(z.object({ noteId: z.string(), text: z.string(), idempotencyKey: z.string(), createdAt: z.date() })),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const calendarEventResource = z.object({
  eventId: z.string(),
  start: z.date(),
  end: z.date(),
  summary: z.string(),
  description: z.string().nullable(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']),
  privateProperties: z.record(z.string(), z.string()),
});

/** The sandbox routes, registered through `createHttpApp(context, { extraRoutes: [...] })`. */
export function createSandboxRoutes(options: SandboxRoutesOptions): FastifyPluginAsync {
  const { context, sandbox } = options;
  const { clock } = sandbox;
  const clockState = () => ({ now: clock.now(), offsetMs: clock.offsetMs });

  return (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    // The shared clock is moved by the operator, or by the only tenant of the server.
    const clockAuthentication: onRequestAsyncHookHandler = async function (request, reply) {
      if (/^Bearer\s+\S+\s*$/i.test(request.headers.authorization ?? '')) {
        const operator = await app.sdrAuth.operator.call(this, request, reply).then(
          () => true,
          () => false,
        );
        if (operator) return;
      }
      await app.sdrAuth.tenant.call(this, request, reply);
      const tenants = await context.store.tenants.list({ limit: 2 });
      if (tenants.items.length > 1) {
        throw new AuthError('the sandbox clock is shared by every tenant of this server: moving it needs the operator key');
      }
    };
    const tenantOnly: onRequestAsyncHookHandler = async function (request, reply) {
      await app.sdrAuth.tenant.call(this, request, reply);
    };
    app.addHook('onRequest', async function (request, reply) {
      if (request.routeOptions.url === '/v1/sandbox/clock/advance') await clockAuthentication.call(this, request, reply);
      else await tenantOnly.call(this, request, reply);
    });
    // Idempotency-Key as on every other POST of the API, scoped to the tenant of the key. The
    // operator's clock moves concern no tenant in particular: their keys are kept under the
    // oldest tenant (tenants are never deleted), in a namespace of their own.
    app.addHook(
      'preHandler',
      idempotencyPreHandler(context, async (request) => {
        if (request.caller?.kind === 'tenant') return request.caller.tenant.id;
        const [oldest] = (await context.store.tenants.list({ limit: 1 })).items;
        return oldest === undefined ? null : { tenantId: oldest.id, namespace: 'operator:sandbox-clock' };
      }),
    );
    app.addHook('onSend', idempotencyOnSend(context));

    app.post(
      '/v1/sandbox/inbound',
      {
        schema: {
          tags,
          summary: 'Act as the lead: write to the tenant on the sandbox WhatsApp',
          description:
            'Records the message as if the lead had sent it on WhatsApp, at the sandbox clock’s time: the lead is created when new, its silence ends and pending re-engagements are cancelled.',
          body: inboundBody,
          response: {
            201: z.object({ leadId: z.string(), messageId: z.string(), leadCreated: z.boolean(), receivedAt: z.date() }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const tenant = tenantOf(request);
        const from = PhoneNumber.parse(request.body.from, { defaultCountry: tenant.defaultCountry, field: 'body.from' });
        await clock.refresh();
        const result = await context.services.conversation.recordInbound({
          tenant,
          from,
          senderName: request.body.name,
          channel: 'whatsapp',
          providerMessageId: `sandbox-${randomUUID()}`,
          body: request.body.text,
          at: clock.now(),
        });
        if (result.outcome !== 'recorded') throw new SdrError(`the sandbox message was not recorded (${result.outcome})`);
        return reply.code(201).send({
          leadId: result.lead.id,
          messageId: result.message.id,
          leadCreated: result.leadCreated,
          receivedAt: result.message.createdAt,
        });
      },
    );

    app.get(
      '/v1/sandbox/messages',
      {
        schema: {
          tags,
          summary: 'What the sandbox channel sent for this tenant, newest first',
          querystring: messagesQuery,
          response: { 200: z.object({ items: z.array(sentMessageResource) }), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const { limit, after } = request.query;
        const sent = await sandbox
          .sandboxFor(tenant.id)
          .messaging.list({ tenantId: tenant.id, limit, ...(after === undefined ? {} : { after }) });
        return {
          items: sent.map(({ idempotencyKey, ...message }) => ({ ...message, scheduledMessageId: idempotencyKey })),
        };
      },
    );

    app.get(
      '/v1/sandbox/crm',
      {
        schema: {
          tags,
          summary: 'This tenant’s sandbox CRM board',
          description: 'The leads of the tenant’s own sandbox CRM account, most recently changed first, with their notes (newest first).',
          querystring: limitQuery,
          response: {
            200: z.object({
              account: z.string(),
              pipeline: z.object({
                pipelineId: z.string(),
                name: z.string(),
                statuses: z.array(z.object({ statusId: z.string(), name: z.string() })),
              }),
              stages: z.array(stageSchema).describe('The domain stages, which are the pipeline’s status ids.'),
              leads: z.array(boardLeadResource),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { crm } = sandbox.sandboxFor(tenantOf(request).id);
        return {
          account: crm.account,
          pipeline: { ...sandboxPipeline, statuses: [...sandboxPipeline.statuses] },
          stages: stageSchema.options,
          leads: (await crm.board({ limit: request.query.limit })).map((lead) => ({
            ...lead,
            tags: [...lead.tags],
            notes: [...lead.notes],
          })),
        };
      },
    );

    app.get(
      '/v1/sandbox/calendar',
      {
        schema: {
          tags,
          summary: 'This tenant’s events on the sandbox calendar',
          description:
            'Live events of the calendar the tenant books into (`booking.calendarId`) that belong to this tenant, in time order.',
          querystring: calendarQuery,
          response: {
            200: z.object({ calendarId: z.string(), from: z.date(), to: z.date(), events: z.array(calendarEventResource) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const from = request.query.from ?? clock.now();
        const to = request.query.to ?? new Date(from.getTime() + 30 * dayMs);
        if (to.getTime() <= from.getTime()) throw ValidationError.forField('query.to', 'must be after from');
        if (to.getTime() - from.getTime() > 366 * dayMs) throw ValidationError.forField('query.to', 'must be at most 366 days after from');
        const calendarId = tenant.booking.calendarId;
        const events = await sandbox.sandboxFor(tenant.id).calendar.listEvents({ calendarId, timeMin: from, timeMax: to });
        return {
          calendarId,
          from,
          to,
          // The tenant's own sandbox calendar; events written there by others (an import) stay out too.
          events: events
            .filter((event) => event.privateProperties[tenantIdProperty] === tenant.id)
            .map(({ calendarId: _calendarId, conferenceUrl: _conferenceUrl, ...event }) => event),
        };
      },
    );

    app.get(
      '/v1/sandbox/clock',
      {
        schema: { tags, summary: 'The sandbox clock', description: sharedClockNote, response: { 200: clockResource, ...errorResponses } },
      },
      async () => {
        await clock.refresh();
        return clockState();
      },
    );

    app.post(
      '/v1/sandbox/clock/advance',
      {
        schema: {
          tags,
          summary: 'Move the sandbox clock forward',
          description: `Moves the sandbox time forward by \`minutes\` or \`ms\` (exactly one; at most 400 days): a follow-up due in 30 minutes falls due after \`{ "minutes": 30 }\`, and the worker sends it on its next pass. ${sharedClockNote}`,
          body: advanceBody,
          response: { 200: clockResource, ...errorResponses },
        },
      },
      async (request) => {
        const { minutes, ms } = request.body;
        await clock.advance(ms ?? (minutes ?? 0) * 60_000);
        return clockState();
      },
    );

    app.post(
      '/v1/sandbox/channel',
      {
        schema: {
          tags,
          summary: 'Mark the tenant’s sandbox WhatsApp instance up or down',
          description:
            'A down instance cannot send: the dispatcher holds the tenant’s messages until it is up again. The instance is the tenant’s own: another tenant using the same name is not affected.',
          body: channelBody,
          response: {
            200: z.object({
              instance: z.string(),
              status: z.enum(['up', 'degraded', 'down']),
              detail: z.string().optional(),
              checkedAt: z.date(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const tenant = tenantOf(request);
        const instance = request.body.instance ?? tenant.messaging.instance;
        if (instance !== tenant.messaging.instance) {
          throw ValidationError.forField('body.instance', `must be this tenant’s instance (${tenant.messaging.instance})`);
        }
        const { messaging } = sandbox.sandboxFor(tenant.id);
        await messaging.setInstanceHealth(instance, request.body.status, request.body.detail);
        return { instance, ...(await messaging.health({ instance })) };
      },
    );
    return Promise.resolve();
  };
}
