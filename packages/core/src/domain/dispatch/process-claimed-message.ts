/**
 * What the dispatcher does with one claimed row, in two halves:
 *
 * 1. `decide` re-validates and acts: the handler's `prepare`, business hours, channel health,
 *    pacing, then the send (or the handler's `perform`). Whatever it throws is a failure of the
 *    message, classified transient or permanent.
 * 2. `record` writes the outcome (`settle-outcome.ts`). A failure there (the store is down) is
 *    **not** a failure of the message: it was maybe already sent. The row stays `sending` and
 *    stuck recovery returns it once the lease expires; the idempotency key (the row id) lets the
 *    provider drop the repeat where it can.
 */
import { AbortedError, NotFoundError, ValidationError, isTransientError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { MessagingPort } from '../../ports/messaging/messaging-port.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import type { BusinessCalendar } from '../time/business-calendar.js';
import type { ChannelHealthGate } from './channel-health-gate.js';
import type { DispatchContext, DispatchDecision, DispatchHandler } from './dispatch-handler.js';
import type { DispatchRunCounters } from './dispatch-report.js';
import type { DispatcherSettings } from './dispatcher-options.js';
import { describeError } from './emit-safely.js';
import type { InstancePacer } from './instance-pacer.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { recordOutcome, type DispatchStep, type RowRun } from './settle-outcome.js';

/** What every pass shares: the dispatcher's parts. */
export interface DispatchDependencies {
  readonly store: Store;
  /** The tenant's channel. */
  readonly messagingFor: (tenantId: string) => MessagingPort;
  readonly clock: Clock;
  readonly settings: DispatcherSettings;
  readonly gate: ChannelHealthGate;
  readonly pacer: InstancePacer;
  readonly events: DomainEvents | undefined;
  readonly logger: Logger;
  readonly random: () => number;
}

/** One pass over a claimed batch. */
export interface DispatchPass {
  /** Aborted when `stop()` asks the pass to wrap up: rows not yet sent go back to `pending`. */
  readonly stopping: AbortSignal;
  /** Aborted when the stop deadline passes: the call signal of sends, which are then abandoned. */
  readonly abandon: AbortSignal;
  readonly leases: LeaseKeeper;
  readonly counters: DispatchRunCounters;
  /** The tenant, loaded once per pass; `null` when it does not exist. */
  tenant(tenantId: string): Promise<Tenant | null>;
  /** The tenant's business calendar, built once per pass. */
  calendar(tenant: Tenant): BusinessCalendar;
}

// A row of a kind without a handler should never be claimed (claims filter by kind); if a store
// ignores the filter, the row waits for a dispatcher that has the handler instead of failing.
const unhandledKindDeferMs = 60_000;
// After a pacing wait the handler re-validates; a handler that names another instance each time
// would never settle, so the row is re-queued after this many preparations.
const maxPreparations = 3;

/** Processes one claimed row to its outcome and records it. Never rejects. */
export async function processClaimedMessage(row: ScheduledMessage, pass: DispatchPass, deps: DispatchDependencies): Promise<void> {
  const run: RowRun = { row, tenant: null, handler: undefined };
  let step: DispatchStep;
  try {
    step = await decide(run, pass, deps);
  } catch (error) {
    // A send aborted at the stop deadline may have reached the provider: not a failure, nothing to write.
    step = AbortedError.isInstance(error) && pass.abandon.aborted ? { kind: 'abandoned' } : { kind: 'failure', error };
  }
  try {
    await recordOutcome(run, step, { ...deps, counters: pass.counters });
  } catch (error) {
    deps.logger.error(
      { scheduledMessageId: row.id, tenantId: row.tenantId, kind: row.kind, outcome: step.kind, error: describeError(error) },
      'could not record the outcome; the row stays sending until stuck recovery returns it',
    );
  }
}

async function decide(run: RowRun, pass: DispatchPass, deps: DispatchDependencies): Promise<DispatchStep> {
  const { row } = run;
  const { clock } = deps;
  const tenant = await pass.tenant(row.tenantId);
  if (tenant === null) return { kind: 'failure', error: new NotFoundError('tenant', row.tenantId), code: 'tenant_missing' };
  run.tenant = tenant;
  const handler = deps.settings.handlers.get(row.kind);
  if (handler === undefined) {
    deps.logger.error({ scheduledMessageId: row.id, kind: row.kind }, 'claimed a kind this dispatcher has no handler for');
    return { kind: 'defer', until: new Date(clock.now().getTime() + unhandledKindDeferMs), why: 'no handler' };
  }
  run.handler = handler;

  // The instance whose pacing slot this row holds, once it waited for one.
  let pacedInstance: string | null = null;
  for (let preparation = 1; ; preparation += 1) {
    if (pass.stopping.aborted) return backToPending(clock);
    const context: DispatchContext = { now: clock.now(), tenant, store: deps.store };
    const decision = await handler.prepare(row, context);
    switch (decision.action) {
      case 'skip':
        return { kind: 'skip', reason: decision.reason };
      case 'defer':
        return { kind: 'defer', until: decision.until, why: decision.reason };
      case 'perform':
        return (
          closedNow(decision.businessHours, tenant, pass, context.now) ??
          (await act(run, pass, deps, async () => {
            await perform(handler, row, { ...context, now: clock.now() });
            return { kind: 'performed' };
          }))
        );
      case 'send': {
        const closed = closedNow(decision.businessHours, tenant, pass, context.now);
        if (closed !== null) return closed;
        const gate = await deps.gate.check({ instance: decision.instance, tenantId: tenant.id });
        if (!gate.open) {
          const until = new Date(clock.now().getTime() + deps.settings.channelHealth.retryAfterMs);
          return { kind: 'defer', until, why: `channel instance ${decision.instance} is down` };
        }
        if (pacedInstance !== decision.instance) {
          pacedInstance = decision.instance;
          const wait = deps.pacer.reserve(decision.instance);
          if (wait > 0) {
            if (!(await pause(wait, pass, clock))) return backToPending(clock);
            // Time passed: the lead may have replied, the meeting moved. Decide again.
            if (preparation < maxPreparations) continue;
            return { kind: 'defer', until: clock.now(), why: 'the handler kept changing the instance' };
          }
        }
        return await act(run, pass, deps, () => send(decision, row, pass, deps));
      }
    }
  }
}

/** The last checks before an irreversible action: not stopping, and the row still ours. */
async function act(
  run: RowRun,
  pass: DispatchPass,
  deps: DispatchDependencies,
  action: () => Promise<DispatchStep>,
): Promise<DispatchStep> {
  if (pass.stopping.aborted) return backToPending(deps.clock);
  if (!(await pass.leases.confirm(run.row.id))) return { kind: 'lost' };
  return await action();
}

async function send(
  decision: Extract<DispatchDecision, { action: 'send' }>,
  row: ScheduledMessage,
  pass: DispatchPass,
  deps: DispatchDependencies,
): Promise<DispatchStep> {
  try {
    // A row tried before may have gone out (the answer lost): the adapter looks it up before
    // sending again. The row keeps no first-attempt time; its creation bounds the window safely.
    const attempt = { number: row.attempts + 1, firstAttemptAt: row.attempts === 0 ? deps.clock.now() : row.createdAt };
    const result = await deps
      .messagingFor(row.tenantId)
      .sendText(
        { instance: decision.instance, to: decision.to, text: decision.text, idempotencyKey: row.id, attempt },
        { signal: pass.abandon },
      );
    return { kind: 'sent', providerMessageId: result.providerMessageId, text: decision.text };
  } catch (error) {
    // The cached "up" may be stale: the next message through this instance asks again. An abort
    // says nothing about the channel.
    if (isTransientError(error) && !AbortedError.isInstance(error)) deps.gate.invalidate(decision.instance, row.tenantId);
    throw error;
  }
}

async function perform(handler: DispatchHandler, row: ScheduledMessage, context: DispatchContext): Promise<void> {
  if (handler.perform === undefined) {
    throw ValidationError.forField('perform', `the handler of ${row.kind} decided to perform but has no perform method`);
  }
  await handler.perform(row, context);
}

/** A deferral to the next opening when the decision respects business hours and the business is closed. */
function closedNow(policy: 'respect' | 'ignore', tenant: Tenant, pass: DispatchPass, now: Date): DispatchStep | null {
  if (policy === 'ignore') return null;
  const calendar = pass.calendar(tenant);
  if (calendar.isOpen(now)) return null;
  return { kind: 'defer', until: calendar.nextOpening(now), why: 'outside business hours' };
}

/** Stopping: back to `pending`, due now, without an attempt, for the next dispatcher to take. */
function backToPending(clock: Clock): DispatchStep {
  return { kind: 'defer', until: clock.now(), why: 'dispatcher stopping' };
}

/** Waits `ms` on the clock; `false` when the pass was told to stop meanwhile. */
async function pause(ms: number, pass: DispatchPass, clock: Clock): Promise<boolean> {
  try {
    await clock.sleep(ms, pass.stopping);
    return true;
  } catch {
    return false;
  }
}
