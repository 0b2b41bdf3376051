/**
 * Connecting Kommo by OAuth on the real server, over PostgreSQL, with Kommo's API answered on the
 * wire by msw (anything else unhandled is an error): start ⇒ the authorization URL carries a
 * signed state ⇒ the callback with the code stores the configuration and the tokens sealed ⇒ the
 * same state again, a forged one and an expired one are refused.
 */
import { Writable } from 'node:stream';
import { kommoOAuthCredentialKey } from '@sdr/adapter-kommo';
import { createFakeKommo, fakeKommoOAuthClient } from '@sdr/adapter-kommo/testing';
import { systemClock } from '@sdr/core';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  quickWorkers,
  type Client,
  type TestDatabase,
} from '../runtime/__fixtures__/server-harness.js';
import { loadConfig } from '../runtime/config.js';
import { startServer, type RunningServer } from '../runtime/start-server.js';
import { oauthRedirectUri } from './oauth-service.js';
import { createOAuthStateSigner } from './oauth-state.js';
import { credentialContext } from './postgres-credential-store.js';

const publicBaseUrl = 'https://sdr.example.com';
const redirectUri = `${publicBaseUrl}/oauth/kommo/callback`;
const webhookSecret = 'kommo-webhook-secret-5d9a41c7';

interface StartJson {
  readonly provider: string;
  readonly url: string;
  readonly state: string;
  readonly redirectUri: string;
  readonly expiresAt: string;
}

