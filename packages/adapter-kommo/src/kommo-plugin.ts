/**
 * The integration descriptor (core's `AdapterPlugin`): how the server configures Kommo for a
 * tenant (`PUT /v1/integrations/crm` with `{ "provider": "kommo", "config": { … } }`). The token,
 * the OAuth client secret, the refresh token and the webhook secret are `secret` fields.
 *
 * `validate` (run at `PUT` time) reads the account's pipelines and resolves the configured
 * pipeline and stage names — a name that does not exist fails naming the pipeline's real
 * statuses; `resolveStages` gives the host the resolved `stageMapping` to store with the tenant.
 * `onConfigured` subscribes the webhook URL through `POST /api/v4/webhooks` when `registerWebhook`.
 */
import { ConflictError, ValidationError, secret, stageSchema, type AdapterPlugin, type PluginDeps } from '@sdr/core';
import { z } from 'zod';
import { kommoWebhookCreatedSchema, kommoWebhookSettings } from './kommo-api.js';
import { createKommoCrm, type KommoCrm } from './kommo-crm.js';
import { createKommoContext } from './kommo-context.js';
import { authSecrets, exchange, kommoOAuthCredentialKey } from './kommo-auth.js';
import { resolveKommoStages, type ResolvedKommoStages } from './kommo-stages.js';

const statusNameOrId = z.union([z.string().trim().min(1).max(200), z.number().int().positive()]);

/** The tenant's Kommo settings. */
export const kommoConfigSchema = z.strictObject({
  subdomain: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be the account subdomain (acme of acme.kommo.com)')
    .describe('The account subdomain: acme for https://acme.kommo.com'),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .optional()
    .describe('Default https://{subdomain}.kommo.com'),
  auth: z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('long_lived'),
      // `secret` goes last: every zod method returns a new schema, which would not carry the mark.
      token: secret(z.string().min(1).max(4000).describe('Long-lived token of a private integration')),
    }),
    z.strictObject({
      type: z.literal('oauth'),
      clientId: z.string().min(1).max(200).describe('Integration ID'),
      clientSecret: secret(z.string().min(1).max(500).describe('Integration secret key')),
      redirectUri: z.url().describe('Redirect URI registered with the integration'),
      refreshToken: secret(
        z.string().min(1).max(4000).describe('A refresh token to start from (it rotates; the host keeps the newest)'),
      ).optional(),
    }),
  ]),
  accountId: z
    .union([z.string().regex(/^\d+$/), z.number().int().positive()])
    .transform(String)
    .describe('Kommo account id (account[id] of webhooks)'),
  pipeline: statusNameOrId.describe('The pipeline, by name as Kommo shows it or by id'),
  stages: z
    .partialRecord(stageSchema, statusNameOrId)
    .optional()
    .describe('Per domain stage, the status name as Kommo shows it (or its id); won/lost default to 142/143'),
  fieldMapping: z.record(z.string().min(1).max(100), z.string().regex(/^\d+$/)).optional().describe('Lead field ⇒ Kommo custom field id'),
  webhookSecret: secret(z.string().min(16, 'must be at least 16 characters').max(200).describe('Secret of the webhook URL')),
  registerWebhook: z.boolean().default(false).describe('Subscribe the webhook URL through the API when saved'),
  requestsPerSecond: z
    .number()
    .positive()
    .max(7)
    .default(6)
    .describe('Pace at most this many requests per second (Kommo allows 7; 6 leaves room for network jitter)'),
  maxBatchSize: z.number().int().min(1).max(250).default(50).describe('Items per batch request'),
});

/** Parsed Kommo settings. */
export type KommoConfig = z.output<typeof kommoConfigSchema>;

type KommoAdapterPlugin = AdapterPlugin<'crm', KommoConfig, KommoCrm>;

