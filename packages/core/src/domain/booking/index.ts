export type { AppointmentChange, AppointmentChangeContext, AppointmentObserver } from './appointment-observer.js';
export {
  availableSlots,
  bookableRange,
  buffersOf,
  checkSlot,
  describeSlot,
  freeSlotIntervals,
  nearestSlots,
  type AvailabilityIgnore,
  type AvailabilityInput,
  type AvailableSlot,
  type BookingTenant,
  type SlotCheck,
  type SlotRefusal,
  type SlotRules,
  type SlotsInput,
} from './availability.js';
export {
  appointmentRefInputSchema,
  bookInputSchema,
  bookingActorSchema,
  bookingOverrideSchema,
  findSlotsInputSchema,
  listAppointmentsInputSchema,
  rescheduleInputSchema,
  type AppointmentRefInput,
  type BookInput,
  type BookingActor,
  type BookingOverride,
  type FindSlotsInput,
  type ListAppointmentsInput,
  type RescheduleInput,
} from './booking-inputs.js';
export type { BookingServiceOptions } from './booking-context.js';
export { BookingService } from './booking-service.js';
export type { BookingResult } from './book-appointment.js';
export type { RescheduleResult } from './reschedule-appointment.js';
export type { CancelOptions, CancelResult } from './cancel-appointment.js';
export type { CalendarMoveInput, CalendarMoveResult } from './follow-calendar-move.js';
export { defaultHoldGraceMs, type HoldReconciliation, type ReconcileHoldsInput } from './reconcile-holds.js';
export { appointmentIdOfEvent, appointmentIdProperty, leadIdProperty, tenantIdProperty } from './calendar-events.js';
export {
  CalendarOutboxWorker,
  deleteEventOutboxType,
  eventDeletionEntry,
  processCalendarOutbox,
  type CalendarOutboxOptions,
  type CalendarOutboxRun,
} from './calendar-outbox.js';
export {
  checkCalendarConsistency,
  judgeUnmatchedEvent,
  type CalendarConsistencyInput,
  type CalendarConsistencyReport,
  type MissingEvent,
  type OrphanEvent,
  type TimeMismatch,
} from './calendar-consistency.js';
export {
  repairCalendarConsistency,
  type CalendarRepairInput,
  type CalendarRepairOutcome,
  type CalendarRepairResult,
} from './calendar-repair.js';
