/**
 * Outbox entries (SPEC §4.7): every change an external system (the CRM, the calendar) must
 * reflect is written as an entry **in the same unit of work** as the change itself, and applied
 * later by a worker. Entries of one aggregate are applied in `sequence` order.
 */
import { z } from 'zod';
import { idSchema, instantSchema, jsonValueSchema } from './common.js';
import { storedErrorSchema } from './scheduled-message.js';

/** Which worker consumes an entry. */
export const outboxTopicSchema = z.enum(['crm', 'calendar']);
export type OutboxTopic = z.infer<typeof outboxTopicSchema>;

export const outboxStatusSchema = z.enum(['pending', 'processing', 'done', 'dead']);
export type OutboxStatus = z.infer<typeof outboxStatusSchema>;

export const outboxEntrySchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  topic: outboxTopicSchema,
  /** `lead`, `appointment`, … */
  aggregateType: z.string().min(1).max(50),
  aggregateId: idSchema,
  /** What happened, e.g. `lead.stage_changed`, `lead.note_added`, `appointment.cancel_event`. */
  type: z.string().min(1).max(100),
  payload: z.record(z.string(), jsonValueSchema),
  status: outboxStatusSchema,
  /** Store-assigned, strictly increasing: the order entries were written. */
  sequence: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  availableAt: instantSchema,
  lockedBy: z.string().max(200).nullable(),
  lockedAt: instantSchema.nullable(),
  leaseExpiresAt: instantSchema.nullable(),
  lastError: storedErrorSchema.nullable(),
  createdAt: instantSchema,
  processedAt: instantSchema.nullable(),
});
export type OutboxEntry = z.output<typeof outboxEntrySchema>;

export const newOutboxEntrySchema = outboxEntrySchema
  .pick({ tenantId: true, topic: true, aggregateType: true, aggregateId: true, type: true })
  .extend({
    id: idSchema.optional(),
    payload: z.record(z.string(), jsonValueSchema).default({}),
    availableAt: instantSchema.optional(),
  });
export type NewOutboxEntryInput = z.input<typeof newOutboxEntrySchema>;
export type NewOutboxEntry = z.output<typeof newOutboxEntrySchema>;

/** What the CRM sync last wrote for a lead: the base of the next diff. */
export const syncStateSchema = z.object({
  tenantId: idSchema,
  leadId: idSchema,
  crmLeadId: z.string().max(64).nullable(),
  /** The projected CRM state last applied (shape owned by the sync engine). */
  state: z.record(z.string(), jsonValueSchema),
  syncedAt: instantSchema,
  version: z.number().int().nonnegative(),
});
export type SyncState = z.output<typeof syncStateSchema>;

export const alertSeveritySchema = z.enum(['warning', 'critical']);

/** An operational alert (SPEC §8): open until resolved; one open alert per tenant + kind + key. */
export const alertSchema = z.object({
  id: idSchema,
  /** `null` for process-wide alerts. */
  tenantId: idSchema.nullable(),
  kind: z.string().min(1).max(100),
  /** Distinguishes alerts of one kind (a channel instance, a CRM account). */
  key: z.string().max(200),
  severity: alertSeveritySchema,
  message: z.string().max(2000),
  details: z.record(z.string(), jsonValueSchema),
  raisedAt: instantSchema,
  lastSeenAt: instantSchema,
  resolvedAt: instantSchema.nullable(),
});
export type Alert = z.output<typeof alertSchema>;
