/**
 * How the server learns a tenant's Evolution webhook settings: one injected function, so that
 * the route and the inbox worker do not care where they are kept (the tenant's WhatsApp
 * integration, or — until a tenant has one — the server's environment).
 */
import type { EvolutionConfig } from '@sdr/adapter-evolution';
import type { TenantRepository } from '@sdr/core';

/** What the webhook route and the inbox worker need to know of a tenant's Evolution setup. */
export interface EvolutionWebhookSettings {
  /** The shared secret deliveries carry (`x-webhook-secret`), and the JWT key unless `jwtKey` is set. */
  readonly secret: string;
  /** The HS256 key of `Authorization: Bearer` deliveries, when it is not `secret`. */
  readonly jwtKey?: string | undefined;
  /** A message typed on the business phone pauses the lead's automation (default true). */
  readonly pauseAutomationOnHumanMessage?: boolean | undefined;
  /** The tenant's Evolution API, to download media that did not come inline (none: only inline media are kept). */
  readonly api?: { readonly baseUrl: string; readonly apiKey: string } | undefined;
}

/** The settings of a tenant; `null` when it does not receive Evolution webhooks (they are refused with 401). */
export type EvolutionWebhookSettingsFor = (tenantId: string) => Promise<EvolutionWebhookSettings | null>;

/**
 * Settings from the environment, the same for every tenant of the store: the stand-in for
 * per-tenant integrations (`SDR_EVOLUTION_WEBHOOK_SECRET`, `SDR_EVOLUTION_WEBHOOK_JWT_KEY`,
 * `SDR_EVOLUTION_PAUSE_ON_HUMAN_MESSAGE`). Without a secret no tenant receives webhooks. Tenants
 * found are remembered; unknown ids are asked again (a tenant may be created meanwhile).
 */
export function environmentWebhookSettings(input: {
  readonly tenants: Pick<TenantRepository, 'get'>;
  readonly settings: EvolutionWebhookSettings | null;
}): EvolutionWebhookSettingsFor {
  const { settings } = input;
  const known = new Set<string>();
  return async (tenantId) => {
    if (settings === null) return null;
    if (known.has(tenantId)) return settings;
    if ((await input.tenants.get(tenantId)) === null) return null;
    known.add(tenantId);
    return settings;
  };
}

/** The parts of a tenant's WhatsApp integration the settings are read from. */
export interface ConfiguredIntegrationOf {
  (tenantId: string, kind: 'whatsapp'): { readonly provider: string; readonly config: unknown } | null;
}

/**
 * Settings from the tenant's own WhatsApp integration when it is Evolution
 * (`PUT /v1/integrations/whatsapp`): its webhook secret (the header's value, or the HS256 key in
 * `jwt` mode) and its API for media downloads. A tenant without one falls back to `fallback` (the
 * environment's settings). Configuration changes are seen as soon as the integration view has them.
 */
export function integrationWebhookSettings(input: {
  readonly configurationOf: ConfiguredIntegrationOf;
  readonly fallback: EvolutionWebhookSettingsFor;
  /** A message typed on the business phone pauses the lead's automation (the server's setting). */
  readonly pauseAutomationOnHumanMessage: boolean;
}): EvolutionWebhookSettingsFor {
  return async (tenantId) => {
    const integration = input.configurationOf(tenantId, 'whatsapp');
    if (integration?.provider !== 'evolution') return input.fallback(tenantId);
    const config = integration.config as EvolutionConfig;
    return {
      secret: config.webhookSecret,
      pauseAutomationOnHumanMessage: input.pauseAutomationOnHumanMessage,
      api: { baseUrl: config.baseUrl, apiKey: config.apiKey },
    };
  };
}
