/**
 * The REST API of `@sdr/server`: `createHttpApp`, and the API-key helpers the runtime seeds the
 * demo tenant with.
 */
export { apiVersion, createHttpApp, type HttpAppOptions, type SdrAuthHooks } from './create-http-app.js';
export {
  apiKeyMatches,
  apiKeyPrefixOf,
  createTenantApiKey,
  generateApiKey,
  hashApiKey,
  sha256Hex,
  type GeneratedApiKey,
} from './auth/api-keys.js';
export { operatorAuthentication, tenantAuthentication, touchIntervalMs } from './auth/authenticate.js';
export { idempotencyTtlMs, replayedHeader } from './idempotency.js';
export { httpLogRedactPaths } from './logging.js';
export { problemContentType, problemType, type Problem } from './problem.js';
export { tenantOf, type Caller } from './request-context.js';
