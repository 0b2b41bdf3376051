/**
 * Inputs a fuzzer found that once answered 500, against the real server on its real store: a
 * forged cursor whose instant lies beyond what a date can hold, on each cursor-paged list, and
 * free-form JSON nested thousands of levels deep. Each is a 400 problem naming the input.
 */
import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './start-server.js';
import { clientFor, createTestDatabase, drivers, startTestServer, type Client, type TestDatabase } from './__fixtures__/server-harness.js';

interface ProblemJson {
  readonly status: number;
  readonly code: string;
  readonly errors?: readonly { readonly field: string; readonly message: string }[];
}

const operatorKey = 'operator-key-for-the-hostile-input-test';
const farInstant = 8_640_000_000_000_001;
const someId = '00000000-0000-4000-8000-000000000000';
const forged = (payload: unknown) => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');

/** `depth` empty arrays nested in one another, as JSON text. */
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe.each(drivers)('hostile input against the real store [%s]', (driver) => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let api: Client;
  let operator: Client;
  let leadId: string;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    server = await startTestServer({ ...database.env, SDR_OPERATOR_KEY: operatorKey });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    operator = clientFor(server.url ?? '', operatorKey);
    leadId = (await api.post<{ id: string }>('/v1/leads', { phone: '+5511987659999' })).id;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  const lists = [
    { label: 'leads', path: () => '/v1/leads', cursor: forged({ list: 'leads', key: [farInstant, someId] }), as: () => api },
    {
      label: 'billing cycles',
      path: () => '/v1/billing/cycles',
      cursor: forged({ list: 'billingCycles', key: [farInstant, someId] }),
      as: () => api,
    },
    { label: 'tenants', path: () => '/v1/tenants', cursor: forged({ list: 'tenants', key: [-farInstant, someId] }), as: () => operator },
    {
      label: 'a lead’s messages',
      path: () => `/v1/leads/${leadId}/messages`,
      cursor: forged({ before: farInstant, seen: [] }),
      as: () => api,
    },
  ];

  it.each(lists)('a forged cursor beyond the representable instants on $label ⇒ 400 naming the cursor', async (list) => {
    const reply = await list.as().request<ProblemJson>('GET', `${list.path()}?cursor=${list.cursor}`);
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('validation_failed');
    expect(reply.body.errors?.map((error) => error.field)).toEqual(['query.cursor']);
  });

  it.each(['/v1/billing/cycles/{id}/pay', '/v1/billing/cycles/{id}/cancel', '/v1/appointments/{id}/cancel'])(
    'POST %s on an unknown id ⇒ 404, and no lock row is left behind',
    async (template) => {
      const lockRows = async () => (await server?.database.database.query('test.locks', 'SELECT key FROM sdr.locks', [])) ?? [];
      const before = await lockRows();
      const reply = await api.request<ProblemJson>('POST', template.replace('{id}', crypto.randomUUID()), {});
      expect(reply.status).toBe(404);
      expect(await lockRows()).toEqual(before);
    },
  );

  it('billing metadata nested 2,202 levels deep ⇒ 400 naming the item’s metadata, nothing written', async () => {
    const item = `{"externalBillingId":"deep-1","customer":{"name":"Ana","phone":"+5511987650101"},"amount":1000,"currency":"BRL","dueDate":"2026-12-30","metadata":{"x":${nestedArrays(2202)}}}`;
    const reply = await api.request<ProblemJson>('POST', '/v1/billing/imports', `{"items":[${item}]}`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((error) => error.field)).toEqual(['body.items.0.metadata']);
    expect(reply.body.errors?.[0]?.message).toMatch(/levels/);
    const cycles = await api.get<{ items: unknown[] }>('/v1/billing/cycles');
    expect(cycles.items).toEqual([]);
  });
});
