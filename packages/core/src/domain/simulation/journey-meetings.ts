/**
 * How the simulator books, moves and cancels the lead's meeting: through the real
 * `BookingService` on the in-memory calendar and lock, on the simulator's virtual clock — the
 * calendar lock, the fresh free/busy, the idempotent event, the store's overlap rule and the
 * follow-up engine as the observer inside the booking's transaction, exactly as in production.
 *
 * The simulator acts as an **operator with the availability override**. A scenario event is a
 * fact ("at +2h a meeting is booked for Wednesday 14:00"), not the bot asking for a slot: the
 * meeting may have been agreed by a human outside business hours or within the minimum notice,
 * and a journey has to be able to describe it. The override only lifts the rules of the bot's
 * offer; conflicts still decide, so a `book` or `reschedule` onto time that is taken (a meeting
 * still running, or within its buffers) is refused by the real service — and, like every other
 * event that cannot happen, the scenario is invalid: a `ValidationError` naming the event's
 * `start`, with the service's `SlotUnavailableError` as its cause.
 */
import { SlotUnavailableError, ValidationError } from '../../errors/index.js';
import type { BookingService } from '../booking/booking-service.js';
import type { Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';
import type { ScenarioEvent } from './scenario-schema.js';

/** The scenario events that concern the lead's meeting. */
type MeetingEvent = Extract<ScenarioEvent, { readonly type: 'book' | 'reschedule' | 'cancel' }>;

const operator = { kind: 'operator' } as const;
const override = { availability: true } as const;

/**
 * Plays one meeting event and returns the lead's meeting after it (`null` once cancelled).
 * `parseScenario` has already made sure a reschedule or cancel has a meeting to act on.
 */
export async function playMeetingEvent(input: {
  readonly booking: BookingService;
  readonly tenant: Tenant;
  readonly leadId: string;
  /** The lead's current meeting. */
  readonly meeting: Appointment | null;
  readonly event: MeetingEvent;
}): Promise<Appointment | null> {
  const { booking, tenant, meeting, event } = input;
  if (event.type === 'cancel') {
    if (meeting !== null) await booking.cancel({ tenantId: tenant.id, appointmentId: meeting.id, actor: operator });
    return null;
  }
  // Lengths default as the service defaults them: the tenant's slot for a booking, the moved meeting's own for a reschedule.
  const length = event.durationMinutes === undefined ? {} : { durationMinutes: event.durationMinutes };
  try {
    if (event.type === 'reschedule' && meeting !== null) {
      const moved = await booking.reschedule({
        tenantId: tenant.id,
        appointmentId: meeting.id,
        actor: operator,
        start: event.start,
        override,
        ...length,
      });
      return moved.appointment;
    }
    const booked = await booking.book({
      tenantId: tenant.id,
      leadId: input.leadId,
      actor: operator,
      start: event.start,
      override,
      ...length,
    });
    return booked.appointment;
  } catch (error) {
    if (!SlotUnavailableError.isInstance(error)) throw error;
    throw ValidationError.forField(`events.${event.index}.start`, refusalMessage(error), { cause: error });
  }
}

function refusalMessage(error: SlotUnavailableError): string {
  const reason = error.details['reason'];
  return reason === 'busy'
    ? 'cannot be booked: the time is taken by another meeting or its buffers'
    : `cannot be booked: ${typeof reason === 'string' ? reason : error.message}`;
}
