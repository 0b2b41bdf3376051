import { describe, expect, it } from 'vitest';
import { call, createTestWorld } from './__fixtures__/test-context.js';

interface OpenApiDocument {
  readonly openapi: string;
  readonly servers: readonly { readonly url: string }[];
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}
interface OpenApiOperation {
  readonly parameters?: readonly {
    readonly name: string;
    readonly in: string;
    readonly schema: JsonSchema;
    readonly description?: string;
  }[];
  readonly requestBody?: { readonly content: { readonly 'application/json': { readonly schema: JsonSchema } } };
  readonly responses: Record<string, unknown>;
  readonly security?: readonly Record<string, unknown>[];
}
interface JsonSchema {
  readonly [keyword: string]: unknown;
  readonly properties?: Record<string, JsonSchema>;
  readonly items?: JsonSchema;
}

/** Every operation of the API, as `METHOD path`. */
const operations = [
  'POST /v1/leads',
  'GET /v1/leads',
  'GET /v1/leads/{id}',
  'PATCH /v1/leads/{id}',
  'POST /v1/leads/{id}/messages',
  'GET /v1/leads/{id}/messages',
  'POST /v1/leads/{id}/stage',
  'POST /v1/leads/{id}/handoff',
  'POST /v1/leads/{id}/resume',
  'POST /v1/leads/{id}/opt-out',
  'GET /v1/leads/{id}/scheduled-messages',
  'GET /v1/slots',
  'POST /v1/leads/{id}/appointments',
  'GET /v1/leads/{id}/appointments',
  'GET /v1/appointments/{id}',
  'POST /v1/appointments/{id}/reschedule',
  'POST /v1/appointments/{id}/cancel',
  'POST /v1/billing/imports',
  'POST /v1/billing/plans/{planHash}/apply',
  'GET /v1/billing/cycles',
  'GET /v1/billing/cycles/{id}',
  'POST /v1/billing/cycles/{id}/pay',
  'POST /v1/billing/cycles/{id}/cancel',
  'POST /v1/billing/contacts/opt-out',
  'GET /v1/scheduled-messages/{id}/explain',
  'GET /v1/alerts',
  'GET /v1/templates',
  'PUT /v1/templates/{key}/{locale}',
  'POST /v1/tenants',
  'GET /v1/tenants',
  'GET /v1/tenants/{id}',
  'PUT /v1/tenants/{id}',
  'GET /v1/tenants/{id}/api-keys',
  'POST /v1/tenants/{id}/api-keys',
  'DELETE /v1/tenants/{id}/api-keys/{keyId}',
];

describe('GET /openapi.json', async () => {
  const world = await createTestWorld();
  const response = await call<OpenApiDocument>(world.app, { method: 'GET', url: '/openapi.json' });
  const document = response.body;
  const operation = (method: string, path: string): OpenApiOperation => {
    const found = document.paths[path]?.[method];
    if (!found) throw new Error(`no ${method} ${path}`);
    return found;
  };

  it('is an OpenAPI 3.1 JSON document, served without a key, naming the public base URL', () => {
    expect(response.status).toBe(200);
    expect(() => JSON.parse(response.text) as unknown).not.toThrow();
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'http://localhost:3000' }]);
  });

  it('lists every route of the API, and nothing else', () => {
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual([...operations].sort());
  });

  it('every route documents its error responses as problem documents', () => {
    for (const entry of operations) {
      const [method = '', path = ''] = entry.split(' ');
      expect(operation(method.toLowerCase(), path).responses).toHaveProperty('400');
    }
    expect(document.components.schemas.Problem?.properties).toHaveProperty('errors');
  });

  it('its schemas come from the zod schemas the server validates with', () => {
    const createLead = operation('post', '/v1/leads').requestBody?.content['application/json'].schema;
    expect(createLead?.additionalProperties).toBe(false);
    expect(createLead?.properties?.phone).toMatchObject({ type: 'string', maxLength: 64, description: expect.stringContaining('E.164') });
    // The name schema is core's own: trimmed, 1 to 200 characters.
    expect(createLead?.properties?.name).toMatchObject({ minLength: 1, maxLength: 200 });
    const limit = operation('get', '/v1/leads').parameters?.find((parameter) => parameter.name === 'limit');
    expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500, default: 50 });
    // A billing item is documented by the billing service's own item schema.
    const items = operation('post', '/v1/billing/imports').requestBody?.content['application/json'].schema.properties?.items;
    expect(items?.maxItems).toBe(1000);
    expect(items?.items?.properties?.externalBillingId).toMatchObject({ maxLength: 200 });
    expect(items?.items?.additionalProperties).toBe(false);
    // The tenant configuration is core's tenant schema.
    const tenant = operation('post', '/v1/tenants').requestBody?.content['application/json'].schema;
    expect(tenant?.required).toEqual(expect.arrayContaining(['timeZone', 'name']));
    expect(document.components.schemas.Lead?.properties?.createdAt).toMatchObject({ type: 'string', format: 'date-time' });
  });

  it('every reference resolves, those to recursive schemas (JSON values) included', () => {
    const references = [...response.text.matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(references).toContain('#/components/schemas/__shared/$defs/schema0');
    for (const reference of new Set(references)) {
      expect(reference, reference).toMatch(/^#\//);
      const target = reference
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, segment) => (node as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')],
          document,
        );
      expect(target, reference).toBeTypeOf('object');
    }
  });

  it('the operator routes say they take the operator key', () => {
    expect(operation('post', '/v1/tenants').security).toEqual([{ operatorKey: [] }]);
    expect(operation('get', '/v1/leads').security).toBeUndefined();
  });
});
