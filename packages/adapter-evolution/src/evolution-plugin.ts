/**
 * The integration descriptor: how the server configures WhatsApp through Evolution for a tenant
 * (`PUT /v1/integrations/whatsapp` with `{ "provider": "evolution", "config": { … } }`).
 *
 * The plugin contract (`AdapterPlugin`, `PluginDeps`, `secret`) is being added to `@sdr/core`;
 * until it lands, the shapes below are local and structurally the same, so the descriptor plugs
 * in unchanged. Secret fields are marked `writeOnly` in the JSON Schema, as `secret()` does.
 */
import { ValidationError, type Clock, type Logger, type RateLimiter } from '@sdr/core';
import { z } from 'zod';
import { createEvolutionClient, normaliseBaseUrl } from './evolution-client.js';
import { probeConnectionState } from './evolution-connection-state.js';
import { toEvolutionError } from './evolution-errors.js';
import { createEvolutionMessaging, type EvolutionMessaging } from './evolution-messaging.js';
import { registerEvolutionWebhook } from './evolution-webhook-registration.js';

/** Marks a config field as a secret: write-only in the JSON Schema, never shown back. */
function secretField<Schema extends z.ZodType>(schema: Schema): Schema {
  return schema.meta({ writeOnly: true });
}

/** The tenant's Evolution settings. */
export const evolutionConfigSchema = z.strictObject({
  /** The Evolution server, as the server reaches it. */
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .describe('The Evolution API server, e.g. https://evolution.example.com'),
  /** The global API key or the instance's token. */
  apiKey: secretField(z.string().min(1).max(500)).describe('Evolution API key (global, or the instance token)'),
  /** The instance (one WhatsApp number). */
  instance: z.string().trim().min(1).max(100).describe('The Evolution instance name'),
  /** The secret deliveries must carry (header or JWT key). */
  webhookSecret: secretField(z.string().min(16, 'must be at least 16 characters').max(500)).describe(
    'Shared secret of the webhook deliveries (x-webhook-secret header, or the HS256 key in jwt mode)',
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

/** What the server gives a plugin (the part of core's `PluginDeps` this plugin uses). */
export interface EvolutionPluginDeps {
  readonly tenantId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rateLimiter: RateLimiter;
  readonly fetch?: typeof globalThis.fetch;
}

/** The descriptor's shape (core's `AdapterPlugin<'whatsapp', EvolutionConfig, MessagingPort>`). */
export interface EvolutionPlugin {
  readonly contractVersion: 'v1';
  readonly kind: 'whatsapp';
  readonly provider: 'evolution';
  readonly displayName: string;
  readonly configSchema: z.ZodType<EvolutionConfig>;
  create(config: EvolutionConfig, deps: EvolutionPluginDeps): EvolutionMessaging;
  /** Evolution is reachable, the key accepted and the instance known; a `ValidationError` naming the setting otherwise. */
  validate(config: EvolutionConfig, deps: EvolutionPluginDeps): Promise<void>;
  /** Registers the webhook when `registerWebhook` is set. */
  onConfigured(input: {
    readonly config: EvolutionConfig;
    readonly deps: EvolutionPluginDeps;
    readonly webhookUrl: string;
    readonly signal?: AbortSignal;
  }): Promise<void>;
}

const validateTimeoutMs = 10_000;

const plugin: EvolutionPlugin = {
  contractVersion: 'v1',
  kind: 'whatsapp',
  provider: 'evolution',
  displayName: 'WhatsApp (Evolution API)',
  configSchema: evolutionConfigSchema,

  create(config: EvolutionConfig, deps: EvolutionPluginDeps): EvolutionMessaging {
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

  async validate(config: EvolutionConfig, deps: EvolutionPluginDeps): Promise<void> {
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
