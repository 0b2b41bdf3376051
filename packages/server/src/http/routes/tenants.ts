/**
 * `/v1/tenants` — the operator's routes (operator key only): create a tenant with its first API
 * key (shown once), read, list and update tenants, and manage their keys.
 *
 * A tenant created with an `Idempotency-Key` gets an id derived from that key, so that the key
 * has a tenant to be scoped to (idempotency records belong to a tenant) and a repeated creation
 * finds the first one instead of creating a twin.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, nameBasedUuid, nameSchema, parseOrThrow, tenantConfigSchema, tenantSchema, type Tenant } from '@sdr/core';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { createTenantApiKey } from '../auth/api-keys.js';
import { idempotencyKeyOf } from '../idempotency.js';
import { errorResponses, idParamsSchema, listSchema, pageQuerySchema, pageSchema } from '../schemas/common.js';
import { apiKeyResource, newApiKeyResource, toApiKeyResource, withoutSecrets } from '../schemas/resources.js';
import { underField } from '../validation.js';

const keyNameSchema = z.string().trim().min(1).max(100).describe('A label for the key (`console`, `billing import job`).');

const tenantBody = tenantConfigSchema.extend({ name: nameSchema });
const createTenantBody = tenantBody.extend({ apiKeyName: keyNameSchema.default('default') });

/** A tenant: its configuration in canonical form (durations in milliseconds, every default filled). */
export const tenantResource = tenantSchema.meta({ id: 'Tenant' });

const keyParams = z.strictObject({ id: idParamsSchema.shape.id, keyId: idParamsSchema.shape.id });

/** The id a tenant created under `idempotencyKey` gets. */
export function tenantIdForIdempotencyKey(idempotencyKey: string): string {
  return nameBasedUuid(`sdr.tenant:${idempotencyKey}`);
}

/** The tenant an operator's keyed POST is scoped to: the one it creates, or the one in its path. */
export function operatorIdempotencyScope(request: FastifyRequest, key: string): string | null {
  const params = request.params as { readonly id?: unknown };
  if (typeof params.id === 'string') return params.id;
  return tenantIdForIdempotencyKey(key);
}

/** The operator's tenant routes. */
export function tenantRoutes(context: ServerContext): FastifyPluginCallbackZod {
  const { store, clock } = context;
  const loadTenant = async (id: string): Promise<Tenant> => {
    const tenant = await store.tenants.get(id);
    if (tenant === null) throw new NotFoundError('tenant', id);
    return tenant;
  };
  const security = [{ operatorKey: [] }];

  return (app, _options, done) => {
    app.post(
      '/tenants',
      {
        config: { replayBody: withoutSecrets },
        schema: {
          tags: ['tenants'],
          security,
          summary: 'Create a tenant and its first API key',
          description: 'The key is in this response only: it is stored hashed and cannot be shown again.',
          body: createTenantBody,
          response: { 201: z.object({ tenant: tenantResource, apiKey: newApiKeyResource }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { name, apiKeyName, ...config } = request.body;
        const key = idempotencyKeyOf(request);
        const now = clock.now();
        const tenant = parseOrThrow(
          tenantSchema,
          {
            ...config,
            name,
            id: key === undefined ? randomUUID() : tenantIdForIdempotencyKey(key),
            createdAt: now,
            updatedAt: now,
            version: 0,
          },
          'body',
        );
        const created = await store.transaction(async (tx) => {
          const stored = await tx.tenants.create(tenant);
          const issued = await createTenantApiKey(tx.apiKeys, { tenantId: stored.id, name: apiKeyName, clock });
          return { tenant: stored, ...issued };
        });
        return reply
          .code(201)
          .header('location', `/v1/tenants/${created.tenant.id}`)
          .send({ tenant: created.tenant, apiKey: { ...toApiKeyResource(created.apiKey), key: created.key } });
      },
    );

    app.get(
      '/tenants',
      {
        schema: {
          tags: ['tenants'],
          security,
          summary: 'List tenants',
          querystring: pageQuerySchema,
          response: { 200: pageSchema(tenantResource), ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit } = request.query;
        return underField('query', () => store.tenants.list({ limit, ...(cursor === undefined ? {} : { cursor }) }));
      },
    );

    app.get(
      '/tenants/:id',
      {
        schema: {
          tags: ['tenants'],
          security,
          summary: 'Get a tenant',
          params: idParamsSchema,
          response: { 200: tenantResource, ...errorResponses },
        },
      },
      async (request) => loadTenant(request.params.id),
    );

    app.put(
      '/tenants/:id',
      {
        schema: {
          tags: ['tenants'],
          security,
          summary: 'Replace a tenant’s name and configuration',
          description: 'Settings left out take their defaults, as on creation.',
          params: idParamsSchema,
          body: tenantBody,
          response: { 200: tenantResource, ...errorResponses },
        },
      },
      async (request) => {
        const current = await loadTenant(request.params.id);
        const next = parseOrThrow(
          tenantSchema,
          { ...request.body, id: current.id, createdAt: current.createdAt, updatedAt: clock.now(), version: current.version },
          'body',
        );
        return store.tenants.update(next);
      },
    );

    app.get(
      '/tenants/:id/api-keys',
      {
        schema: {
          tags: ['tenants'],
          security,
          summary: 'A tenant’s API keys (without their secrets), newest first',
          params: idParamsSchema,
          response: { 200: listSchema(apiKeyResource), ...errorResponses },
        },
      },
      async (request) => {
        const tenant = await loadTenant(request.params.id);
        return { items: (await store.apiKeys.list(tenant.id)).map(toApiKeyResource) };
      },
    );

    app.post(
      '/tenants/:id/api-keys',
      {
        config: { replayBody: withoutSecrets },
        schema: {
          tags: ['tenants'],
          security,
          summary: 'Create another API key for a tenant',
          description: 'The key is in this response only.',
          params: idParamsSchema,
          body: z.strictObject({ name: keyNameSchema }),
          response: { 201: newApiKeyResource, ...errorResponses },
        },
      },
      async (request, reply) => {
        const tenant = await loadTenant(request.params.id);
        const issued = await createTenantApiKey(store.apiKeys, { tenantId: tenant.id, name: request.body.name, clock });
        return reply.code(201).send({ ...toApiKeyResource(issued.apiKey), key: issued.key });
      },
    );

    app.delete(
      '/tenants/:id/api-keys/:keyId',
      {
        schema: {
          tags: ['tenants'],
          security,
          summary: 'Revoke an API key (at once: its next request is refused)',
          params: keyParams,
          response: { 204: z.null().describe('Revoked (or already revoked).'), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { id, keyId } = request.params;
        const tenant = await loadTenant(id);
        const revoked = await store.apiKeys.revoke({ tenantId: tenant.id, id: keyId, now: clock.now() });
        if (!revoked) {
          const known = (await store.apiKeys.list(tenant.id)).find((apiKey) => apiKey.id === keyId);
          if (known === undefined || known.revokedAt === null) throw new NotFoundError('API key', keyId);
        }
        return reply.code(204).send(null);
      },
    );
    done();
  };
}
