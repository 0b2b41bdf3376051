import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { VirtualClock } from '../ports/clock/clock.js';
import type { CrmPort } from '../ports/crm/crm-port.js';
import { noopLogger } from '../ports/logger/logger.js';
import { createInMemoryCredentialStore } from '../testing/credentials/in-memory-credential-store.js';
import { createInMemoryCrm } from '../testing/crm/in-memory-crm.js';
import { createInMemoryLock } from '../ports/lock/in-memory-lock.js';
import { createInMemoryRateLimiter } from '../ports/rate-limiter/in-memory-rate-limiter.js';
import { kommoShapedConfigSchema, type KommoShapedConfig } from './__fixtures__/kommo-shaped-config.js';
import { definePlugin, pluginKinds, validatePluginConfig, type PluginDeps, type PluginPort } from './plugin.js';

/** A port only this test knows, added to the map the way a model package adds its own. */
interface TestModelPort {
  readonly contractVersion: 'v1';
  complete(prompt: string): Promise<string>;
}

declare module './plugin.js' {
  interface PluginPortMap {
    model: TestModelPort;
  }
}

function deps(): PluginDeps {
  const clock = new VirtualClock('2031-01-01T00:00:00Z');
  return {
    tenantId: crypto.randomUUID(),
    clock,
    logger: noopLogger,
    lock: createInMemoryLock({ clock }),
    rateLimiter: createInMemoryRateLimiter({ clock }),
    credentials: createInMemoryCredentialStore({ clock }),
  };
}

const kommoLike = definePlugin({
  contractVersion: 'v1',
  kind: 'crm',
  provider: 'kommo-like',
  displayName: 'Kommo-like CRM',
  configSchema: kommoShapedConfigSchema,
  create: (config, pluginDeps) =>
    createInMemoryCrm({
      clock: pluginDeps.clock,
      rateLimiter: pluginDeps.rateLimiter,
      account: config.subdomain,
      pacedRequestsPerSecond: config.requestsPerSecond,
    }),
});

describe('the plugin contract', () => {
  it('has the five kinds', () => {
    expect(pluginKinds).toEqual(['crm', 'calendar', 'whatsapp', 'voice', 'model']);
  });

  it('definePlugin infers the kind, the configuration from the schema and the port from the kind', async () => {
    expectTypeOf(kommoLike.kind).toEqualTypeOf<'crm'>();
    expectTypeOf<Parameters<typeof kommoLike.create>[0]>().toEqualTypeOf<KommoShapedConfig>();
    expectTypeOf<PluginPort<'crm'>>().toEqualTypeOf<CrmPort>();
    expectTypeOf<PluginPort<'model'>>().toEqualTypeOf<TestModelPort>();
    expectTypeOf<PluginPort<'voice'>>().toBeUnknown();
    const config = validatePluginConfig(kommoLike, { subdomain: 'acme', auth: { type: 'long_lived', token: 'tok' } });
    const crm = await kommoLike.create(config, deps());
    expect(crm.provider).toBe('in-memory-crm');
    expect(crm.capabilities.requestsPerSecond).toBe(7);
  });

  it('a plugin of a kind must build that kind’s port', () => {
    const model = definePlugin({
      contractVersion: 'v1',
      kind: 'model',
      provider: 'scripted',
      displayName: 'Scripted model',
      configSchema: z.object({}),
      create: () => ({ contractVersion: 'v1' as const, complete: (prompt: string) => Promise.resolve(prompt) }),
    });
    expect(model.kind).toBe('model');
    definePlugin({
      contractVersion: 'v1',
      kind: 'crm',
      provider: 'wrong',
      displayName: 'Not a CRM',
      configSchema: z.object({}),
      // @ts-expect-error a crm plugin must return a CrmPort
      create: () => ({ contractVersion: 'v1' as const, complete: (prompt: string) => Promise.resolve(prompt) }),
    });
  });

  it('validatePluginConfig returns the parsed configuration, defaults applied', () => {
    const config = validatePluginConfig(kommoLike, { subdomain: 'acme', auth: { type: 'long_lived', token: 'tok' } });
    expect(config).toEqual({
      subdomain: 'acme',
      auth: { type: 'long_lived', token: 'tok' },
      webhookSecret: null,
      stageMapping: {},
      extraHeaders: [],
      signingKeys: {},
      requestsPerSecond: 7,
    });
  });

  it('validatePluginConfig refuses with a ValidationError naming every bad path under config, never echoing a secret', () => {
    const error = (() => {
      try {
        validatePluginConfig(kommoLike, {
          subdomain: 'Not A Subdomain',
          auth: { type: 'oauth', clientId: '', clientSecret: 'sekrit-value', redirectUri: 'not a url' },
          webhookSecret: 'short-sekrit',
          extraHeaders: [{ name: 'X', value: 42 }],
          requestsPerSecond: 50,
        });
      } catch (caught) {
        return caught;
      }
      return expect.fail('expected a ValidationError');
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    if (!ValidationError.isInstance(error)) return;
    expect(error.fieldErrors.map((field) => field.field).sort()).toEqual(
      [
        'config.subdomain',
        'config.auth.clientId',
        'config.auth.redirectUri',
        'config.webhookSecret',
        'config.extraHeaders.0.value',
        'config.requestsPerSecond',
      ].sort(),
    );
    expect(error.message).toContain('config.subdomain: must be the account subdomain');
    expect(JSON.stringify(error)).not.toMatch(/sekrit/);
    expect(error.details).toEqual({ provider: 'kommo-like', kind: 'crm' });
  });

  it('validatePluginConfig names config itself when the whole value is wrong', () => {
    expect(() => validatePluginConfig(kommoLike, 'not an object')).toThrow(/^config: /);
  });
});
