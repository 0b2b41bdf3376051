/**
 * WhatsApp deliveries from Evolution API: the webhook route, the inbox and its worker, the
 * delivery and connection states.
 */
export { applyEvolutionEvent, type EvolutionEventDeps, type EvolutionEventResult } from './apply-evolution-event.js';
export { createEvolutionInbox, type EvolutionInbox, type InboxCounts, type InboxEvent, type NewInboxEvent } from './evolution-inbox.js';
export { createEvolutionInboxWorker, type EvolutionInboxWorker, type EvolutionInboxWorkerOptions } from './evolution-inbox-worker.js';
export { createEvolutionIngest, type EvolutionIngest } from './evolution-ingest.js';
export { createInboundMedia, type InboundMedia, type InboundMediaOptions } from './inbound-media.js';
export {
  createEvolutionWebhookRoutes,
  inboxEntry,
  type EvolutionWebhookAnswer,
  type EvolutionWebhookRoutesOptions,
} from './evolution-webhook-route.js';
export {
  environmentWebhookSettings,
  integrationWebhookSettings,
  type ConfiguredIntegrationOf,
  type EvolutionWebhookSettings,
  type EvolutionWebhookSettingsFor,
} from './evolution-webhook-settings.js';
export {
  createWhatsappDeliveryState,
  withChannelStates,
  type ChannelState,
  type MessageDeliveryState,
  type WhatsappDeliveryState,
} from './whatsapp-delivery-state.js';
