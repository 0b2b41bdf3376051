/**
 * `cancel` (SPEC §4.3): only a `scheduled` appointment. The store is the source of truth: the
 * appointment is cancelled, the deletion of its event queued in the calendar outbox and the
 * observers told (reminders cancelled), all in one transaction; then the event is deleted at
 * once — an event already gone (Google's 404/410) counts as deleted — and, if the calendar is
 * unreachable, by the outbox worker later.
 */
import { cancelledEvent } from './appointment-events.js';
import { writeEventsWithin } from '../events/after-commit.js';
import type { Appointment } from '../model/appointment.js';
import { parseOrThrow } from '../model/parse.js';
import { assertScheduled, loadAppointmentFor, loadTenant, type BookingContext } from './booking-context.js';
import { deleteEventNow, queueEventDeletion } from './booking-event-cleanup.js';
import { emitAfterCommit, notifyObservers, transactionWithEffects } from './booking-unit-of-work.js';
import { appendCrmNoteEntry, type CrmNote } from '../sync/crm-outbox-entries.js';
import { appointmentRefInputSchema, type AppointmentRefInput } from './booking-inputs.js';

/** What `cancel` returns. */
export interface CancelResult {
  /** The appointment, now `cancelled`. */
  readonly appointment: Appointment;
  /** Whether the event is known to be gone; when `false` the calendar outbox deletes it later. */
  readonly eventDeleted: boolean;
}

/** What else a cancellation writes in its transaction. */
export interface CancelOptions {
  /** A note the CRM shows once (its key makes a repeated cancellation write it once). */
  readonly crmNote?: CrmNote;
}

/** Cancels a lead's `scheduled` appointment; see the module comment. */
export async function cancelAppointment(
  context: BookingContext,
  rawInput: AppointmentRefInput,
  options: CancelOptions = {},
): Promise<CancelResult> {
  const input = parseOrThrow(appointmentRefInputSchema, rawInput, 'cancel');
  const tenant = await loadTenant(context, input.tenantId);
  const appointment = await loadAppointmentFor(context, input);
  assertScheduled(appointment);
  const now = context.clock.now();
  const cancelled = await transactionWithEffects(context, async ({ tx, afterCommit }) => {
    // Optimistic: a concurrent move or cancel of the same appointment makes this a VersionConflictError.
    const stored = await tx.appointments.update({ ...appointment, status: 'cancelled', updatedAt: now });
    await queueEventDeletion(context, { tx, appointment: stored, now });
    await notifyObservers(context, { change: { type: 'cancelled', appointment: stored }, tx, tenant, now, afterCommit });
    await writeEventsWithin(context.events, tx, [cancelledEvent(stored, now)]);
    if (options.crmNote !== undefined) await appendCrmNoteEntry(tx, { tenantId: tenant.id, leadId: stored.leadId, note: options.crmNote });
    return stored;
  });
  const eventDeleted = await deleteEventNow(context, cancelled);
  emitAfterCommit(context, [cancelledEvent(cancelled, now)]);
  return { appointment: cancelled, eventDeleted };
}
