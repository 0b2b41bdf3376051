/**
 * `BookingService` (SPEC §4.3): availability, book, reschedule and cancel over the calendar,
 * the lock, the appointment repository and the clock — without double booking.
 *
 * Every operation takes the acting lead or operator; a lead that names another lead's
 * appointment gets `NotFoundError`, as for an appointment that does not exist.
 */
import type { Appointment } from '../model/appointment.js';
import { parseOrThrow } from '../model/parse.js';
import { bookAppointment, type BookingResult } from './book-appointment.js';
import { describeSlot, type AvailableSlot } from './availability.js';
import {
  bookingContextOf,
  loadAppointmentFor,
  loadLeadFor,
  loadTenant,
  type BookingContext,
  type BookingServiceOptions,
} from './booking-context.js';
import { loadFreeSlots, ignoringAppointment } from './booking-slots.js';
import {
  appointmentRefInputSchema,
  findSlotsInputSchema,
  listAppointmentsInputSchema,
  type AppointmentRefInput,
  type BookInput,
  type FindSlotsInput,
  type ListAppointmentsInput,
  type RescheduleInput,
} from './booking-inputs.js';
import { cancelAppointment, type CancelOptions, type CancelResult } from './cancel-appointment.js';
import { followCalendarMove, type CalendarMoveInput, type CalendarMoveResult } from './follow-calendar-move.js';
import { rescheduleAppointment, type RescheduleResult } from './reschedule-appointment.js';
import { reconcileStaleHolds, type HoldReconciliation, type ReconcileHoldsInput } from './reconcile-holds.js';

/** Books, moves and cancels appointments; see the module comment. */
export class BookingService {
  private readonly context: BookingContext;

  constructor(options: BookingServiceOptions) {
    this.context = bookingContextOf(options);
  }

  /**
   * Free slots of the tenant's calendar, earliest first: business hours − free/busy −
   * scheduled appointments − buffers, within the minimum notice and the horizon. With
   * `reschedulingAppointmentId`, that appointment's own time counts as free and the slots
   * default to its length.
   */
  async findSlots(rawInput: FindSlotsInput): Promise<AvailableSlot[]> {
    const input = parseOrThrow(findSlotsInputSchema, rawInput, 'findSlots');
    const tenant = await loadTenant(this.context, input.tenantId);
    const moving =
      input.reschedulingAppointmentId === undefined
        ? undefined
        : await loadAppointmentFor(this.context, {
            tenantId: tenant.id,
            appointmentId: input.reschedulingAppointmentId,
            actor: input.actor,
          });
    const slots = await loadFreeSlots(this.context, {
      tenant,
      calendarId: moving?.calendarId ?? tenant.booking.calendarId,
      durationMinutes:
        input.durationMinutes ??
        (moving === undefined ? tenant.booking.slotMinutes : (moving.end.getTime() - moving.start.getTime()) / 60_000),
      ...(input.from === undefined ? {} : { from: input.from }),
      ...(input.to === undefined ? {} : { to: input.to }),
      ...(moving === undefined ? {} : { ignore: ignoringAppointment(moving) }),
      ...(input.limit === undefined ? {} : { limit: input.limit }),
    });
    return slots.map((slot) => describeSlot(slot, tenant));
  }

  /**
   * Books a slot for a lead. Refused slots throw `SlotUnavailableError` with up to three
   * alternatives (always slots availability offers); a busy lock throws `LockNotAcquiredError`
   * (retryable). Pass `appointmentId` to make the call safe to repeat after a timeout. An
   * operator may pass `override: { availability: true }` to book outside business hours, the
   * minimum notice or the horizon — never over a conflict (see `bookingOverrideSchema`).
   */
  book(input: BookInput): Promise<BookingResult> {
    return bookAppointment(this.context, input);
  }

  /**
   * Moves a `scheduled` appointment: the new booking first, then the old one cancelled. The new
   * slot follows the same rules as `book`, operator override included.
   */
  reschedule(input: RescheduleInput): Promise<RescheduleResult> {
    return rescheduleAppointment(this.context, input);
  }

  /**
   * Cancels a `scheduled` appointment (`ConflictError` for any other status); `options.crmNote`
   * is written in the same transaction.
   */
  cancel(input: AppointmentRefInput, options?: CancelOptions): Promise<CancelResult> {
    return cancelAppointment(this.context, input, options);
  }

  /**
   * Follows a move a person made to one of our events in the calendar itself: the appointment
   * takes the new times (reminders moved), or — when they conflict — stays as it is and the
   * result says why.
   */
  followCalendarMove(input: CalendarMoveInput): Promise<CalendarMoveResult> {
    return followCalendarMove(this.context, input);
  }

  /**
   * Reconciles the tenant's holds that a crashed booking left behind (older than `graceMs`):
   * adopted when their event exists in the calendar, released otherwise. The host runs it
   * periodically.
   */
  reconcileStaleHolds(input: ReconcileHoldsInput): Promise<HoldReconciliation> {
    return reconcileStaleHolds(this.context, input);
  }

  /** One appointment the actor may see. */
  async getAppointment(rawInput: AppointmentRefInput): Promise<Appointment> {
    const input = parseOrThrow(appointmentRefInputSchema, rawInput, 'getAppointment');
    return loadAppointmentFor(this.context, input);
  }

  /** A lead's appointments (optionally of some statuses), earliest first. */
  async listAppointments(rawInput: ListAppointmentsInput): Promise<Appointment[]> {
    const input = parseOrThrow(listAppointmentsInputSchema, rawInput, 'listAppointments');
    const lead = await loadLeadFor(this.context, input);
    return this.context.store.appointments.listByLead(
      input.tenantId,
      lead.id,
      input.statuses === undefined ? {} : { statuses: input.statuses },
    );
  }
}
