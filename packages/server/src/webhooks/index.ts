export { webhookEventTypes, type WebhookEventType, type WebhookPayload } from './webhook-events.js';
export { createWebhookRoutes } from './webhook-routes.js';
export { InternalAddressError, isInternalAddress, sendWebhook, signatureHeader } from './webhook-sender.js';
export { createWebhookService, newSecret, previousSecretValidityMs, type WebhookService } from './webhook-service.js';
export { createWebhookWorker, endpointDisabledAlertKind, retryDelaysMs, type WebhookWorker } from './webhook-worker.js';