describe.skipIf(databaseUrl === undefined)('connecting Kommo by OAuth [postgres]', () => {
  const fake = createFakeKommo({ baseUrl: 'http://acme.kommo.test' });
  const network = setupServer(
    http.all(`${fake.baseUrl}/*`, ({ request }) => fake.handle(request)),
    // The server under test, on the loopback interface.
    http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()),
  );
  const logLines: string[] = [];
  let database: TestDatabase | undefined;
  let server: RunningServer;
  let api: Client;
  let tenantId: string;

  const kommoConfig = {
    subdomain: 'acme',
    baseUrl: fake.baseUrl,
    auth: { type: 'oauth', clientId: fakeKommoOAuthClient.clientId, clientSecret: fakeKommoOAuthClient.clientSecret, redirectUri },
    accountId: fake.accountId,
    pipeline: 'Funil de vendas',
    stages: { meeting_scheduled: 'Reunião agendada' },
    webhookSecret,
  };

  const callback = (query: Record<string, string>, accept = 'application/json') =>
    fetch(`${server.url ?? ''}/oauth/kommo/callback?${new URLSearchParams(query).toString()}`, { headers: { accept } });

  const everyStoredRow = async (): Promise<string> => {
    const sql = new pg.Pool({ connectionString: database?.url ?? '' });
    try {
      const tables = await sql.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      );
      const dumps = await Promise.all(
        tables.rows.map(async (table) => {
          const rows = await sql.query(`SELECT * FROM "${table.schema}"."${table.name}"`);
          return JSON.stringify(rows.rows);
        }),
      );
      return dumps.join('\n');
    } finally {
      await sql.end();
    }
  };

  const sealedTokens = async (): Promise<Record<string, unknown>> => {
    const sql = new pg.Pool({ connectionString: database?.url ?? '' });
    try {
      const { rows } = await sql.query<{ ciphertext: string }>(
        `SELECT ciphertext FROM sdr_server.integration_credentials WHERE tenant_id = $1 AND kind = 'crm' AND key = $2`,
        [tenantId, kommoOAuthCredentialKey],
      );
      const [row] = rows;
      if (row === undefined) throw new Error('no Kommo tokens were stored');
      return JSON.parse(server.composition.box.open(row.ciphertext, credentialContext(tenantId, 'crm', kommoOAuthCredentialKey))) as Record<
        string,
        unknown
      >;
    } finally {
      await sql.end();
    }
  };

  beforeAll(async () => {
    network.listen({ onUnhandledRequest: 'error' });
    database = await createTestDatabase('postgres');
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const config = loadConfig({ ...quickWorkers, ...database.env, SDR_LOG_LEVEL: 'debug', SDR_PUBLIC_BASE_URL: publicBaseUrl });
    server = await startServer({ config, logger, httpLogger: logger });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    tenantId = server.demo?.tenant.id ?? '';
  }, 300_000);

  afterAll(async () => {
    await server.stop();
    await database?.drop();
    network.close();
  }, 120_000);

  it('round trip: the state in the URL, the code exchanged on the wire, tokens and configuration sealed', async () => {
    // A configuration that is not valid is refused before anything is kept.
    const bad = await api.request<{ errors: { field: string }[] }>('POST', '/v1/integrations/crm/oauth/start', {
      provider: 'kommo',
      config: { ...kommoConfig, subdomain: 'Not A Subdomain' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((error) => error.field)).toEqual(['config.subdomain']);
    const noFlow = await api.request<{ detail: string }>('POST', '/v1/integrations/crm/oauth/start', { provider: 'sandbox', config: {} });
    expect(noFlow.status).toBe(422);
    expect(noFlow.body.detail).toContain('crm providers with one: kommo');

    const started = await api.request<StartJson>('POST', '/v1/integrations/crm/oauth/start', { provider: 'kommo', config: kommoConfig });
    expect(started.status).toBe(200);
    expect(started.body.redirectUri).toBe(redirectUri);
    const url = new URL(started.body.url);
    expect(url.origin).toBe('https://www.kommo.com');
    expect(url.searchParams.get('client_id')).toBe(fakeKommoOAuthClient.clientId);
    expect(url.searchParams.get('state')).toBe(started.body.state);
    // Until the callback, the tenant's CRM is unchanged.
    expect((await api.get<{ provider: string }>('/v1/integrations/crm')).provider).toBe('sandbox');

    const code = fake.issueAuthorizationCode();
    const connected = await callback({ code, state: started.body.state });
    const body = (await connected.json()) as { status: string; integration: { provider: string; configured: boolean; config: unknown } };
    expect(connected.status).toBe(200);
    expect(body).toMatchObject({ status: 'connected', integration: { provider: 'kommo', configured: true } });
    const exchanged = fake.requests.filter((request) => request.operation === 'oauth.token');
    expect(exchanged).toHaveLength(1);
    expect(exchanged[0]?.body).toMatchObject({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    // Storing it ran the plugin's checks with the new tokens (pipelines read with the access token).
    const tokens = await sealedTokens();
    const pipelines = fake.requests.find((request) => request.operation === 'pipelines.list');
    expect(pipelines?.authorization).toBe(`Bearer ${String(tokens['accessToken'])}`);
    expect(server.composition.ports.crmFor(tenantId).provider).toBe('kommo');

    // No secret in plain text: not in the database, not in an answer, not in a log line.
    const secrets = [fakeKommoOAuthClient.clientSecret, webhookSecret, String(tokens['accessToken']), String(tokens['refreshToken']), code];
    const stored = await everyStoredRow();
    const answers = JSON.stringify([started.body, body, await api.get('/v1/integrations')]);
    const logs = logLines.join('');
    for (const value of secrets) {
      expect(stored).not.toContain(value);
      expect(answers).not.toContain(value);
      expect(logs).not.toContain(value);
    }

    // The same state a second time: refused, and no second exchange.
    const replayed = await callback({ code: fake.issueAuthorizationCode(), state: started.body.state });
    expect(replayed.status).toBe(400);
    expect(((await replayed.json()) as { detail: string }).detail).toContain('already used');
    expect(fake.requests.filter((request) => request.operation === 'oauth.token')).toHaveLength(1);
  });

  it('refuses a forged state, an expired one, and says why on an HTML page', async () => {
    const started = await api.post<StartJson>('/v1/integrations/crm/oauth/start', { provider: 'kommo', config: kommoConfig });
    const [payload = '', signature = ''] = started.state.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const otherTenant = Buffer.from(JSON.stringify({ ...claims, t: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    const forged = await callback({ code: fake.issueAuthorizationCode(), state: `${otherTenant}.${signature}` });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { detail: string }).detail).toContain('not issued by this server');
    // Signed with a key that is not this server's.
    const stranger = createOAuthStateSigner({ key: Buffer.alloc(32, 7), clock: systemClock, ttlMs: 60_000 });
    const foreign = stranger.issue({ tenantId, kind: 'crm', provider: 'kommo', source: 'stored' }).state;
    expect((await callback({ code: 'x', state: foreign })).status).toBe(400);

    // Signed by this server's key, but expired a moment ago.
    const past = { ...systemClock, now: () => new Date(server.composition.clock.now().getTime() - 60_001) };
    const expiredSigner = createOAuthStateSigner({ key: server.composition.box.deriveKey('oauth-state'), clock: past, ttlMs: 60_000 });
    const expired = expiredSigner.issue({ tenantId, kind: 'crm', provider: 'kommo', source: 'stored' }).state;
    const page = await callback({ code: fake.issueAuthorizationCode(), state: expired }, 'text/html');
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Not connected');
    expect(html).toContain('expired at');

    // The person refused access at Kommo: the page says so.
    const denied = await callback({ error: 'access_denied', state: started.state }, 'text/html');
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('kommo did not authorize the connection: access_denied');
    // A state for another provider, and a callback without a code.
    expect((await fetch(`${server.url ?? ''}/oauth/google/callback?code=x&state=${started.state}`)).status).toBe(400);
    expect((await callback({ state: started.state })).status).toBe(400);
    // None of these reached Kommo's token endpoint.
    expect(fake.requests.filter((request) => request.operation === 'oauth.token')).toHaveLength(1);

    // The stored integration can be reconnected (GET: its own configuration).
    const again = await api.get<StartJson>('/v1/integrations/crm/oauth/start');
    const reconnected = await callback({ code: fake.issueAuthorizationCode(), state: again.state });
    expect(reconnected.status).toBe(200);
    expect(fake.requests.filter((request) => request.operation === 'oauth.token')).toHaveLength(2);
  });

  it('without SDR_PUBLIC_BASE_URL, starting names the setting', () => {
    const config = loadConfig({ ...quickWorkers, ...database?.env });
    expect(config.integrations.redirectBaseUrl).toBeNull();
    expect(() => oauthRedirectUri(config.integrations.redirectBaseUrl, 'kommo')).toThrow(/SDR_PUBLIC_BASE_URL: is not set/);
    expect(oauthRedirectUri(publicBaseUrl, 'kommo')).toBe(redirectUri);
  });
});
