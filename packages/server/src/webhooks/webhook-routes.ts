/**
 * `/v1/webhook-endpoints` and `/v1/webhook-deliveries`: a tenant's endpoints (the signing secret
 * is shown when created and when rotated, never listed) and their deliveries with the attempts.
 */
import { idSchema } from '@sdr/core';
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { tenantScopedRoutes } from '../http/idempotency.js';
import { tenantOf } from '../http/request-context.js';
import { errorResponses, idParamsSchema, listSchema } from '../http/schemas/common.js';
import { webhookEventTypes } from './webhook-events.js';
import { assertWebhookUrl, type WebhookService } from './webhook-service.js';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook-sql.js';

const eventsSchema = z.array(z.enum(webhookEventTypes)).min(1).max(webhookEventTypes.length).describe('The event types to receive.');
const urlSchema = z.string().min(1).max(2000).describe('Where deliveries are POSTed (http or https).');
const descriptionSchema = z.string().max(500);

const endpointResource = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const endpointWithSecret = endpointResource.extend({ secret: z.string().describe('The signing secret (`whsec_…`): shown only now.') });

const deliveryResource = z.object({
  id: z.string().describe('Also the `webhook-id` header: receivers deduplicate on it.'),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivering', 'delivered', 'failed', 'held']),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});
const attemptResource = z.object({
  attemptedAt: z.string(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  error: z.string().nullable(),
  responseSnippet: z.string().nullable(),
});

function toEndpointResource(endpoint: WebhookEndpoint): z.infer<typeof endpointResource> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: [...endpoint.events],
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

function toDeliveryResource(delivery: WebhookDelivery): z.infer<typeof deliveryResource> {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt.toISOString(),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    payload: { ...delivery.payload },
  };
}

const toAttemptResource = (attempt: WebhookAttempt) => ({ ...attempt, attemptedAt: attempt.attemptedAt.toISOString() });

/** A response that shows a secret is stored for `Idempotency-Key` replays without it. */
const withoutSecret = (body: unknown) => (typeof body === 'object' && body !== null ? { ...body, secret: null } : body);

function routes(webhooks: WebhookService): FastifyPluginCallbackZod {
  return (app, _options, done) => {
    const tags = ['webhooks'];
    app.post(
      '/webhook-endpoints',
      {
        config: { replayBody: withoutSecret },
        schema: {
          tags,
          summary: 'Subscribe an endpoint to events; the answer shows its signing secret once',
          body: z.strictObject({ url: urlSchema, events: eventsSchema, description: descriptionSchema.optional() }),
          response: { 201: endpointWithSecret, ...errorResponses },
        },
      },
      async (request, reply) => {
        assertWebhookUrl(request.body.url);
        const endpoint = await webhooks.createEndpoint(tenantOf(request).id, request.body);
        return reply.code(201).send({ ...toEndpointResource(endpoint), secret: endpoint.secret });
      },
    );
    app.get(
      '/webhook-endpoints',
      { schema: { tags, summary: 'The tenant’s webhook endpoints', response: { 200: listSchema(endpointResource), ...errorResponses } } },
      async (request) => ({ items: (await webhooks.listEndpoints(tenantOf(request).id)).map(toEndpointResource) }),
    );
    app.get(
      '/webhook-endpoints/:id',
      { schema: { tags, summary: 'One webhook endpoint', params: idParamsSchema, response: { 200: endpointResource, ...errorResponses } } },
      async (request) => toEndpointResource(await webhooks.getEndpoint(tenantOf(request).id, request.params.id)),
    );
    app.patch(
      '/webhook-endpoints/:id',
      {
        schema: {
          tags,
          summary: 'Change an endpoint’s URL, events or description, or disable / enable it',
          params: idParamsSchema,
          body: z.strictObject({
            url: urlSchema.optional(),
            events: eventsSchema.optional(),
            description: descriptionSchema.nullable().optional(),
            enabled: z.boolean().optional().describe('`false` holds its deliveries for replay; `true` delivers again.'),
          }),
          response: { 200: endpointResource, ...errorResponses },
        },
      },
      async (request) => {
        if (request.body.url !== undefined) assertWebhookUrl(request.body.url);
        return toEndpointResource(await webhooks.updateEndpoint(tenantOf(request).id, request.params.id, request.body));
      },
    );
    app.delete(
      '/webhook-endpoints/:id',
      {
        schema: {
          tags,
          summary: 'Delete an endpoint and its deliveries',
          params: idParamsSchema,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await webhooks.deleteEndpoint(tenantOf(request).id, request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/webhook-endpoints/:id/rotate-secret',
      {
        config: { replayBody: withoutSecret },
        schema: {
          tags,
          summary: 'A new signing secret; the previous one still signs for 24 hours',
          params: idParamsSchema,
          response: { 200: endpointWithSecret, ...errorResponses },
        },
      },
      async (request) => {
        const endpoint = await webhooks.rotateSecret(tenantOf(request).id, request.params.id);
        return { ...toEndpointResource(endpoint), secret: endpoint.secret };
      },
    );
    app.post(
      '/webhook-endpoints/:id/test',
      {
        schema: {
          tags,
          summary: 'Queue a `ping` to the endpoint',
          params: idParamsSchema,
          response: { 202: deliveryResource, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(202).send(toDeliveryResource(await webhooks.ping(tenantOf(request).id, request.params.id))),
    );
    app.get(
      '/webhook-deliveries',
      {
        schema: {
          tags,
          summary: 'The tenant’s deliveries, newest first',
          querystring: z.strictObject({
            endpointId: idSchema.optional(),
            status: deliveryResource.shape.status.optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
          }),
          response: { 200: listSchema(deliveryResource), ...errorResponses },
        },
      },
      async (request) => ({ items: (await webhooks.listDeliveries(tenantOf(request).id, request.query)).map(toDeliveryResource) }),
    );
    app.get(
      '/webhook-deliveries/:id',
      {
        schema: {
          tags,
          summary: 'One delivery and every attempt made',
          params: idParamsSchema,
          response: { 200: deliveryResource.extend({ attemptLog: z.array(attemptResource) }), ...errorResponses },
        },
      },
      async (request) => {
        const { delivery, attempts } = await webhooks.deliveryWithAttempts(tenantOf(request).id, request.params.id);
        return { ...toDeliveryResource(delivery), attemptLog: attempts.map(toAttemptResource) };
      },
    );
    app.post(
      '/webhook-deliveries/:id/retry',
      {
        schema: {
          tags,
          summary: 'Deliver again now (a failed delivery, or one held while its endpoint was disabled)',
          params: idParamsSchema,
          response: { 202: deliveryResource, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.code(202).send(toDeliveryResource(await webhooks.retryDelivery(tenantOf(request).id, request.params.id))),
    );
    done();
  };
}

/** The webhook routes under `/v1`, as tenant routes (a tenant API key; `Idempotency-Key` on POSTs). */
export function createWebhookRoutes(context: ServerContext, webhooks: WebhookService): FastifyPluginAsync {
  return tenantScopedRoutes(context, routes(webhooks));
}
