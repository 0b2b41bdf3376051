/**
 * The thresholds of the built-in alerts (SPEC §8), their defaults, and their validation: a bad
 * value is refused when the evaluator is created, naming the field, not at 3 a.m. when a rule runs.
 */
import { ValidationError } from '@sdr/core';

const minute = 60_000;
const hour = 60 * minute;

export interface AlertThresholds {
  /** A pending message due longer ago than this is stuck (default 2 h). */
  readonly stuckAfterMs: number;
  /** The window the send error rate is computed over (default 15 min). */
  readonly errorRateWindowMs: number;
  /** Failed / (sent + failed) above this raises the alert (default 0.10). */
  readonly errorRateThreshold: number;
  /** Fewer sends than this in the window never raise it (default 20). */
  readonly errorRateMinSamples: number;
  /** No dispatcher heartbeat for this long raises the alert (default 24 h). */
  readonly heartbeatMissingAfterMs: number;
  /** A pending CRM outbox entry older than this raises the alert (default 15 min). */
  readonly crmSyncLagMs: number;
}

export const defaultAlertThresholds: AlertThresholds = Object.freeze({
  stuckAfterMs: 2 * hour,
  errorRateWindowMs: 15 * minute,
  errorRateThreshold: 0.1,
  errorRateMinSamples: 20,
  heartbeatMissingAfterMs: 24 * hour,
  crmSyncLagMs: 15 * minute,
});

const durationFields = ['stuckAfterMs', 'errorRateWindowMs', 'heartbeatMissingAfterMs', 'crmSyncLagMs'] as const;

/** The defaults overridden by `overrides`, validated; `ValidationError` names the bad field. */
export function resolveAlertThresholds(overrides: Partial<AlertThresholds> = {}): AlertThresholds {
  const thresholds: AlertThresholds = { ...defaultAlertThresholds, ...overrides };
  for (const field of durationFields) {
    const value = thresholds[field];
    if (!Number.isSafeInteger(value) || value <= 0)
      throw ValidationError.forField(`thresholds.${field}`, 'must be a positive whole number of milliseconds');
  }
  const rate = thresholds.errorRateThreshold;
  if (!Number.isFinite(rate) || rate <= 0 || rate >= 1)
    throw ValidationError.forField('thresholds.errorRateThreshold', 'must be a fraction between 0 and 1, exclusive');
  if (!Number.isSafeInteger(thresholds.errorRateMinSamples) || thresholds.errorRateMinSamples < 1) {
    throw ValidationError.forField('thresholds.errorRateMinSamples', 'must be a whole number of at least 1');
  }
  return Object.freeze(thresholds);
}
