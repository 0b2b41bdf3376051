export {
  backoffCeiling,
  backoffDelay,
  decideRetry,
  defaultRetryPolicy,
  retryOperation,
  type RetryDecision,
  type RetryPolicy,
} from './retry-policy.js';
