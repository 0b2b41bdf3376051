/**
 * `createHttpApp`: the REST API on Fastify 5. Routes only translate between HTTP and the core
 * services of the `ServerContext`; validation, serialization and the OpenAPI document all come
 * from the routes' zod schemas.
 *
 * Per request, in order: a request id (the caller's `x-request-id` or a new one, echoed back);
 * authentication and the per-key rate limit (`onRequest`, before the body is even read); the body
 * (JSON only, within `bodyLimitBytes`); zod validation; the `Idempotency-Key` check of POSTs; the
 * route. Every failure becomes a problem document (`problem.ts`).
 */
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { maskPersonalData } from '@sdr/core';
import type { ServerContext } from '../context.js';
import { operatorAuthentication, tenantAuthentication } from './auth/authenticate.js';
import { idempotencyOnSend, idempotencyPreHandler, releaseIdempotency } from './idempotency.js';
import { repairSchemaReferences } from './openapi-refs.js';
import { pathOf, requestIdOf } from './logging.js';
import { problemContentType, problemFor, problem } from './problem.js';
import { bindLog, tenantOf } from './request-context.js';
import { alertAndTemplateRoutes } from './routes/alerts-and-templates.js';
import { appointmentRoutes } from './routes/appointments.js';
import { billingRoutes } from './routes/billing.js';
import { leadConversationRoutes } from './routes/lead-conversation.js';
import { leadRoutes } from './routes/leads.js';
import { scheduledMessageRoutes } from './routes/scheduled-messages.js';
import { operatorIdempotencyScope, tenantRoutes } from './routes/tenants.js';
import { validatorCompiler } from './validation.js';

/** Options of `createHttpApp`. */
export interface HttpAppOptions {
  /**
   * More routes (the runtime's sandbox and observability routes), registered at the root after the
   * API. They are not authenticated unless they add the hooks of `app.sdrAuth` themselves.
   */
  readonly extraRoutes?: readonly FastifyPluginAsync[];
  /** The pino logger to log through (give it `httpLogRedactPaths`); default: no logging. */
  readonly loggerInstance?: FastifyBaseLogger;
}

/** The authentication hooks, for extra routes that serve tenants or the operator. */
export interface SdrAuthHooks {
  readonly tenant: ReturnType<typeof tenantAuthentication>;
  readonly operator: ReturnType<typeof operatorAuthentication>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `app.addHook('onRequest', app.sdrAuth.tenant)` makes a plugin's routes tenant routes (`tenantOf(request)`). */
    sdrAuth: SdrAuthHooks;
  }
}

/** The version of the REST API, as the OpenAPI document states it. */
export const apiVersion = '1.0.0';

/** Builds the app: every route registered and the document generated; call `listen` to serve it. */
export async function createHttpApp(context: ServerContext, options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance === undefined ? { logger: false } : { loggerInstance: options.loggerInstance }),
    // Fastify's own request lines would log URLs with query strings: the app logs its own (below).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: context.http.bodyLimitBytes,
    genReqId: requestIdOf,
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: any other body is a 415, not a string the schemas would reject field by field.
  app.removeContentTypeParser(['text/plain']);
  app.decorateRequest('caller', null);
  app.decorateRequest('idempotency', null);
  app.decorate('sdrAuth', { tenant: tenantAuthentication(context), operator: operatorAuthentication(context) });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    await releaseIdempotency(context, request);
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        path: pathOf(request.url),
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });

  app.setErrorHandler(async (error, request, reply) => {
    const origin = { instance: pathOf(request.url), requestId: request.id };
    const response = problemFor(error, origin);
    if (response.problem.status >= 500) {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      request.log.error({ error: { name, message: maskPersonalData(message), stack: maskPersonalData(stack ?? '') } }, 'request failed');
    }
    return reply.code(response.problem.status).headers(response.headers).type(problemContentType).send(response.problem);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const body = problem(
      { instance: pathOf(request.url), requestId: request.id },
      { status: 404, code: 'route_not_found', detail: `no route ${request.method} ${pathOf(request.url)}` },
    );
    return reply.code(404).type(problemContentType).send(body);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '@sdr/server REST API',
        version: apiVersion,
        description:
          'Leads, conversations, appointments, billing cycles and follow-ups of one tenant per API key. Errors are RFC 9457 problem documents; POSTs honour `Idempotency-Key`.',
      },
      servers: [{ url: context.http.publicBaseUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key, `sdr_<prefix>_<secret>`.' },
          operatorKey: { type: 'http', scheme: 'bearer', description: 'The operator key: manages tenants.' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => repairSchemaReferences(jsonSchemaTransformObject(input)),
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(
    async (api) => {
      api.addHook('onRequest', app.sdrAuth.tenant);
      api.addHook('preHandler', async (request, reply) => {
        const params = request.params as { readonly id?: unknown };
        if (typeof params.id === 'string' && request.routeOptions.url?.startsWith('/v1/leads/:id') === true) {
          bindLog(request, reply, { leadId: params.id });
        }
      });
      api.addHook(
        'preHandler',
        idempotencyPreHandler(context, (request) => tenantOf(request).id),
      );
      api.addHook('onSend', idempotencyOnSend(context));
      for (const routes of [
        leadRoutes,
        leadConversationRoutes,
        appointmentRoutes,
        billingRoutes,
        scheduledMessageRoutes,
        alertAndTemplateRoutes,
      ]) {
        await api.register(routes(context));
      }
    },
    { prefix: '/v1' },
  );
  await app.register(
    async (operator) => {
      operator.addHook('onRequest', app.sdrAuth.operator);
      operator.addHook('preHandler', idempotencyPreHandler(context, operatorIdempotencyScope));
      operator.addHook('onSend', idempotencyOnSend(context));
      await operator.register(tenantRoutes(context));
    },
    { prefix: '/v1' },
  );
  for (const routes of options.extraRoutes ?? []) await app.register(routes);
  await app.ready();
  return app;
}