/** The Kommo plugin: kind `crm`, provider `kommo`; it validates stage names and can register its webhook. */
export interface KommoPlugin extends KommoAdapterPlugin {
  create(config: KommoConfig, deps: PluginDeps): KommoCrm;
  readonly validate: NonNullable<KommoAdapterPlugin['validate']>;
  readonly onConfigured: NonNullable<KommoAdapterPlugin['onConfigured']>;
  readonly oauth: NonNullable<KommoAdapterPlugin['oauth']>;
  /** Reads the pipelines and resolves the configured names (a `ValidationError` naming `config.stages.<stage>` otherwise). */
  resolveStages(config: KommoConfig, deps: PluginDeps, signal?: AbortSignal): Promise<ResolvedKommoStages>;
}

function crmFor(config: KommoConfig, deps: PluginDeps): KommoCrm {
  return createKommoCrm({
    subdomain: config.subdomain,
    baseUrl: config.baseUrl,
    auth: config.auth,
    rateLimiter: deps.rateLimiter,
    requestsPerSecond: config.requestsPerSecond,
    maxBatchSize: config.maxBatchSize,
    credentials: deps.credentials,
    lock: deps.lock,
    clock: deps.clock,
    stageNames: { pipeline: config.pipeline, stages: config.stages },
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
}

const plugin: KommoPlugin = {
  contractVersion: 'v1',
  kind: 'crm',
  provider: 'kommo',
  displayName: 'Kommo',
  configSchema: kommoConfigSchema,

  create: crmFor,

  async resolveStages(config, deps, signal) {
    const pipelines = await crmFor(config, deps).listPipelines(signal === undefined ? {} : { signal });
    return resolveKommoStages(pipelines, { pipeline: config.pipeline, stages: config.stages }, 'config');
  },

  oauth: {
    /** Kommo's consent page (UNCONFIRMED beyond `client_id`, `state` and `mode`: Kommo takes the redirect URI from the integration). */
    authorizationUrl({ config, state }) {
      const url = new URL('https://www.kommo.com/oauth');
      url.searchParams.set('client_id', config.auth.type === 'oauth' ? config.auth.clientId : '');
      url.searchParams.set('state', state);
      url.searchParams.set('mode', 'post_message');
      return url.toString();
    },
    /** Exchanges the redirect's code; the tokens go to the credential store, the configuration keeps none of them. */
    async exchangeCode({ config, code, deps }) {
      if (config.auth.type !== 'oauth')
        throw ValidationError.forField('config.auth.type', 'must be oauth to connect with an authorization code');
      const crm = crmFor(config, deps);
      const tokens = await exchange(crm.client, config.auth, { grant_type: 'authorization_code', code }, deps.clock, {});
      const current = await deps.credentials.get(kommoOAuthCredentialKey);
      if (!(await deps.credentials.compareAndSet(kommoOAuthCredentialKey, tokens, current?.version ?? null))) {
        throw new ConflictError('the Kommo tokens changed while the account was being connected: connect it again', { retryable: true });
      }
      const { refreshToken: _unused, ...auth } = config.auth;
      return { ...config, auth };
    },
  },

  async validate(config, deps) {
    await plugin.resolveStages(config, deps);
  },

  async onConfigured(input) {
    const { config, deps } = input;
    if (!config.registerWebhook) return;
    if (!/^https:\/\/[^\s]+$/i.test(input.webhookUrl)) {
      throw ValidationError.forField('webhookUrl', 'must be an https URL Kommo can reach');
    }
    const crm = crmFor(config, deps);
    // The registration shares the port's client (pacing, token refresh) through a context of its own.
    const context = createKommoContext({
      client: crm.client,
      clock: deps.clock,
      secrets: [...authSecrets(config.auth), config.webhookSecret],
      defaultCountry: 'BR',
      maxBatchSize: config.maxBatchSize,
    });
    await context.request({
      operation: 'webhooks.add',
      method: 'post',
      path: 'api/v4/webhooks',
      json: { destination: input.webhookUrl, settings: [...kommoWebhookSettings] },
      schema: kommoWebhookCreatedSchema,
      signal: input.signal,
    });
    deps.logger.info(
      { tenantId: deps.tenantId, provider: 'kommo', account: config.subdomain, settings: kommoWebhookSettings },
      'Kommo webhook registered',
    );
  },
};

/** Kommo CRM through API v4. */
export const kommoPlugin: KommoPlugin = Object.freeze(plugin);
