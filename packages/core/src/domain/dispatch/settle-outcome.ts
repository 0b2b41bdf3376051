/**
 * Writes what happened to a claimed row — `markSent`, `markSkipped`, `markFailed` or `defer` —
 * then emits the matching event and tells the handler (`onSettled`) when the row reached a
 * final state. Every write is conditional on this worker still holding the row: when it lost the
 * lease to stuck recovery the write is refused, and the dispatcher logs it and moves on (the
 * row's new holder owns it now).
 */
import { RecipientUnreachableError, classifyError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { deferred, emitCommitted, writeEventsWithin } from '../events/after-commit.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { ScheduledMessage, SkipReason, StoredError } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import { decideRetry } from '../retry/retry-policy.js';
import type { DispatchHandler, DispatchOutcome } from './dispatch-handler.js';
import type { DispatchRunCounters } from './dispatch-report.js';
import type { DispatcherSettings } from './dispatcher-options.js';
import { describeError, emitSafely } from './emit-safely.js';
import { markLeadUnreachable } from './mark-unreachable.js';

/** Where one row's processing ended, before it is written. */
export type DispatchStep =
  | { readonly kind: 'sent'; readonly providerMessageId: string; readonly text: string }
  | { readonly kind: 'performed' }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  /** Back to `pending` at `until` without counting an attempt; `why` is logged. */
  | { readonly kind: 'defer'; readonly until: Date; readonly why: string }
  /** The lease was lost before acting: nothing was done, nothing is written. */
  | { readonly kind: 'lost' }
  /**
   * The send was aborted at the stop deadline: the provider may have it, so nothing is written;
   * the row stays `sending` until stuck recovery returns it.
   */
  | { readonly kind: 'abandoned' }
  /** `code` replaces the classified error code in the stored error (e.g. `tenant_missing`). */
  | { readonly kind: 'failure'; readonly error: unknown; readonly code?: string };

/** The row being processed, and what was learned about it on the way. */
export interface RowRun {
  readonly row: ScheduledMessage;
  tenant: Tenant | null;
  handler: DispatchHandler | undefined;
}

/** What recording needs. */
interface RecordDependencies {
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: DispatcherSettings;
  readonly events: DomainEvents | undefined;
  readonly logger: Logger;
  readonly random: () => number;
  readonly counters: DispatchRunCounters;
}

const maxStoredMessageLength = 2000;

/** Writes `step` for `run.row`, counts it, emits its event and notifies the handler. */
export async function recordOutcome(run: RowRun, step: DispatchStep, deps: RecordDependencies): Promise<void> {
  const { row } = run;
  const { store, settings, counters } = deps;
  const scheduler = store.scheduledMessages;
  const workerId = settings.workerId;
  const now = deps.clock.now();
  const log = { scheduledMessageId: row.id, tenantId: row.tenantId, kind: row.kind, workerId };
  const base = { tenantId: row.tenantId, at: now, scheduledMessageId: row.id, kind: row.kind };

  switch (step.kind) {
    case 'sent':
    case 'performed': {
      const providerMessageId = step.kind === 'sent' ? step.providerMessageId : null;
      // `sent` also means "done" for a `perform` decision: the row's work is over.
      if (!(await scheduler.markSent({ id: row.id, workerId, now, providerMessageId }))) {
        leaseLost(deps.logger, log, step.kind);
        return;
      }
      if (step.kind === 'sent') counters.sent += 1;
      else counters.performed += 1;
      emitSafely(deps, 'scheduled.sent', { ...base, providerMessageId });
      const settled = { ...row, status: 'sent' as const, sentAt: now, providerMessageId, leaseExpiresAt: null, updatedAt: now };
      const outcome: DispatchOutcome =
        step.kind === 'sent' ? { status: 'sent', providerMessageId, text: step.text, at: now } : { status: 'performed', at: now };
      await notifyHandler(run, settled, outcome, deps);
      return;
    }
    case 'skip': {
      if (!(await scheduler.markSkipped({ id: row.id, workerId, now, reason: step.reason }))) {
        leaseLost(deps.logger, log, 'skipped');
        return;
      }
      counters.skipped += 1;
      deps.logger.info({ ...log, reason: step.reason }, 'scheduled message skipped');
      emitSafely(deps, 'scheduled.skipped', { ...base, reason: step.reason });
      const settled = { ...row, status: 'skipped' as const, skipReason: step.reason, leaseExpiresAt: null, updatedAt: now };
      await notifyHandler(run, settled, { status: 'skipped', reason: step.reason, at: now }, deps);
      return;
    }
    case 'defer': {
      if (!(await scheduler.defer({ id: row.id, workerId, now, dueAt: step.until }))) {
        leaseLost(deps.logger, log, 'deferred');
        return;
      }
      counters.deferred += 1;
      deps.logger.debug({ ...log, until: step.until.toISOString(), why: step.why }, 'scheduled message deferred');
      return;
    }
    case 'lost':
      leaseLost(deps.logger, log, 'not sent');
      return;
    case 'abandoned':
      deps.logger.warn({ ...log, outcome: 'abandoned' }, 'send aborted at the stop deadline; stuck recovery will return the row');
      return;
    case 'failure':
      return recordFailure(run, step, deps);
  }
}

async function recordFailure(run: RowRun, step: Extract<DispatchStep, { kind: 'failure' }>, deps: RecordDependencies): Promise<void> {
  const { row } = run;
  const { settings, counters } = deps;
  const now = deps.clock.now();
  const log = { scheduledMessageId: row.id, tenantId: row.tenantId, kind: row.kind, workerId: settings.workerId };
  const classification = classifyError(step.error);
  const error: StoredError = {
    code: (step.code ?? classification.code).slice(0, 100),
    message: classification.message.slice(0, maxStoredMessageLength),
    transient: classification.transient,
    at: now,
  };
  const retry = decideRetry({ error: step.error, attemptsMade: row.attempts + 1, policy: settings.retryPolicy, random: deps.random });
  const retryAt = retry.retry ? new Date(now.getTime() + retry.delayMs) : null;
  const failed = deferred('scheduled.failed', {
    tenantId: row.tenantId,
    at: now,
    scheduledMessageId: row.id,
    kind: row.kind,
    error: `${error.code}: ${error.message}`,
    final: retryAt === null,
  });
  // The failure and what the transactional sinks write for it (a `message.failed` delivery) commit together.
  const marked = await deps.store.transaction(async (tx) => {
    if (!(await tx.scheduledMessages.markFailed({ id: row.id, workerId: settings.workerId, now, error, retryAt }))) return false;
    await writeEventsWithin(deps.events, tx, [failed]);
    return true;
  });
  if (!marked) {
    leaseLost(deps.logger, log, 'failed');
    return;
  }
  emitCommitted(deps, [failed]);
  if (retryAt !== null) {
    counters.retried += 1;
    deps.logger.warn({ ...log, code: error.code, retryAt: retryAt.toISOString(), attempts: row.attempts + 1 }, 'send failed; will retry');
    return;
  }
  counters.failed += 1;
  deps.logger.error({ ...log, code: error.code, reason: retry.retry ? undefined : retry.reason }, 'scheduled message failed for good');
  if (RecipientUnreachableError.isInstance(step.error) && row.leadId !== null) {
    // The row is settled already: a failure here is logged, and the next unreachable send marks it.
    await markLeadUnreachable(deps, { tenantId: row.tenantId, leadId: row.leadId, now, scheduledMessageId: row.id }).catch(
      (markError: unknown) => {
        deps.logger.error({ ...log, error: describeError(markError) }, 'could not mark the lead unreachable');
      },
    );
  }
  const settled = { ...row, status: 'failed' as const, attempts: row.attempts + 1, lastError: error, leaseExpiresAt: null, updatedAt: now };
  await notifyHandler(run, settled, { status: 'failed', error, at: now }, deps);
}

/**
 * Tells the handler the row is final. Its failure is logged and changes nothing: the row's status
 * is already written, and handlers are idempotent, so a repair job (or a replay) can call again.
 */
async function notifyHandler(run: RowRun, settled: ScheduledMessage, outcome: DispatchOutcome, deps: RecordDependencies): Promise<void> {
  const { handler, tenant } = run;
  // Without a tenant there is no context to give (the `tenant_missing` failure).
  if (handler?.onSettled === undefined || tenant === null) return;
  try {
    await handler.onSettled(settled, outcome, { now: outcome.at, tenant, store: deps.store });
  } catch (error) {
    deps.logger.error(
      {
        scheduledMessageId: settled.id,
        tenantId: settled.tenantId,
        kind: settled.kind,
        outcome: outcome.status,
        error: describeError(error),
      },
      'the handler failed after the message was settled; the row keeps its status',
    );
  }
}

function leaseLost(logger: Logger, log: Record<string, unknown>, what: string): void {
  if (what === 'sent') {
    // Sent, then found the row taken back: its new holder sends again with the same idempotency
    // key, which only a deduplicating provider turns into a no-op. Worth an operator's eye.
    logger.error({ ...log, outcome: what }, 'sent after the lease was lost; the new holder may send it again');
    return;
  }
  logger.warn({ ...log, outcome: what }, 'lease lost to stuck recovery; the row belongs to another dispatcher now');
}
