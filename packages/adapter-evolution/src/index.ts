/**
 * `@sdr/adapter-evolution`: WhatsApp through Evolution API v2 — the `MessagingPort`,
 * the webhook helpers the server's route calls (verification, parsing, media, registration) and
 * the integration plugin. A fake Evolution for tests is exported from `@sdr/adapter-evolution/testing`.
 * @packageDocumentation
 */
export {
  createEvolutionMessaging,
  defaultEvolutionRequestsPerSecond,
  mediaTypeOf,
  type EvolutionMessaging,
  type EvolutionMessagingOptions,
} from './evolution-messaging.js';
export type { NumberCheckOptions, EvolutionRecipient } from './evolution-number-check.js';
export type { SendLookupOptions } from './evolution-send-lookup.js';
export {
  createEvolutionClient,
  normaliseBaseUrl,
  type EvolutionClient,
  type EvolutionConnection,
  type EvolutionOutcome,
  type EvolutionRequest,
} from './evolution-client.js';
export {
  evolutionProvider,
  isNotOnWhatsApp,
  networkFailure,
  parseRetryAfter,
  toEvolutionError,
  type EvolutionErrorContext,
  type EvolutionFailure,
} from './evolution-errors.js';
export {
  evolutionWebhookSecretHeader,
  parseEvolutionWebhook,
  verifyEvolutionWebhook,
  type EvolutionWebhookEnvelope,
  type ParsedEvolutionWebhook,
  type VerifyEvolutionWebhookInput,
  type WebhookHeaders,
  type WebhookRefusal,
  type WebhookVerification,
} from './evolution-webhook.js';
export {
  mapEvolutionConnection,
  mapEvolutionMessage,
  mapEvolutionStatus,
  type EvolutionConnectionState,
  type EvolutionConnectionUpdate,
  type EvolutionIgnoredReason,
  type EvolutionMessageStatus,
  type EvolutionStatusUpdate,
  type EvolutionWebhookEvent,
  type EvolutionWebhookMessage,
} from './map-evolution-webhook.js';
export {
  messageMedia,
  messageText,
  normaliseText,
  type EvolutionMediaDescriptor,
  type EvolutionMediaKind,
} from './map-evolution-content.js';
export { fetchEvolutionMedia, type EvolutionMediaFile, type FetchEvolutionMediaInput } from './evolution-media.js';
export {
  evolutionWebhookSetBody,
  registerEvolutionWebhook,
  type EvolutionWebhookAuth,
  type RegisterEvolutionWebhookInput,
  type RegisteredEvolutionWebhook,
} from './evolution-webhook-registration.js';
export { probeConnectionState, type ConnectionStateProbe } from './evolution-connection-state.js';
export { evolutionConfigSchema, evolutionPlugin, type EvolutionConfig, type EvolutionPlugin } from './evolution-plugin.js';
export * from './evolution-api.js';
