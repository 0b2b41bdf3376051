/**
 * What callers hand the booking service, as zod schemas: every boundary is validated, and bad
 * input is a `ValidationError` naming the field before anything is read or written.
 */
import { z } from 'zod';
import { appointmentStatusSchema } from '../model/appointment.js';
import { idSchema, instantSchema } from '../model/common.js';

/**
 * Who acts: a lead (the bot on the lead's behalf) may only touch its own appointments; an
 * operator may touch any appointment of the tenant.
 */
export const bookingActorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lead'), leadId: idSchema }),
  z.strictObject({ kind: z.literal('operator') }),
]);
/** The acting lead or operator of a booking operation. */
export type BookingActor = z.output<typeof bookingActorSchema>;

const wholeMinuteInstant = instantSchema.refine((date) => date.getTime() % 60_000 === 0, {
  message: 'must be on a whole minute (no seconds): calendars keep seconds at most',
});

const durationMinutesSchema = z
  .number()
  .int({ message: 'must be a whole number of minutes' })
  .min(5, { message: 'must be at least 5 minutes' })
  .max(24 * 60, { message: 'must be at most 24 hours' });

/** `BookingService.book` input. */
export const bookInputSchema = z.strictObject({
  tenantId: idSchema,
  leadId: idSchema,
  actor: bookingActorSchema,
  start: wholeMinuteInstant,
  /** Default: the tenant's `booking.slotMinutes`. */
  durationMinutes: durationMinutesSchema.optional(),
  /**
   * Idempotency key: the id the appointment (and, derived from it, the calendar event) gets.
   * Repeating a `book` with the same id returns the appointment booked the first time, and finds
   * an event a timed-out attempt created instead of creating a second one.
   */
  appointmentId: idSchema.optional(),
  /** Shown in the calendar event. */
  description: z.string().max(8000).optional(),
});
/** Input of `BookingService.book`. */
export type BookInput = z.input<typeof bookInputSchema>;

/** `BookingService.reschedule` input. */
export const rescheduleInputSchema = z.strictObject({
  tenantId: idSchema,
  /** The `scheduled` appointment to move. */
  appointmentId: idSchema,
  actor: bookingActorSchema,
  start: wholeMinuteInstant,
  /** Default: the length of the appointment being moved. */
  durationMinutes: durationMinutesSchema.optional(),
  /** Idempotency key of the new appointment, as `appointmentId` is for `book`. */
  newAppointmentId: idSchema.optional(),
  description: z.string().max(8000).optional(),
});
/** Input of `BookingService.reschedule`. */
export type RescheduleInput = z.input<typeof rescheduleInputSchema>;

/** `BookingService.findSlots` input. */
export const findSlotsInputSchema = z.strictObject({
  tenantId: idSchema,
  actor: bookingActorSchema,
  /** Earliest start wanted; default: now plus the minimum notice. */
  from: instantSchema.optional(),
  /** Slots start before this; default and maximum: the end of the horizon. */
  to: instantSchema.optional(),
  durationMinutes: durationMinutesSchema.optional(),
  /** Slots for moving this appointment: its own time does not count as busy. */
  reschedulingAppointmentId: idSchema.optional(),
  limit: z.number().int().min(1).max(5000).optional(),
});
/** Input of `BookingService.findSlots`. */
export type FindSlotsInput = z.input<typeof findSlotsInputSchema>;

/** Names one appointment: `getAppointment` and `cancel` input. */
export const appointmentRefInputSchema = z.strictObject({
  tenantId: idSchema,
  appointmentId: idSchema,
  actor: bookingActorSchema,
});
/** Input of `BookingService.getAppointment` and `BookingService.cancel`. */
export type AppointmentRefInput = z.input<typeof appointmentRefInputSchema>;

/** `BookingService.listAppointments` input. */
export const listAppointmentsInputSchema = z.strictObject({
  tenantId: idSchema,
  leadId: idSchema,
  actor: bookingActorSchema,
  /** Only these statuses; default: all. */
  statuses: z.array(appointmentStatusSchema).optional(),
});
/** Input of `BookingService.listAppointments`. */
export type ListAppointmentsInput = z.input<typeof listAppointmentsInputSchema>;
