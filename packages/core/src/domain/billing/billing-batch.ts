/**
 * The shape of a billing batch and the validation of each of its items (SPEC §4.5): a batch
 * holds at most 1000 items, and every item is checked on its own — a bad item is reported with
 * its field errors and never stops the others.
 */
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors/index.js';
import { PhoneNumber } from '../identity/phone-number.js';
import { emailSchema } from '../model/lead.js';
import { currencySchema, jsonValueSchema, localDateSchema, nameSchema, withJsonDepthLimit, type JsonValue } from '../model/common.js';
import { toFieldErrors } from '../model/parse.js';
import type { CountryCode } from 'libphonenumber-js/max';

/** Items one batch may hold; a larger batch is rejected whole, before anything is written. */
export const maxBillingBatchItems = 1000;
/** Items written per transaction. */
export const billingImportChunkSize = 100;
/** How far the due date may be from today, either way. */
export const billingDueDateRangeYears = 1;

const maxMetadataKeys = 50;
const maxMetadataChars = 8192;

/** An item's free-form metadata: bounded in keys, size and nesting (checked before its values are walked). */
const billingMetadataSchema = withJsonDepthLimit(
  z
    .record(z.string().min(1).max(100), jsonValueSchema)
    .refine((value) => Object.keys(value).length <= maxMetadataKeys, { message: `must have at most ${maxMetadataKeys} keys` })
    .refine((value) => JSON.stringify(value).length <= maxMetadataChars, {
      message: `must be at most ${maxMetadataChars} characters as JSON`,
    }),
);

/** A validated, normalised batch item. */
export interface BillingItem {
  /** Position in the batch (0-based). */
  readonly index: number;
  readonly externalBillingId: string;
  readonly customer: {
    readonly name: string;
    readonly phone: PhoneNumber;
    readonly email: string | null;
  };
  /** Minor units (cents), a positive integer. */
  readonly amount: number;
  readonly currency: string;
  /** `YYYY-MM-DD`, within one year of today. */
  readonly dueDate: string;
  readonly metadata: Readonly<Record<string, JsonValue>>;
}

/** The outcome of validating one item: the normalised item, or every problem with it. */
export type BillingItemParseResult =
  | { readonly ok: true; readonly item: BillingItem }
  | { readonly ok: false; readonly index: number; readonly externalBillingId: string | null; readonly errors: readonly FieldError[] };

/** What item validation depends on besides the item: the tenant's phone country and today's local date. */
export interface BillingItemRules {
  readonly defaultCountry: CountryCode;
  /** Today in the tenant's zone, `YYYY-MM-DD`. */
  readonly today: string;
}

const batchEnvelopeSchema = z.strictObject({
  items: z.array(z.unknown(), { message: 'must be a list of billing items' }),
});

/**
 * Checks the envelope `{ "items": [...] }` and its size. Throws a `ValidationError` naming
 * `items` when the batch is not a list or holds more than 1000 items: such a batch is refused
 * whole. The items themselves are validated one by one by `parseBillingItem`.
 */
export function parseBillingBatch(input: unknown): { readonly items: readonly unknown[] } {
  const envelope = batchEnvelopeSchema.safeParse(input);
  if (!envelope.success) throw new ValidationError(toFieldErrors(envelope.error.issues));
  const count = envelope.data.items.length;
  if (count > maxBillingBatchItems) {
    throw ValidationError.forField(
      'items',
      `has ${count} items; a batch holds at most ${maxBillingBatchItems} — split it into several batches`,
    );
  }
  return envelope.data;
}

/**
 * The first problem with a due date relative to today, or `undefined` when it is within one year
 * before or after today (both ends included; a leap day a year on lands on 28 February).
 */
export function dueDateRangeProblem(dueDate: string, today: string): string | undefined {
  const due = Temporal.PlainDate.from(dueDate);
  const base = Temporal.PlainDate.from(today);
  const earliest = base.subtract({ years: billingDueDateRangeYears });
  const latest = base.add({ years: billingDueDateRangeYears });
  if (Temporal.PlainDate.compare(due, earliest) < 0)
    return `is more than one year before today (${today}); the earliest accepted is ${earliest.toString()}`;
  if (Temporal.PlainDate.compare(due, latest) > 0)
    return `is more than one year after today (${today}); the latest accepted is ${latest.toString()}`;
  return undefined;
}

/** The zod schema of one item under `rules` (the phone country and today differ per tenant and day). */
export function billingItemSchema(rules: BillingItemRules) {
  const phoneSchema = z.string({ message: 'must be a phone number written as text' }).transform((value, context) => {
    try {
      return PhoneNumber.parse(value, { defaultCountry: rules.defaultCountry, field: 'customer.phone' });
    } catch (error) {
      if (!ValidationError.isInstance(error)) throw error;
      for (const problem of error.fieldErrors) context.addIssue({ code: 'custom', message: problem.message });
      return z.NEVER;
    }
  });
  return z.strictObject({
    externalBillingId: z
      .string({ message: 'must be the charge id as text' })
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(200, { message: 'must be at most 200 characters' }),
    customer: z.strictObject(
      {
        name: nameSchema,
        phone: phoneSchema,
        email: z.preprocess((value) => (value === '' || value === null ? undefined : value), emailSchema.optional()),
      },
      { message: 'must be an object with name, phone and optionally email' },
    ),
    amount: z
      .number({ message: 'must be a number: the amount in minor units (cents), e.g. 123456 for 1.234,56' })
      .int({ message: 'must be a whole number of minor units (cents), e.g. 123456 for 1.234,56 — not a decimal amount' })
      .positive({ message: 'must be greater than zero' }),
    currency: currencySchema,
    // Piped: the range is only checked on a real date (refinements of one schema all run).
    dueDate: localDateSchema.pipe(
      z.string().superRefine((value, context) => {
        const problem = dueDateRangeProblem(value, rules.today);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
    ),
    metadata: billingMetadataSchema.optional(),
  });
}

/** Validates and normalises one raw item (built from `billingItemSchema(rules)`; pass it in to reuse it across a batch). */
export function parseBillingItem(
  raw: unknown,
  input: { readonly index: number; readonly schema: ReturnType<typeof billingItemSchema> },
): BillingItemParseResult {
  const parsed = input.schema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, index: input.index, externalBillingId: rawExternalId(raw), errors: toFieldErrors(parsed.error.issues) };
  }
  const data = parsed.data;
  return {
    ok: true,
    item: {
      index: input.index,
      externalBillingId: data.externalBillingId,
      customer: { name: data.customer.name, phone: data.customer.phone, email: data.customer.email ?? null },
      amount: data.amount,
      currency: data.currency,
      dueDate: data.dueDate,
      metadata: data.metadata ?? {},
    },
  };
}

function rawExternalId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = (raw as { externalBillingId?: unknown }).externalBillingId;
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : null;
}
