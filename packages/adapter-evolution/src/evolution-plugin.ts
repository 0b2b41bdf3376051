/**
 * The integration descriptor (core's `AdapterPlugin`): how the server configures WhatsApp through
 * Evolution for a tenant (`PUT /v1/integrations/whatsapp` with `{ "provider": "evolution",
 * "config": { … } }`). The API key and the webhook secret are `secret` fields.
 */
import { ValidationError, secret, type AdapterPlugin, type PluginDeps } from '@sdr/core';
import { z } from 'zod';
import { createEvolutionClient, normaliseBaseUrl } from './evolution-client.js';
import { probeConnectionState } from './evolution-connection-state.js';
import { toEvolutionError } from './evolution-errors.js';
import { createEvolutionMessaging, type EvolutionMessaging } from './evolution-messaging.js';
import { registerEvolutionWebhook } from './evolution-webhook-registration.js';

/** The tenant's Evolution settings. */
export const evolutionConfigSchema = z.strictObject({
  /** The Evolution server, as the server reaches it. */
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .describe('The Evolution API server, e.g. https://evolution.example.com'),
  /** The global API key or the instance's token. */
  // `secret` goes last: every zod method returns a new schema, which would not carry the mark.
  apiKey: secret(z.string().min(1).max(500).describe('Evolution API key (global, or the instance token)')),
  /** The instance (one WhatsApp number). */
  instance: z.string().trim().min(1).max(100).describe('The Evolution instance name'),
  /** The secret deliveries must carry (header or JWT key). */
  webhookSecret: secret(
    z
      .string()
      .min(16, 'must be at least 16 characters')
      .max(500)
      .describe('Shared secret of the webhook deliveries (x-webhook-secret header, or the HS256 key in jwt mode)'),
  ),
  /** Register the webhook on the instance when the integration is saved. */
  registerWebhook: z.boolean().default(false).describe('Point the instance webhook at this server when saved'),
  /** "typing…" before each message, in ms. */
  typingDelayMs: z.number().int().min(0).max(20_000).default(0).describe('Typing indicator shown before each message, in ms'),
  /** How deliveries carry the secret. */
  webhookAuth: z.enum(['header', 'jwt']).default('header').describe('x-webhook-secret header, or an HS256 bearer JWT (jwt_key)'),
});

/** Parsed Evolution settings. */
export type EvolutionConfig = z.output<typeof evolutionConfigSchema>;

type EvolutionAdapterPlugin = AdapterPlugin<'whatsapp', EvolutionConfig, EvolutionMessaging>;

/** The Evolution plugin: kind `whatsapp`, provider `evolution`; it builds its port at once and always validates. */
export interface EvolutionPlugin extends EvolutionAdapterPlugin {
  create(config: EvolutionConfig, deps: PluginDeps): EvolutionMessaging;
  readonly validate: NonNullable<EvolutionAdapterPlugin['validate']>;
  readonly onConfigured: NonNullable<EvolutionAdapterPlugin['onConfigured']>;
}

const validateTimeoutMs = 10_000;

const plugin: EvolutionPlugin = {
  contractVersion: 'v1',
  kind: 'whatsapp',
  provider: 'evolution',
  displayName: 'WhatsApp (Evolution API)',
  configSchema: evolutionConfigSchema,

  /** Wires the port; no I/O. */
  create(config: EvolutionConfig, deps: PluginDeps): EvolutionMessaging {
    return createEvolutionMessaging({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      instance: config.instance,
      typingDelayMs: config.typingDelayMs,
      rateLimiter: deps.rateLimiter,
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  },

  /** Evolution reachable, the key accepted, the instance known; a `ValidationError` naming the setting otherwise. */
  async validate(config: EvolutionConfig, deps: PluginDeps): Promise<void> {
    const client = createEvolutionClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    const probe = await probeConnectionState({ client, instance: config.instance, clock: deps.clock, timeoutMs: validateTimeoutMs });
    if (probe.kind === 'state') return;
    const { failure } = probe;
    const host = new URL(normaliseBaseUrl(config.baseUrl)).host;
    if (failure.kind === 'http' && (failure.status === 401 || failure.status === 403)) {
      throw ValidationError.forField('config.apiKey', `was refused by the Evolution server at ${host} (${failure.status})`);
    }
    if (failure.kind === 'http' && failure.status === 404) {
      throw ValidationError.forField('config.instance', `"${config.instance}" does not exist on the Evolution server at ${host}`);
    }
    if (failure.kind === 'network' || failure.kind === 'timeout') {
      throw ValidationError.forField('config.baseUrl', `could not reach Evolution at ${host}: ${probe.detail}`);
    }
    throw toEvolutionError(failure, {
      operation: 'connectionState',
      instance: config.instance,
      now: deps.clock.now(),
      secrets: [config.apiKey],
    });
  },

  /** Registers the webhook when `registerWebhook` is set. */
  async onConfigured(input): Promise<void> {
    const { config, deps } = input;
    if (!config.registerWebhook) return;
    const registered = await registerEvolutionWebhook({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      instance: config.instance,
      url: input.webhookUrl,
      secret: config.webhookSecret,
      auth: config.webhookAuth,
      clock: deps.clock,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    deps.logger.info(
      { tenantId: deps.tenantId, provider: 'evolution', instance: config.instance, events: registered.events, auth: config.webhookAuth },
      'Evolution webhook registered',
    );
  },
};

/** WhatsApp through Evolution API v2. */
export const evolutionPlugin: EvolutionPlugin = Object.freeze(plugin);
