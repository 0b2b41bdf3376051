/**
 * `CalendarSyncService` (SPEC §4.3, §7): follows what people change in the calendar itself.
 *
 * One `sync` reads the calendar's changes since the stored sync token (all events when there is
 * none, or when the provider no longer accepts it — a full resync) and reacts to changes of OUR
 * events, through the booking service:
 * - our event deleted (or cancelled) ⇒ the appointment is cancelled: reminders cancelled, a CRM
 *   note written in the same transaction;
 * - our event moved ⇒ the appointment is rescheduled to the new time (reminders moved), or, when
 *   the new time conflicts, left as it is and an operator alert raised;
 * - other events are ignored: they only change free/busy, which booking reads fresh anyway.
 *
 * A full list shows no deletions, so after one an upcoming appointment whose event is missing
 * from it is treated as deleted.
 *
 * Every reaction is idempotent (a cancelled appointment is not cancelled twice, a moved one
 * already at its event's time is unchanged), so the new token is stored only once every change
 * was handled: a change that failed is seen again by the next sync. The host runs `sync` on a
 * timer and when a push notification arrives.
 */
import { ValidationError, classifyError } from '../../errors/index.js';
import { CalendarSyncTokenExpiredError, type CalendarChange } from '../../ports/calendar/calendar-changes.js';
import type { CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { BookingService } from '../booking/booking-service.js';
import { appointmentIdOfEvent } from '../booking/calendar-events.js';
import type { Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';
import { raiseAlert } from '../events/alert-events.js';
import type { DomainEvents } from '../events/domain-events.js';
import { toZonedIso } from '../time/local-time.js';
import type { CalendarSyncTokenRepository } from './calendar-sync-tokens.js';

/** The alert raised when a person moved a meeting onto a time that conflicts. */
export const calendarMoveConflictAlertKind = 'calendar.move_conflict';

/** Options of `CalendarSyncService`. */
export interface CalendarSyncServiceOptions {
  readonly store: Store;
  readonly booking: BookingService;
  readonly tokens: CalendarSyncTokenRepository;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Where the conflict alert's `alert.raised` goes (its webhook deliveries written with it, the notifiers told after). */
  readonly events?: DomainEvents;
}

/** What one `sync` did. */
export interface CalendarSyncResult {
  /** Whether every event was read (no token, or the provider refused it). */
  readonly full: boolean;
  readonly changes: number;
  readonly cancelled: readonly string[];
  readonly rescheduled: readonly string[];
  /** Appointments whose event was moved onto a conflicting time: an alert was raised for each. */
  readonly flagged: readonly string[];
  /** Changes that failed; when any did, the token was not advanced. */
  readonly failed: readonly { readonly eventId: string; readonly error: string }[];
}

type Reaction = 'cancelled' | 'rescheduled' | 'flagged' | 'ignored';

/** See the module comment. */
export class CalendarSyncService {
  private readonly logger: Logger;

  constructor(private readonly options: CalendarSyncServiceOptions) {
    this.logger = options.logger ?? noopLogger;
  }

  /** One incremental sync of a tenant's calendar (default: the booking calendar) through `calendar`. */
  async sync(input: {
    readonly tenantId: string;
    readonly calendar: CalendarPort;
    readonly calendarId?: string;
  }): Promise<CalendarSyncResult> {
    const { store, tokens, clock } = this.options;
    const tenant = await store.tenants.get(input.tenantId);
    if (tenant === null) throw ValidationError.forField('tenantId', `tenant ${input.tenantId} does not exist`);
    const calendarId = input.calendarId ?? tenant.booking.calendarId;
    const { calendar } = input;
    if (calendar.listChanges === undefined) {
      throw ValidationError.forField('calendar', `the calendar provider ${calendar.provider} cannot list changes`);
    }
    const listChanges = calendar.listChanges.bind(calendar);
    const stored = await tokens.get(tenant.id, calendarId);
    let full = stored === null;
    const changeSet = await listChanges({ calendarId, syncToken: stored }).catch((error: unknown) => {
      if (!CalendarSyncTokenExpiredError.isInstance(error)) throw error;
      this.logger.info({ tenantId: tenant.id, calendarId }, 'the calendar sync token expired: running a full sync');
      full = true;
      return listChanges({ calendarId, syncToken: null });
    });

    const outcome = { cancelled: [] as string[], rescheduled: [] as string[], flagged: [] as string[] };
    const failed: { eventId: string; error: string }[] = [];
    for (const change of changeSet.changes) {
      try {
        const reaction = await this.react(tenant, calendarId, change);
        if (reaction.kind !== 'ignored') outcome[reaction.kind].push(reaction.appointmentId);
      } catch (error) {
        const eventId = change.kind === 'deleted' ? change.eventId : change.event.eventId;
        failed.push({ eventId, error: classifyError(error).message });
        this.logger.warn({ tenantId: tenant.id, eventId, error: classifyError(error).message }, 'could not apply a calendar change');
      }
    }
    // A full list shows no deletions: an upcoming appointment whose event is not in it lost its event.
    if (full) {
      for (const appointment of await this.vanished(tenant, calendarId, changeSet.changes)) {
        try {
          await this.cancel(tenant, appointment);
          outcome.cancelled.push(appointment.id);
        } catch (error) {
          failed.push({ eventId: appointment.calendarEventId ?? '', error: classifyError(error).message });
        }
      }
    }
    if (failed.length === 0) await tokens.save({ tenantId: tenant.id, calendarId, syncToken: changeSet.nextSyncToken, now: clock.now() });
    return { full, changes: changeSet.changes.length, ...outcome, failed };
  }

  /** Upcoming `scheduled` appointments of the calendar whose event a full list does not show. */
  private async vanished(tenant: Tenant, calendarId: string, changes: readonly CalendarChange[]): Promise<Appointment[]> {
    const listed = new Set(
      changes.flatMap((change) => (change.kind === 'changed' && change.event.status !== 'cancelled' ? [change.event.eventId] : [])),
    );
    const now = this.options.clock.now();
    // Ten years ahead: well past any booking horizon, and an instant every store can write.
    const upcoming = await this.options.store.appointments.listInRange(
      tenant.id,
      calendarId,
      now,
      new Date(now.getTime() + 10 * 366 * 86_400_000),
    );
    // Holds (no event yet) are bookings in flight, not meetings that lost their event.
    return upcoming.filter((appointment) => appointment.calendarEventId !== null && !listed.has(appointment.calendarEventId));
  }

  private async react(
    tenant: Tenant,
    calendarId: string,
    change: CalendarChange,
  ): Promise<{ readonly kind: Reaction; readonly appointmentId: string }> {
    const ref = change.kind === 'deleted' ? change : change.event;
    const appointmentId = appointmentIdOfEvent(ref, { tenantId: tenant.id, privateProperties: false });
    const appointment = appointmentId === null ? null : await this.options.store.appointments.get(tenant.id, appointmentId);
    // Foreign events, events of appointments already cancelled or moved on, and holds: nothing to do.
    if (appointment?.status !== 'scheduled' || appointment.calendarId !== calendarId || appointment.calendarEventId !== ref.eventId) {
      return { kind: 'ignored', appointmentId: appointmentId ?? '' };
    }
    if (change.kind === 'deleted' || change.event.status === 'cancelled') return this.cancel(tenant, appointment);
    const moved = await this.options.booking.followCalendarMove({
      tenantId: tenant.id,
      appointmentId: appointment.id,
      eventId: ref.eventId,
      start: change.event.start,
      end: change.event.end,
    });
    if (moved.kind === 'unchanged') return { kind: 'ignored', appointmentId: appointment.id };
    if (moved.kind === 'rescheduled') return { kind: 'rescheduled', appointmentId: appointment.id };
    const { store, events } = this.options;
    await raiseAlert(
      { store, events, logger: this.logger },
      {
        tenantId: tenant.id,
        kind: calendarMoveConflictAlertKind,
        key: appointment.id,
        severity: 'warning',
        message:
          `the meeting at ${toZonedIso(appointment.start, tenant.timeZone)} was moved in the calendar to ` +
          `${toZonedIso(change.event.start, tenant.timeZone)}, which conflicts (${moved.reason}): the appointment was left as it was`,
        details: {
          appointmentId: appointment.id,
          leadId: appointment.leadId,
          eventId: ref.eventId,
          start: change.event.start.toISOString(),
        },
        now: this.options.clock.now(),
      },
    );
    return { kind: 'flagged', appointmentId: appointment.id };
  }

  private async cancel(tenant: Tenant, appointment: Appointment): Promise<{ readonly kind: Reaction; readonly appointmentId: string }> {
    await this.options.booking.cancel(
      { tenantId: tenant.id, appointmentId: appointment.id, actor: { kind: 'operator' } },
      {
        crmNote: {
          key: `calendar-event-deleted:${appointment.id}`,
          text: `The meeting at ${toZonedIso(appointment.start, tenant.timeZone)} was deleted in the calendar: the appointment is cancelled.`,
        },
      },
    );
    return { kind: 'cancelled', appointmentId: appointment.id };
  }
}
