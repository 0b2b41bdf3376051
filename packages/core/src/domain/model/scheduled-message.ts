/**
 * Scheduled messages (SPEC §3): follow-ups, reminders and billing messages share one table and
 * one dispatcher. `give_up` carries no text: when due, it moves the lead to `not_interested`.
 */
import { z } from 'zod';
import { idSchema, instantSchema, jsonValueSchema } from './common.js';
import { channelSchema } from './message.js';

export const scheduledKinds = ['reengage_1', 'reengage_2', 'give_up', 'reminder_24h', 'reminder_2h', 'billing_step'] as const;
export const scheduledKindSchema = z.enum(scheduledKinds);
export type ScheduledKind = z.infer<typeof scheduledKindSchema>;

export const reengagementKinds: readonly ScheduledKind[] = ['reengage_1', 'reengage_2', 'give_up'];
export const reminderKinds: readonly ScheduledKind[] = ['reminder_24h', 'reminder_2h'];

export const scheduledStatusSchema = z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped']);
export type ScheduledStatus = z.infer<typeof scheduledStatusSchema>;

/** Statuses a message never leaves. */
export const finalScheduledStatuses: ReadonlySet<ScheduledStatus> = new Set(['sent', 'failed', 'cancelled', 'skipped']);

/** Why a due message was not sent (re-validated by the dispatcher just before sending). */
export const skipReasons = [
  'opted_out',
  'replied',
  'automation_paused',
  'automation_stopped',
  'appointment_not_scheduled',
  'appointment_moved',
  'appointment_started',
  'cycle_inactive',
  'recipient_missing',
  'superseded',
  'stale',
] as const;
export const skipReasonSchema = z.enum(skipReasons);
export type SkipReason = z.infer<typeof skipReasonSchema>;

/** A failure as stored on the row: classified and already redacted. */
export const storedErrorSchema = z.object({
  code: z.string().max(100),
  message: z.string().max(2000),
  transient: z.boolean(),
  at: instantSchema,
});
export type StoredError = z.output<typeof storedErrorSchema>;

export const scheduledMessageSchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  /** Recipient for sales messages. Exactly one of `leadId` and `contactId` is set. */
  leadId: idSchema.nullable(),
  /** Recipient for billing messages. */
  contactId: idSchema.nullable(),
  kind: scheduledKindSchema,
  channel: channelSchema,
  /** Unique per tenant: scheduling the same key twice keeps one row. */
  dedupeKey: z.string().min(1).max(300),
  dueAt: instantSchema,
  status: scheduledStatusSchema,
  /** Failed or lost attempts so far. */
  attempts: z.number().int().nonnegative(),
  lastError: storedErrorSchema.nullable(),
  lockedBy: z.string().max(200).nullable(),
  lockedAt: instantSchema.nullable(),
  /** A `sending` row whose lease expired is returned to `pending` by stuck recovery. */
  leaseExpiresAt: instantSchema.nullable(),
  templateKey: z.string().max(200).nullable(),
  /** Rendering inputs and kind-specific data (variables, step, …). */
  payload: z.record(z.string(), jsonValueSchema),
  /** Why this message exists: the policy's explanation, kept for `explain`. */
  explanation: jsonValueSchema.nullable(),
  appointmentId: idSchema.nullable(),
  billingCycleId: idSchema.nullable(),
  sentAt: instantSchema.nullable(),
  providerMessageId: z.string().max(200).nullable(),
  skipReason: skipReasonSchema.nullable(),
  /** Why it was cancelled (free text such as `inbound`, `rescheduled`, `paid`). */
  cancelReason: z.string().max(200).nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type ScheduledMessage = z.output<typeof scheduledMessageSchema>;

/** What a caller provides to schedule a message; the store fills in the rest. */
export const newScheduledMessageSchema = scheduledMessageSchema
  .pick({
    tenantId: true,
    kind: true,
    dedupeKey: true,
    dueAt: true,
  })
  .extend({
    id: idSchema.optional(),
    leadId: idSchema.nullable().default(null),
    contactId: idSchema.nullable().default(null),
    channel: channelSchema.default('whatsapp'),
    templateKey: z.string().max(200).nullable().default(null),
    payload: z.record(z.string(), jsonValueSchema).default({}),
    explanation: jsonValueSchema.nullable().default(null),
    appointmentId: idSchema.nullable().default(null),
    billingCycleId: idSchema.nullable().default(null),
  })
  .refine((input) => (input.leadId === null) !== (input.contactId === null), {
    message: 'exactly one of leadId and contactId must be set',
    path: ['leadId'],
  });
export type NewScheduledMessageInput = z.input<typeof newScheduledMessageSchema>;
export type NewScheduledMessage = z.output<typeof newScheduledMessageSchema>;
