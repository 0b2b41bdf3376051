/**
 * The integration plugin: its schema (secrets marked), `validate` failing with the pipeline's real
 * statuses, the resolved stage mapping, and webhook registration through `POST /api/v4/webhooks`.
 */
import { ValidationError, noopLogger, redactSecrets, systemClock, validatePluginConfig, type PluginDeps } from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { rejection, requestsTo, unlimitedRateLimiter, useFakeKommo } from './__fixtures__/msw-kommo.js';
import { kommoPlugin } from './kommo-plugin.js';

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
});
