/**
 * `FollowUpService`: the thin service around the follow-up policy. For each event it loads the
 * lead and its pending follow-ups, asks `decideFollowUp`, and applies the commands — all in one
 * unit of work (its own, or the caller's), emitting domain events only after commit.
 *
 * Every application is idempotent: schedules are keyed by intent (dedupe keys), cancels only
 * touch `pending` rows, and stage/automation changes already in place are skipped.
 */
import { NotFoundError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import type { AppointmentChange, AppointmentChangeContext, AppointmentObserver } from '../booking/appointment-observer.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Lead } from '../model/lead.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import { applyFollowUpCommands } from './apply-follow-up-commands.js';
import { followUpKinds } from './dedupe-keys.js';
import { commitWithEvents, deferred, emitCommitted, writeEventsWithin, type DeferredEvent } from '../events/after-commit.js';
import { decideFollowUp } from './follow-up-policy.js';
import type { FollowUpDecision, FollowUpEvent } from './follow-up-types.js';

/** Options of `createFollowUpService`. */
export interface FollowUpServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Where `stage.changed`, `automation.changed`, `scheduled.*` and `handoff.*` events go. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
}

/** One event to apply to one lead. */
export interface FollowUpInput {
  readonly tenant: Tenant;
  readonly leadId: string;
  readonly event: FollowUpEvent;
  /** The decision's "now"; defaults to the clock. */
  readonly now?: Date;
}

/** `FollowUpInput` inside a unit of work that may have the lead in hand already. */
export interface FollowUpWithinInput extends FollowUpInput {
  /** The lead as this unit of work last read or wrote it (saves reading it again); read when absent. */
  readonly lead?: Lead;
}

/** What an event changed. */
export interface FollowUpResult {
  readonly decision: FollowUpDecision;
  /** The lead after the change. */
  readonly lead: Lead;
  readonly scheduled: readonly ScheduledMessage[];
  readonly cancelled: readonly ScheduledMessage[];
}

/** A result computed inside a caller's unit of work: call `emit()` once it committed. */
export interface FollowUpWithinResult extends FollowUpResult {
  /** The domain events waiting for the commit (for callers that emit them with their own). */
  readonly events: readonly DeferredEvent[];
  /** Emits `events` on the service's event bus. */
  readonly emit: () => void;
}

/** The follow-up and reminder engine's service; also the booking's `AppointmentObserver`. */
export interface FollowUpService extends AppointmentObserver {
  /** Applies `event` in its own transaction (retried on a concurrent lead update) and emits after commit. */
  handle(input: FollowUpInput): Promise<FollowUpResult>;
  /** Applies `event` inside the caller's transaction `tx`; the caller calls `emit()` after committing. */
  handleWithin(tx: Repositories, input: FollowUpWithinInput): Promise<FollowUpWithinResult>;
}

/** Creates the follow-up service. */
export function createFollowUpService(options: FollowUpServiceOptions): FollowUpService {
  const { store, clock, events } = options;
  const logger = options.logger ?? noopLogger;

  const handleWithin = async (tx: Repositories, input: FollowUpWithinInput): Promise<FollowUpWithinResult> => {
    const { tenant, leadId, event } = input;
    const now = input.now ?? clock.now();
    const lead = input.lead?.id === leadId && input.lead.tenantId === tenant.id ? input.lead : await tx.leads.get(tenant.id, leadId);
    if (!lead) throw new NotFoundError('lead', leadId);
    const pending = await tx.scheduledMessages.list({ tenantId: tenant.id, leadId, kinds: followUpKinds, statuses: ['pending'] });
    const appointments =
      event.type === 'resume' ? await tx.appointments.listByLead(tenant.id, leadId, { statuses: ['scheduled'] }) : undefined;
    const decision = decideFollowUp({
      lead,
      event,
      now,
      config: tenant,
      pending,
      ...(appointments === undefined ? {} : { appointments }),
    });
    const applied = await applyFollowUpCommands(tx, { lead, commands: decision.commands, now });
    const all: DeferredEvent[] = [...applied.events, ...handoffEvents(event, lead, applied.lead, now)];
    logger.debug(
      { tenantId: tenant.id, leadId, event: event.type, commands: decision.commands.length, ignored: decision.ignored ?? null },
      'follow-up event applied',
    );
    return {
      decision,
      lead: applied.lead,
      scheduled: applied.scheduled,
      cancelled: applied.cancelled,
      events: all,
      emit: () => emitCommitted({ events, logger }, all),
    };
  };

  return {
    handleWithin,

    async handle(input) {
      const {
        emit: _emit,
        events: _events,
        ...result
      } = await commitWithEvents({ store, events, logger }, (tx) => handleWithin(tx, input));
      return result;
    },

    async onAppointmentChange(change: AppointmentChange, context: AppointmentChangeContext) {
      const result = await handleWithin(context.tx, {
        tenant: context.tenant,
        leadId: change.appointment.leadId,
        event: appointmentEvent(change),
        now: context.now,
      });
      await writeEventsWithin(events, context.tx, result.events);
      if (context.afterCommit) context.afterCommit(result.emit);
      else result.emit();
    },
  };
}

function appointmentEvent(change: AppointmentChange): FollowUpEvent {
  switch (change.type) {
    case 'booked':
      return { type: 'meeting_booked', appointment: change.appointment };
    case 'rescheduled':
      return { type: 'meeting_rescheduled', previous: change.previous, appointment: change.appointment };
    case 'cancelled':
      return { type: 'meeting_cancelled', appointment: change.appointment };
  }
}

/** `handoff.requested` / `handoff.resumed`, when the event actually paused or resumed automation. */
function handoffEvents(event: FollowUpEvent, before: Lead, after: Lead, now: Date): DeferredEvent[] {
  const base = { tenantId: after.tenantId, at: now, leadId: after.id };
  if (event.type === 'handoff' && before.automation !== 'paused_handoff' && after.automation === 'paused_handoff') {
    return [deferred('handoff.requested', { ...base, reason: event.reason, requestedBy: event.requestedBy })];
  }
  if (event.type === 'resume' && before.automation !== 'active' && after.automation === 'active') {
    return [deferred('handoff.resumed', base)];
  }
  return [];
}
