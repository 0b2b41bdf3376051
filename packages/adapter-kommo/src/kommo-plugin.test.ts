/**
 * The integration plugin: its schema (secrets marked), `validate` failing with the pipeline's real
 * statuses, the resolved stage mapping, and webhook registration through `POST /api/v4/webhooks`.
 */
import { ValidationError, noopLogger, redactSecrets, systemClock, validatePluginConfig, type PluginDeps } from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { rejection, requestsTo, unlimitedRateLimiter, useFakeKommo } from './__fixtures__/msw-kommo.js';
import { kommoOAuthCredentialKey } from './kommo-auth.js';
import { kommoPlugin } from './kommo-plugin.js';
import { fakeKommoOAuthClient } from './testing/index.js';

const fake = useFakeKommo();
const deps: PluginDeps = {
  tenantId: 'tenant-1',
  clock: systemClock,
  logger: noopLogger,
  lock: createInMemoryLock({ clock: systemClock }),
  rateLimiter: unlimitedRateLimiter,
  credentials: createInMemoryCredentialStore(),
};

function config(overrides: Record<string, unknown> = {}) {
  return validatePluginConfig(kommoPlugin, {
    subdomain: 'acme',
    baseUrl: fake.baseUrl,
    auth: { type: 'long_lived', token: fake.token },
    accountId: fake.accountId,
    pipeline: 'Funil de Vendas',
    stages: { meeting_scheduled: 'Reuniao agendada', not_interested: 'Não interessado' },
    webhookSecret: 'a-long-webhook-secret-0123',
    ...overrides,
  });
}

describe('kommoPlugin', () => {
  it('is a crm plugin for kommo whose secrets are marked', () => {
    expect(kommoPlugin).toMatchObject({ contractVersion: 'v1', kind: 'crm', provider: 'kommo' });
    const shown = redactSecrets(kommoPlugin.configSchema, config());
    expect(JSON.stringify(shown)).not.toContain(fake.token);
    expect(JSON.stringify(shown)).not.toContain('a-long-webhook-secret-0123');
    expect(() => config({ subdomain: 'Not A Subdomain' })).toThrow(/config\.subdomain/);
  });

  it('validate passes for names that exist, and resolveStages gives the mapping to store', async () => {
    await expect(kommoPlugin.validate(config(), deps)).resolves.toBeUndefined();
    const resolved = await kommoPlugin.resolveStages(config(), deps);
    expect(resolved.stageMapping.meeting_scheduled).toEqual({ pipelineId: '7001', statusId: '70013' });
    expect(requestsTo(fake, 'pipelines.list')[0]?.authorization).toBe(`Bearer ${fake.token}`);
  });

  it('validate fails naming the stage and the pipeline’s real statuses', async () => {
    const error = await rejection(kommoPlugin.validate(config({ stages: { meeting_scheduled: 'Reunião marcada' } }), deps));
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('config.stages.meeting_scheduled');
    expect((error as Error).message).toContain('"Reunião agendada"');
  });

  it('onConfigured subscribes the webhook URL through POST /api/v4/webhooks when registerWebhook is set', async () => {
    const url = 'https://sdr.example.com/webhooks/kommo/tenant-1/a-long-webhook-secret-0123';
    await kommoPlugin.onConfigured({ config: config(), deps, webhookUrl: url });
    expect(requestsTo(fake, 'webhooks.add')).toHaveLength(0);
    await kommoPlugin.onConfigured({ config: config({ registerWebhook: true }), deps, webhookUrl: url });
    const [registration] = requestsTo(fake, 'webhooks.add');
    expect(registration?.method).toBe('POST');
    expect(registration?.body).toEqual({ destination: url, settings: ['status_lead', 'add_lead', 'update_lead'] });
  });

  it('create wires a port without I/O', () => {
    const crm = kommoPlugin.create(config(), deps);
    expect(crm.capabilities).toMatchObject({ maxBatchSize: 50, requestsPerSecond: 6, batchUpdate: true, batchNotes: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('connects with OAuth: the authorization URL carries the client and state; the code is exchanged and the tokens kept in the credential store, not the config', async () => {
    const oauthConfig = config({ auth: { type: 'oauth', ...fakeKommoOAuthClient } });
    const url = new URL(
      kommoPlugin.oauth.authorizationUrl({ config: oauthConfig, state: 'csrf-1', redirectUri: fakeKommoOAuthClient.redirectUri }),
    );
    expect(url.searchParams.get('client_id')).toBe(fakeKommoOAuthClient.clientId);
    expect(url.searchParams.get('state')).toBe('csrf-1');
    const credentials = createInMemoryCredentialStore();
    const code = fake.issueAuthorizationCode();
    const stored = await kommoPlugin.oauth.exchangeCode({
      config: oauthConfig,
      code,
      redirectUri: fakeKommoOAuthClient.redirectUri,
      deps: { ...deps, credentials },
    });
    expect(stored.auth).toEqual({ type: 'oauth', ...fakeKommoOAuthClient });
    const [token] = requestsTo(fake, 'oauth.token');
    expect(token?.body).toMatchObject({ grant_type: 'authorization_code', code, client_id: fakeKommoOAuthClient.clientId });
    const tokens = await credentials.get(kommoOAuthCredentialKey);
    expect(typeof tokens?.value.refreshToken).toBe('string');
    // The port now works from the stored tokens alone.
    await kommoPlugin.create(stored, { ...deps, credentials }).listPipelines();
    expect(requestsTo(fake, 'pipelines.list')[0]?.authorization).toBe(`Bearer ${String(tokens?.value.accessToken)}`);
  });
});
