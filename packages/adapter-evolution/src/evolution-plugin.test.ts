import {
  PhoneNumber,
  ProviderError,
  ValidationError,
  noopLogger,
  redactSecrets,
  secretValuesOf,
  systemClock,
  validatePluginConfig,
  type Logger,
  type PluginDeps,
} from '@sdr/core';
import { createInMemoryCredentialStore, createInMemoryLock, createInMemoryRateLimiter } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rejection, requestsTo, useFakeEvolution } from './__fixtures__/msw-evolution.js';
import { evolutionConfigSchema, evolutionPlugin } from './evolution-plugin.js';

const fake = useFakeEvolution({ instances: ['acme'] });

function deps(logger: Logger = noopLogger): PluginDeps {
  return {
    tenantId: 't1',
    clock: systemClock,
    logger,
    lock: createInMemoryLock({ clock: systemClock }),
    rateLimiter: createInMemoryRateLimiter({ clock: systemClock }),
    credentials: createInMemoryCredentialStore(),
  };
}

const parse = (value: unknown) => validatePluginConfig(evolutionPlugin, value);

const input = {
  baseUrl: 'http://evolution.test',
  apiKey: 'fake-evolution-key',
  instance: 'acme',
  webhookSecret: 'tenant-webhook-secret-0123456789',
};

describe('evolutionPlugin', () => {
  it('describes itself as the v1 WhatsApp plugin of provider evolution', () => {
    expect(evolutionPlugin).toMatchObject({
      contractVersion: 'v1',
      kind: 'whatsapp',
      provider: 'evolution',
      displayName: 'WhatsApp (Evolution API)',
    });
  });

  it('parses the config with its defaults, and marks the secrets write-only in the JSON Schema', () => {
    expect(parse(input)).toEqual({
      ...input,
      registerWebhook: false,
      typingDelayMs: 0,
      webhookAuth: 'header',
    });
    const schema = z.toJSONSchema(evolutionConfigSchema, { io: 'input' }) as { properties: Record<string, { writeOnly?: boolean }> };
    expect(schema.properties.apiKey?.writeOnly).toBe(true);
    expect(schema.properties.webhookSecret?.writeOnly).toBe(true);
    expect(schema.properties.instance?.writeOnly).toBeUndefined();
  });

  it('lets the host redact and scrub exactly the API key and the webhook secret', () => {
    const config = parse(input);
    expect(redactSecrets(evolutionConfigSchema, config)).toMatchObject({
      apiKey: '[redacted]',
      webhookSecret: '[redacted]',
      instance: 'acme',
    });
    expect(secretValuesOf(evolutionConfigSchema, config).sort()).toEqual([input.apiKey, input.webhookSecret].sort());
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ baseUrl: 'ftp://evolution.test' }, 'baseUrl'],
    [{ apiKey: '' }, 'apiKey'],
    [{ instance: ' ' }, 'instance'],
    [{ webhookSecret: 'short' }, 'webhookSecret'],
    [{ typingDelayMs: 20_001 }, 'typingDelayMs'],
    [{ typingDelayMs: 1.5 }, 'typingDelayMs'],
    [{ webhookAuth: 'hmac' }, 'webhookAuth'],
  ])('refuses %j, naming %s', (override, field) => {
    try {
      parse({ ...input, ...override });
      expect.fail('expected a ValidationError');
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).fieldErrors.map((entry) => entry.field)).toContain(`config.${field}`);
    }
  });

  it('refuses an unknown setting (core names the config, the message names the key)', () => {
    try {
      parse({ ...input, extra: true });
      expect.fail('expected a ValidationError');
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).fieldErrors).toEqual([{ field: 'config', message: expect.stringContaining('"extra"') as string }]);
    }
  });

  it('creates a port that sends from the configured instance with the typing delay', async () => {
    const config = parse({ ...input, typingDelayMs: 800 });
    const messaging = evolutionPlugin.create(config, deps());
    expect(messaging.instance).toBe('acme');
    await messaging.sendText({ instance: 'acme', to: PhoneNumber.parse('+5511987654321'), text: 'Oi', idempotencyKey: 'k1' });
    expect(requestsTo(fake, 'sendText')[0]?.body).toEqual({ number: '5511987654321', text: 'Oi', delay: 800 });
  });

  it('validate: passes for a reachable server and a known instance, whatever its state', async () => {
    fake.setInstance('acme', 'connecting');
    await evolutionPlugin.validate(parse(input), deps());
    expect(fake.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/instance/connectionState/acme', apikey: input.apiKey }),
    ]);
  });

  it('validate: names the setting that is wrong', async () => {
    const check = async (override: Partial<typeof input>, field: string, message: RegExp) => {
      const error = await rejection(evolutionPlugin.validate(parse({ ...input, ...override }), deps()));
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).fieldErrors[0]).toEqual({ field, message: expect.stringMatching(message) as string });
      expect(JSON.stringify(error)).not.toContain(input.apiKey);
    };
    await check({ apiKey: 'wrong' }, 'config.apiKey', /was refused by the Evolution server at evolution\.test \(401\)/);
    await check({ instance: 'ghost' }, 'config.instance', /"ghost" does not exist on the Evolution server at evolution\.test/);
    fake.failNext('connectionState', { kind: 'network' });
    await check({}, 'config.baseUrl', /could not reach Evolution at evolution\.test/);
  });

  it('validate: a server error stays a retryable provider error', async () => {
    fake.failNext('connectionState', { kind: 'respond', status: 500, raw: 'boom' });
    const error = await rejection(evolutionPlugin.validate(parse(input), deps()));
    expect(ProviderError.isInstance(error) && error.retryable).toBe(true);
  });

  it('onConfigured registers the webhook only when asked, in the configured auth mode', async () => {
    const webhookUrl = 'https://sdr.example.com/webhooks/evolution/t1';
    await evolutionPlugin.onConfigured({ config: parse(input), deps: deps(), webhookUrl });
    expect(fake.requests).toHaveLength(0);

    const lines: string[] = [];
    const logger: Logger = { ...noopLogger, info: (context, message) => lines.push(`${message} ${JSON.stringify(context)}`) };
    const config = parse({ ...input, registerWebhook: true, webhookAuth: 'jwt' });
    await evolutionPlugin.onConfigured({ config, deps: deps(logger), webhookUrl });
    expect(requestsTo(fake, 'set')[0]?.body).toMatchObject({ webhook: { url: webhookUrl, headers: { jwt_key: input.webhookSecret } } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(input.webhookSecret);
  });
});
