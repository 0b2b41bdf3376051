/**
 * `@sdr/adapter-kommo`: Kommo CRM through API v4 — the `CrmPort` (paced under Kommo's 7 requests
 * per second, batch first, long-lived token or OAuth 2), pipeline stages by name, the webhook
 * helpers the server's route calls, and the integration plugin. A stateful fake Kommo for tests
 * and benches is exported from `@sdr/adapter-kommo/testing`.
 * @packageDocumentation
 */
export {
  checkSubdomain,
  createKommoCrm,
  kommoDefaultBatchSize,
  kommoDefaultRequestsPerSecond,
  kommoMaxRequestsPerSecond,
  kommoRateLimitKey,
  type KommoCrm,
  type KommoCrmOptions,
} from './kommo-crm.js';
export { exchange as exchangeKommoOAuthGrant, kommoOAuthCredentialKey, type KommoAuth } from './kommo-auth.js';
export {
  createKommoClient,
  normaliseBaseUrl,
  type KommoClient,
  type KommoClientOptions,
  type KommoOutcome,
  type KommoRequest,
  type KommoTokenSource,
} from './kommo-client.js';
export {
  kommoProvider,
  minimumRateLimitWaitMs,
  parseRetryAfter,
  toKommoError,
  type KommoErrorContext,
  type KommoFailure,
} from './kommo-errors.js';
export {
  foldName,
  isKnownStage,
  kommoLostStatusId,
  kommoWonStatusId,
  resolveKommoStages,
  type KommoStageNames,
  type ResolvedKommoStages,
} from './kommo-stages.js';
export { toKommoValue } from './kommo-catalog.js';
export { checkPatches, toKommoLeadPatch } from './kommo-updates.js';
export { phoneQuery } from './kommo-reads.js';
export {
  contactFieldValues,
  contactHasPhone,
  contactPhones,
  leadFields,
  noteKeyOf,
  noteReference,
  noteText,
  toCrmContact,
  toCrmLead,
  type CountryCode,
} from './map-kommo-lead.js';
export * from './kommo-api.js';
export {
  isEchoOfSyncedStage,
  kommoWebhookLeadIds,
  parseKommoWebhook,
  parsePhpForm,
  type PhpFormTree,
  redactKommoWebhookPath,
  stageChangesFrom,
  verifyKommoWebhook,
  type KommoWebhookLeadEvent,
  type KommoWebhookVerification,
  type ParsedKommoWebhook,
} from './kommo-webhook.js';
export { kommoConfigSchema, kommoPlugin, type KommoConfig, type KommoPlugin } from './kommo-plugin.js';
