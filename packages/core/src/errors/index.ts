export { SdrError, sdrErrorKinds, type SdrErrorClass, type SdrErrorCode, type SdrErrorOptions } from './sdr-error.js';
export {
  AbortedError,
  AuthError,
  ConflictError,
  DuplicateError,
  LockNotAcquiredError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  RecipientUnreachableError,
  SlotUnavailableError,
  ValidationError,
  VersionConflictError,
  isRetryableStatus,
  type AlternativeSlot,
  type FieldError,
  type ProviderErrorInit,
} from './errors.js';
export { classifyError, isNetworkErrorCode, isTransientError, type ErrorClassification } from './classify.js';
export { REDACTED, maskDigits, maskPersonalData, redact } from './redact.js';
