/**
 * The domain events of an appointment change, built once for both halves of the after-commit
 * mechanism: the transactional sinks inside the booking's transaction, the listeners after it.
 */
import { deferred, type DeferredEvent } from '../events/after-commit.js';
import type { Appointment } from '../model/appointment.js';

/** `appointment.booked` of a created appointment. */
export function bookedEvent(appointment: Appointment): DeferredEvent {
  return deferred('appointment.booked', {
    tenantId: appointment.tenantId,
    at: appointment.createdAt,
    leadId: appointment.leadId,
    appointmentId: appointment.id,
    start: appointment.start,
    end: appointment.end,
  });
}

/** `appointment.rescheduled` of a move from `previous` to `appointment`. */
export function rescheduledEvent(previous: Appointment, appointment: Appointment): DeferredEvent {
  return deferred('appointment.rescheduled', {
    tenantId: appointment.tenantId,
    at: appointment.createdAt,
    leadId: appointment.leadId,
    appointmentId: appointment.id,
    previousAppointmentId: previous.id,
    start: appointment.start,
    end: appointment.end,
  });
}

/** `appointment.cancelled` of a cancelled appointment, at `at`. */
export function cancelledEvent(appointment: Appointment, at: Date): DeferredEvent {
  return deferred('appointment.cancelled', {
    tenantId: appointment.tenantId,
    at,
    leadId: appointment.leadId,
    appointmentId: appointment.id,
    status: appointment.status,
  });
}
