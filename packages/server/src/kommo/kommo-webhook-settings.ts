/**
 * How the server learns what a tenant's Kommo webhook must prove: the secret of its URL and the
 * account it comes from, both read from the tenant's CRM integration (`PUT /v1/integrations/crm`
 * with `provider: "kommo"`). Changes are seen as soon as the integration view has them.
 */
import type { KommoConfig } from '@sdr/adapter-kommo';

/** What a delivery for a tenant is checked against. */
export interface KommoWebhookSettings {
  /** The secret of the webhook URL (`/webhooks/kommo/{tenantId}/{secret}`). */
  readonly secret: string;
  /** The tenant's Kommo account id: a delivery's `account[id]` must be it. */
  readonly accountId: string;
}

/** The settings of a tenant; `null` when its CRM is not Kommo (deliveries are refused with 401). */
export type KommoWebhookSettingsFor = (tenantId: string) => KommoWebhookSettings | null;

/** The parts of a tenant's CRM integration the settings are read from. */
export type ConfiguredCrmOf = (tenantId: string, kind: 'crm') => { readonly provider: string; readonly config: unknown } | null;

/** Settings from the tenant's CRM integration when it is Kommo. */
export function kommoWebhookSettings(configurationOf: ConfiguredCrmOf): KommoWebhookSettingsFor {
  return (tenantId) => {
    const integration = configurationOf(tenantId, 'crm');
    if (integration?.provider !== 'kommo') return null;
    const config = integration.config as KommoConfig;
    return { secret: config.webhookSecret, accountId: config.accountId };
  };
}

/** The URL Kommo delivers a tenant's webhooks to (what `registerWebhook` subscribes). */
export function kommoWebhookUrl(publicBaseUrl: string, tenantId: string, secret: string): string {
  return `${publicBaseUrl}/webhooks/kommo/${encodeURIComponent(tenantId)}/${encodeURIComponent(secret)}`;
}
