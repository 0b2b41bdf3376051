/**
 * Kommo's webhooks: the route `POST /webhooks/kommo/{tenantId}/{secret}`, the settings it checks
 * deliveries against, and what an accepted delivery does.
 */
export { applyKommoDelivery, type KommoDeliveryDeps, type KommoDeliveryReport } from './kommo-delivery.js';
export { createKommoIngest, type KommoIngest } from './kommo-ingest.js';
export { createKommoInbox, type KommoInbox, type KommoInboxDelivery } from './kommo-inbox.js';
export {
  createKommoInboxWorker,
  kommoInboxFailedAlertKind,
  type KommoInboxWorker,
  type KommoInboxWorkerOptions,
} from './kommo-inbox-worker.js';
export { createKommoWebhookRoutes, type KommoWebhookAnswer, type KommoWebhookRoutesOptions } from './kommo-webhook-route.js';
export {
  kommoWebhookSettings,
  kommoWebhookUrl,
  type ConfiguredCrmOf,
  type KommoWebhookSettings,
  type KommoWebhookSettingsFor,
} from './kommo-webhook-settings.js';
