/** Billing (collections) contacts and cycles (SPEC §3, §4.5). */
import { z } from 'zod';
import { e164PhoneSchema, emailSchema } from './lead.js';
import { currencySchema, idSchema, instantSchema, jsonValueSchema, localDateSchema, nameSchema } from './common.js';

/** A customer being reminded of a payment; upserted by phone identity. */
export const contactSchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  phone: e164PhoneSchema,
  name: nameSchema.nullable(),
  email: emailSchema.nullable(),
  /** Never cleared by an import. */
  optedOut: z.boolean(),
  optedOutAt: instantSchema.nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  version: z.number().int().nonnegative(),
});
export type Contact = z.output<typeof contactSchema>;

export const billingCycleStatusSchema = z.enum(['active', 'paid', 'cancelled', 'completed']);
export type BillingCycleStatus = z.infer<typeof billingCycleStatusSchema>;

/** One planned reminder of a cycle, as decided at import. */
export const billingPlanStepSchema = z.object({
  /** Step label, e.g. `D-3`, `D0`, `D+3`. */
  step: z.string().min(1).max(20),
  offsetDays: z.number().int(),
  sendAt: instantSchema,
  templateKey: z.string().max(200),
  variationId: z.string().max(100).nullable(),
  status: z.enum(['scheduled', 'skipped']),
  skipReason: z.string().max(100).nullable(),
  scheduledMessageId: idSchema.nullable(),
});
export type BillingPlanStep = z.output<typeof billingPlanStepSchema>;

export const billingCycleSchema = z.object({
  id: idSchema,
  tenantId: idSchema,
  /** The caller's id of the charge; unique among **active** cycles of a tenant. */
  externalBillingId: z.string().min(1).max(200),
  contactId: idSchema,
  /** In minor units (cents), an integer. */
  amount: z.number().int().positive(),
  currency: currencySchema,
  dueDate: localDateSchema,
  status: billingCycleStatusSchema,
  steps: z.array(billingPlanStepSchema),
  metadata: z.record(z.string(), jsonValueSchema),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  version: z.number().int().nonnegative(),
});
export type BillingCycle = z.output<typeof billingCycleSchema>;
