/**
 * `/v1/integrations`: a tenant's integrations (tenant key). `PUT /v1/integrations/{kind}` with
 * `{ "provider", "config" }` configures one kind, `GET` reads one or all (secrets redacted,
 * last health), `POST …/check` runs the health check now, `DELETE` returns the kind to its
 * default (the tenant's sandbox). Secrets are write-only: no answer ever carries one.
 */
import { pluginKinds } from '@sdr/core';
import type { FastifyPluginAsync, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantOf } from '../http/request-context.js';
import { errorResponses, problemSchema } from '../http/schemas/common.js';
import type { IntegrationService } from './integration-service.js';
import type { OAuthService } from './oauth-service.js';
import { documentedIntegrationBody, integrationBody } from './integration-schemas.js';
import type { PluginRegistry } from './port-resolver.js';

const tags = ['integrations'];

const kindParams = z.strictObject({ kind: z.enum(pluginKinds).describe('The kind of integration.') });

const healthResource = z
  .object({ status: z.enum(['up', 'degraded', 'down']), detail: z.string().optional(), checkedAt: z.date() })
  .nullable()
  .describe('The last health check (`null`: never checked).');

const integrationResource = z.object({
  kind: z.enum(pluginKinds),
  provider: z.string(),
  configured: z.boolean().describe('`false`: the kind runs on its default, the tenant’s sandbox.'),
  config: z.unknown().describe('The configuration, every secret replaced by `[redacted]`.'),
  version: z.number().int(),
  updatedAt: z.date().nullable(),
  health: healthResource,
});

const responses = { 200: integrationResource, 422: problemSchema, ...errorResponses };

const oauthStartResource = z.object({
  provider: z.string(),
  url: z.string().describe('The provider’s authorization page: send the person who connects the account there.'),
  state: z.string().describe('Signed and expiring; the provider passes it back to the callback, where it is accepted once.'),
  redirectUri: z.string().describe('`<SDR_PUBLIC_BASE_URL>/oauth/{provider}/callback`: register it with the provider.'),
  expiresAt: z.date(),
});

const oauthStartResponses = { 200: oauthStartResource, 422: problemSchema, ...errorResponses };

/** The routes, registered through `createHttpApp(context, { extraRoutes: [...] })`. */
export function createIntegrationRoutes(options: {
  readonly integrations: IntegrationService;
  readonly oauth: OAuthService;
  /** The plugins the server has: their configuration schemas are documented. */
  readonly plugins: PluginRegistry;
}): FastifyPluginAsync {
  const { integrations, oauth } = options;
  const putBody = documentedIntegrationBody(options.plugins);
  // The body is checked leniently here and fully by the service (422 naming each field); see integration-schemas.ts.
  const lenientBody: FastifySchemaCompiler<unknown> = (route) =>
    // The schemas of these routes are zod's (the app's type provider); only the body's is replaced.
    validatorCompiler({ ...route, schema: route.httpPart === 'body' ? integrationBody : (route.schema as z.ZodType) });
  return (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', app.sdrAuth.tenant);

    app.get(
      '/v1/integrations',
      {
        schema: {
          tags,
          summary: 'The tenant’s integrations, one per kind',
          response: { 200: z.object({ items: z.array(integrationResource) }), ...errorResponses },
        },
      },
      async (request) => ({ items: await integrations.list(tenantOf(request).id) }),
    );

    app.get(
      '/v1/integrations/:kind',
      { schema: { tags, summary: 'One integration of the tenant', params: kindParams, response: responses } },
      async (request) => integrations.get(tenantOf(request).id, request.params.kind),
    );

    app.put(
      '/v1/integrations/:kind',
      {
        validatorCompiler: lenientBody,
        schema: {
          tags,
          summary: 'Configure an integration',
          description:
            'Validates the configuration with the provider’s schema (422 naming each bad field, nothing stored; an unknown provider is a 422 listing the known ones), stores it encrypted, and answers it with secrets redacted. Every process uses it within seconds.',
          params: kindParams,
          body: putBody,
          response: responses,
        },
      },
      async (request) =>
        integrations.set({
          tenantId: tenantOf(request).id,
          kind: request.params.kind,
          provider: request.body.provider,
          config: request.body.config,
        }),
    );

    app.delete(
      '/v1/integrations/:kind',
      { schema: { tags, summary: 'Return an integration to its default (the sandbox)', params: kindParams, response: responses } },
      async (request) => integrations.remove(tenantOf(request).id, request.params.kind),
    );

    app.post(
      '/v1/integrations/:kind/check',
      { schema: { tags, summary: 'Run the integration’s health check now', params: kindParams, response: responses } },
      async (request) => integrations.check(tenantOf(request).id, request.params.kind),
    );

    app.get(
      '/v1/integrations/:kind/oauth/start',
      {
        schema: {
          tags,
          summary: 'Reconnect the stored integration by OAuth',
          description:
            'Answers the provider’s authorization URL for the tenant’s stored configuration of this kind (e.g. after its refresh token was revoked), with a signed `state` that expires and works once. The provider redirects to `/oauth/{provider}/callback`, which stores the new tokens.',
          params: kindParams,
          querystring: z.strictObject({
            provider: z.string().trim().min(1).max(100).optional().describe('When given, must be the stored integration’s provider.'),
          }),
          response: oauthStartResponses,
        },
      },
      async (request) => oauth.start({ tenantId: tenantOf(request).id, kind: request.params.kind, provider: request.query.provider }),
    );

    app.post(
      '/v1/integrations/:kind/oauth/start',
      {
        validatorCompiler: lenientBody,
        schema: {
          tags,
          summary: 'Connect an integration by OAuth',
          description:
            'Validates the configuration with the provider’s schema (422 naming each bad field) and keeps it sealed until the provider redirects to `/oauth/{provider}/callback` with the code: then the tokens are obtained and the configuration is stored like `PUT /v1/integrations/{kind}`. The tenant’s integrations are unchanged until then. Answers the authorization URL with a signed `state` that expires and works once.',
          params: kindParams,
          body: putBody,
          response: oauthStartResponses,
        },
      },
      async (request) =>
        oauth.start({
          tenantId: tenantOf(request).id,
          kind: request.params.kind,
          provider: request.body.provider,
          // Absent (the lenient check lets it through): an empty configuration, which the plugin's schema refuses by field.
          config: (request.body.config as unknown) ?? {},
        }),
    );
    return Promise.resolve();
  };
}
