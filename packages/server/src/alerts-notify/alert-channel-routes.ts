/**
 * `/v1/alert-channels`: a tenant's alert channels (Slack, Telegram, a signed webhook, e-mail).
 * Secret settings are accepted, sealed and never shown again (`[redacted]`); a configuration the
 * server cannot use is a 422 naming each field.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { tenantScopedRoutes } from '../http/idempotency.js';
import { tenantOf } from '../http/request-context.js';
import { errorResponses, idParamsSchema, listSchema } from '../http/schemas/common.js';
import { alertChannelTypes } from './alert-channel-config.js';
import type { AlertChannelService } from './alert-channel-service.js';

const eventsSchema = z
  .array(z.enum(['raised', 'resolved']))
  .min(1)
  .max(2)
  .describe('The transitions to be told about (default both).');
const descriptionSchema = z.string().max(500);
const configSchema = z
  .record(z.string(), z.unknown())
  .describe(
    'Per type — slack: `webhookUrl`; telegram: `botToken`, `chatId`; webhook: `url`, `secret` (`whsec_…`); email: `host`, `port`, ' +
      '`security` (`tls` | `starttls` | `none`), `user`?, `password`?, `from`, `to` (addresses). Secret fields are answered as `[redacted]`.',
  );

const channelResource = z.object({
  id: z.string(),
  type: z.enum(alertChannelTypes),
  description: z.string().nullable(),
  events: z.array(z.enum(['raised', 'resolved'])),
  config: z.record(z.string(), z.unknown()).describe('The settings; each secret one that is set shows as `[redacted]`.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const testResult = z.object({
  delivered: z.boolean(),
  error: z.string().nullable().describe('Why the channel did not take the test notification (never a secret).'),
});

function routes(channels: AlertChannelService): FastifyPluginCallbackZod {
  return (app, _options, done) => {
    const tags = ['alert-channels'];
    app.post(
      '/alert-channels',
      {
        schema: {
          tags,
          summary: 'Add a channel the tenant’s alerts are sent to when raised and resolved',
          body: z.strictObject({
            type: z.enum(alertChannelTypes),
            config: configSchema,
            events: eventsSchema.optional(),
            description: descriptionSchema.optional(),
          }),
          response: { 201: channelResource, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await channels.create(tenantOf(request).id, request.body)),
    );
    app.get(
      '/alert-channels',
      { schema: { tags, summary: 'The tenant’s alert channels', response: { 200: listSchema(channelResource), ...errorResponses } } },
      async (request) => ({ items: await channels.list(tenantOf(request).id) }),
    );
    app.get(
      '/alert-channels/:id',
      { schema: { tags, summary: 'One alert channel', params: idParamsSchema, response: { 200: channelResource, ...errorResponses } } },
      async (request) => channels.get(tenantOf(request).id, request.params.id),
    );
    app.patch(
      '/alert-channels/:id',
      {
        schema: {
          tags,
          summary: 'Change a channel’s settings (the fields given; `null` removes one), transitions or description',
          params: idParamsSchema,
          body: z.strictObject({
            config: configSchema.optional(),
            events: eventsSchema.optional(),
            description: descriptionSchema.nullable().optional(),
          }),
          response: { 200: channelResource, ...errorResponses },
        },
      },
      async (request) => channels.update(tenantOf(request).id, request.params.id, request.body),
    );
    app.delete(
      '/alert-channels/:id',
      {
        schema: { tags, summary: 'Remove an alert channel', params: idParamsSchema, response: { 204: z.null(), ...errorResponses } },
      },
      async (request, reply) => {
        await channels.remove(tenantOf(request).id, request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/alert-channels/:id/test',
      {
        schema: {
          tags,
          summary: 'Send a test alert through the channel now, and say whether it was taken',
          params: idParamsSchema,
          response: { 200: testResult, ...errorResponses },
        },
      },
      async (request) => channels.test(tenantOf(request).id, request.params.id),
    );
    done();
  };
}

/** The alert channel routes under `/v1`, as tenant routes (a tenant API key; `Idempotency-Key` on POSTs). */
export function createAlertChannelRoutes(context: ServerContext, channels: AlertChannelService): FastifyPluginAsync {
  return tenantScopedRoutes(context, routes(channels));
}
