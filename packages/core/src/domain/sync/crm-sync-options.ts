/**
 * The CRM sync worker's options, their defaults, and the checks that refuse a worker that could
 * not work (a zero lease, a batch of no leads) at creation rather than mid-pass.
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { CrmPort } from '../../ports/crm/crm-port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Tenant } from '../model/tenant.js';
import type { RetryPolicy } from '../retry/retry-policy.js';

/** Options of `createCrmSyncWorker`. */
export interface CrmSyncWorkerOptions {
  /** `outbox`, `leads`, `syncStates`, `tenants` and `alerts`. */
  readonly store: Store;
  readonly clock: Clock;
  /**
   * The CRM of a tenant (one port per account; the same port may serve several tenants). It paces
   * its own requests under the account's limit (the port's contract): the worker takes no tokens.
   */
  readonly crmFor: (tenant: Tenant) => CrmPort;
  /** Receives `crm.sync_blocked` and `alert.raised`. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  /** Identifies this worker's claims (`lockedBy`). Default: `crm-sync-<uuid>`. */
  readonly workerId?: string;
  /** Leads claimed per pass (default 250). */
  readonly batchLeads?: number;
  /** How long a claim holds a lead's entries (default 10 min); a pass stops taking work before it ends. */
  readonly leaseMs?: number;
  /** Idle wait of the loop after a pass that claimed less than a full batch (default 1 s). */
  readonly pollIntervalMs?: number;
  /** How often entries whose worker died are recovered (default 1 min; also on the first pass). */
  readonly stuckRecoveryIntervalMs?: number;
  /** Backoff of failed entries; default: unlimited attempts, 5 s doubling up to 15 min. */
  readonly retryPolicy?: RetryPolicy;
  /** While an account is blocked, its entries are looked at again this often (default 5 min). */
  readonly blockedRecheckMs?: number;
  /** 429s in a row waited out (Retry-After) before a call counts as failed (default 3). */
  readonly maxThrottleWaits?: number;
  /** Source of jitter in `[0, 1)` for backoff. */
  readonly random?: () => number;
}

/**
 * Nothing is lost while the CRM is down (SPEC §4.7): entries are retried without a limit on
 * attempts, and the backoff stops growing at 15 minutes so that a CRM back after hours is caught
 * up within a quarter of an hour. Permanent failures (a field id the CRM refuses) still stop at once.
 */
export const defaultCrmRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
  factor: 2,
});

/** The options with every default filled in. */
export interface CrmSyncSettings {
  readonly workerId: string;
  readonly batchLeads: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly stuckRecoveryIntervalMs: number;
  readonly retryPolicy: RetryPolicy;
  readonly blockedRecheckMs: number;
  readonly maxThrottleWaits: number;
  readonly random: () => number;
  readonly logger: Logger;
}

/** Fills in the defaults; a setting that could not work is a `ValidationError` naming it. */
export function resolveCrmSyncSettings(options: CrmSyncWorkerOptions): CrmSyncSettings {
  const settings: CrmSyncSettings = {
    workerId: options.workerId ?? `crm-sync-${randomUUID()}`,
    batchLeads: options.batchLeads ?? 250,
    leaseMs: options.leaseMs ?? 10 * 60_000,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    stuckRecoveryIntervalMs: options.stuckRecoveryIntervalMs ?? 60_000,
    retryPolicy: options.retryPolicy ?? defaultCrmRetryPolicy,
    blockedRecheckMs: options.blockedRecheckMs ?? 5 * 60_000,
    maxThrottleWaits: options.maxThrottleWaits ?? 3,
    random: options.random ?? Math.random,
    logger: options.logger ?? noopLogger,
  };
  if (settings.workerId.trim() === '') throw ValidationError.forField('workerId', 'must not be empty');
  for (const field of ['batchLeads', 'leaseMs', 'pollIntervalMs', 'stuckRecoveryIntervalMs', 'blockedRecheckMs'] as const) {
    const value = settings[field];
    if (!Number.isInteger(value) || value < 1) throw ValidationError.forField(field, 'must be a whole number, 1 or more');
  }
  if (!Number.isInteger(settings.maxThrottleWaits) || settings.maxThrottleWaits < 0) {
    throw ValidationError.forField('maxThrottleWaits', 'must be a whole number, 0 or more');
  }
  return settings;
}
