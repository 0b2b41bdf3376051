/**
 * How other domain areas learn that an appointment changed, **inside the same unit of work** as
 * the change: the follow-up engine moves the lead to `meeting_scheduled` and (re)schedules the
 * 24 h / 2 h reminders with the very transaction that persisted the appointment, so a crash can
 * never leave a booked meeting without its reminders or a cancelled one with live reminders.
 */
import type { Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';
import type { Repositories } from '../../ports/repositories/repositories.js';

export type AppointmentChange =
  | { readonly type: 'booked'; readonly appointment: Appointment }
  | { readonly type: 'rescheduled'; readonly previous: Appointment; readonly appointment: Appointment }
  | { readonly type: 'cancelled'; readonly appointment: Appointment };

export interface AppointmentChangeContext {
  /** The transaction that persisted the change: write through it, nowhere else. */
  readonly tx: Repositories;
  readonly tenant: Tenant;
  readonly now: Date;
  /**
   * Registers work to run once the transaction committed — domain events the observer's
   * changes produce, which must not be heard if the booking rolls back. Callers that can
   * should pass it; an observer given none runs such work at once.
   */
  readonly afterCommit?: (effect: () => void) => void;
}

export interface AppointmentObserver {
  onAppointmentChange(change: AppointmentChange, context: AppointmentChangeContext): Promise<void>;
}
