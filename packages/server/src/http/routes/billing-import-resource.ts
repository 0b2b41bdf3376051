/** The result of a billing import or dry run, as the API returns it. */
import { jsonValueSchema, skipReasonSchema, type BillingImportResult } from '@sdr/core';
import { z } from 'zod';

const fieldErrorSchema = z.object({ field: z.string(), message: z.string() });

/** One message of a plan. */
const planMessageResource = z.object({
  step: z.string(),
  offsetDays: z.number().int(),
  sendAt: z.date(),
  recipient: z.string().describe('The recipient’s phone, masked.'),
  templateKey: z.string(),
  variationId: z.string(),
  text: z.string().describe('The rendered message.'),
  status: z.enum(['scheduled', 'skipped']),
  skipReason: skipReasonSchema.nullable(),
  explanation: jsonValueSchema.describe('Why the step is planned as it is: dates, send time, shifts.'),
});

/** What an import or dry run returns. */
export const billingImportResource = z
  .object({
    planHash: z.string().describe('Pass it to `/v1/billing/plans/{planHash}/apply` with the same items to write exactly this plan.'),
    dryRun: z.boolean(),
    today: z.string().describe('The tenant-local date the plan was made for.'),
    summary: z.object({
      created: z.number().int(),
      updated: z.number().int(),
      duplicate: z.number().int(),
      invalid: z.number().int(),
      messages: z.number().int(),
      skipped: z.number().int(),
    }),
    items: z.array(
      z.object({
        index: z.number().int(),
        externalBillingId: z.string().nullable(),
        status: z.enum(['created', 'updated', 'duplicate', 'invalid']),
        errors: z
          .array(fieldErrorSchema)
          .describe('Field errors of an `invalid` item (paths inside the item); the reason of a `duplicate`.'),
        billingCycleId: z.string().nullable(),
        recipient: z.string().nullable(),
        messages: z.array(planMessageResource),
      }),
    ),
  })
  .meta({ id: 'BillingImportResult' });

/** The result as the API shows it. */
export function toBillingImportResource(result: BillingImportResult): z.input<typeof billingImportResource> {
  return {
    ...result,
    items: result.items.map((item) => ({
      ...item,
      errors: [...item.errors],
      messages: item.messages.map((message) => ({
        ...message,
        explanation: { ...message.explanation, shifts: [...message.explanation.shifts] },
      })),
    })),
  };
}
