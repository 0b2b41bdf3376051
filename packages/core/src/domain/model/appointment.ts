/** Appointments (SPEC §3, §4.3): one UUID end to end, also the seed of the calendar event id. */
import { z } from 'zod';
import { idSchema, instantSchema } from './common.js';

export const appointmentStatusSchema = z.enum(['scheduled', 'cancelled', 'completed', 'no_show']);
export type AppointmentStatus = z.infer<typeof appointmentStatusSchema>;

export const appointmentSchema = z
  .object({
    id: idSchema,
    tenantId: idSchema,
    leadId: idSchema,
    calendarId: z.string().min(1).max(256),
    start: instantSchema,
    end: instantSchema,
    status: appointmentStatusSchema,
    calendarEventId: z.string().min(1).max(1024).nullable(),
    /** The appointment this one replaced, when it was created by a reschedule. */
    rescheduledFromId: idSchema.nullable(),
    createdAt: instantSchema,
    updatedAt: instantSchema,
    version: z.number().int().nonnegative(),
  })
  .refine((appointment) => appointment.end > appointment.start, { message: 'must end after it starts', path: ['end'] });
export type Appointment = z.output<typeof appointmentSchema>;

/**
 * The calendar event id of an appointment: the UUID's 32 hex digits, which are valid Google
 * event-id characters (base32hex, lowercase) — so creating it twice is detectable.
 */
export function calendarEventIdFor(appointmentId: string): string {
  return appointmentId.replace(/-/g, '').toLowerCase();
}
