/**
 * The tenant (one business) and its configuration. `tenantConfigSchema` accepts the public,
 * human-friendly shape (the `tenant` object of an `sdr simulate` scenario: durations as `30m`,
 * business hours per weekday) and yields the canonical configuration (durations in
 * milliseconds, every default filled in). Parsing the canonical form again yields itself, so the
 * stored configuration round-trips through the same schema.
 */
import { z } from 'zod';
import { weekdays, type Weekday } from '../time/local-time.js';
import {
  countryCodeSchema,
  currencySchema,
  durationSchema,
  idSchema,
  instantSchema,
  localDateSchema,
  localeSchema,
  localTimeSchema,
  nameSchema,
  timeZoneSchema,
} from './common.js';
import { stageSchema } from './lead.js';

const windowSchema = z
  .tuple([localTimeSchema, localTimeSchema])
  // `HH:MM` strings compare like times, and `24:00` sorts after every other time; `24:00` as the
  // opening would close at or before it opens.
  .refine(([open, close]) => close > open, { message: 'must close after it opens, e.g. ["09:00", "18:00"]' });

/** Business hours: per weekday (`mon` … `sun`) a list of `[open, close]` windows. A missing day is closed. */
export const weeklyHoursSchema = z.strictObject(
  Object.fromEntries(weekdays.map((day) => [day, z.array(windowSchema).max(12).optional()])) as Record<
    Weekday,
    z.ZodOptional<z.ZodArray<typeof windowSchema>>
  >,
);

/** Quiet hours `[start, end]` in local time; may wrap midnight (`["22:00", "08:00"]`). */
export const quietHoursSchema = z.tuple([localTimeSchema, localTimeSchema]);

/** A CRM pipeline status, as the CRM names it (Kommo: pipeline id + status id). */
export const crmStageRefSchema = z.strictObject({
  pipelineId: z.string().min(1).max(64),
  statusId: z.string().min(1).max(64),
});
export type CrmStageRef = z.infer<typeof crmStageRefSchema>;

export const followUpSettingsSchema = z
  .strictObject({
    /** Silence before re-engagement #1. */
    firstAfter: durationSchema.default(30 * 60_000),
    /** Time after #1 was sent before re-engagement #2. */
    secondAfter: durationSchema.default(24 * 3_600_000),
    /** Time after #2 was sent before the lead is moved to `not_interested`. */
    giveUpAfter: durationSchema.default(24 * 3_600_000),
  })
  .prefault({});

export const reminderSettingsSchema = z
  .strictObject({
    /** Offset before the meeting start of the first reminder (`reminder_24h`). */
    first: durationSchema.default(24 * 3_600_000),
    /** Offset before the meeting start of the second reminder (`reminder_2h`). */
    second: durationSchema.default(2 * 3_600_000),
    /** A reminder moved out of quiet hours must still land at least this long before the start. */
    minimumBeforeStart: durationSchema.default(30 * 60_000),
    /** Whether reminders of a booked meeting still go out while automation is paused or stopped. */
    whileAutomationPaused: z.boolean().default(true),
  })
  .prefault({});

export const bookingSettingsSchema = z
  .strictObject({
    calendarId: z.string().min(1).max(256).default('primary'),
    slotMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(30),
    minimumNotice: durationSchema.default(2 * 3_600_000),
    horizonDays: z.number().int().min(1).max(365).default(30),
    bufferBefore: durationSchema.default(0),
    bufferAfter: durationSchema.default(0),
    /** Title of the calendar event; `{{leadName}}` is replaced. */
    eventTitle: z.string().min(1).max(200).default('{{leadName}}'),
  })
  .prefault({});

export const billingStepSchema = z.strictObject({
  /** Days from the due date: -3 is three days before, 0 the due date, 3 three days after. */
  offsetDays: z.number().int().min(-60).max(60),
  /** The template key of this step; falls back to the generic `billing_step` template. */
  templateKey: z.string().min(1).max(100).optional(),
});

export const billingSettingsSchema = z
  .strictObject({
    steps: z
      .array(billingStepSchema)
      .min(1)
      .max(10)
      .default([{ offsetDays: -3 }, { offsetDays: 0 }, { offsetDays: 3 }]),
    /** Local time at which billing messages are sent, moved into business hours. */
    sendTime: localTimeSchema.default('10:00'),
  })
  .prefault({});

export const messagingSettingsSchema = z
  .strictObject({
    /** The WhatsApp channel instance (Evolution instance name) this tenant sends through. */
    instance: z.string().min(1).max(100).default('default'),
  })
  .prefault({});

export const crmSettingsSchema = z
  .strictObject({
    /** CRM account identifier (Kommo `account[id]`), checked on inbound webhooks. */
    accountId: z.string().max(64).optional(),
    /** Lead field name ⇒ CRM custom-field id. Unmapped fields are not synced. */
    fieldMapping: z.record(z.string().min(1).max(100), z.string().min(1).max(64)).default({}),
    /**
     * Requests per second the tenant's CRM adapter paces itself at (Kommo: 7); the composition
     * root passes it to the adapter, which never goes above what the CRM declares.
     */
    requestsPerSecond: z.number().positive().max(100).default(7),
  })
  .prefault({});

export const handoffSettingsSchema = z
  .strictObject({
    /** How many of the latest messages the handoff note quotes. */
    lastMessages: z.number().int().min(0).max(50).default(10),
    /** Upper bound of the note's length, in characters. */
    maxNoteLength: z.number().int().min(500).max(20_000).default(4000),
  })
  .prefault({});

/** Everything configurable about a tenant. Every field but `timeZone` has a default. */
export const tenantConfigSchema = z.strictObject({
  timeZone: timeZoneSchema,
  locale: localeSchema.default('pt-BR'),
  defaultCountry: countryCodeSchema.default('BR'),
  currency: currencySchema.default('BRL'),
  /** `null`/absent ⇒ always open (explicit fallback). */
  businessHours: weeklyHoursSchema.nullable().default(null),
  holidays: z.array(localDateSchema).max(1000).default([]),
  /** `null`/absent ⇒ no quiet hours. */
  quietHours: quietHoursSchema.nullable().default(null),
  /** Domain stage ⇒ CRM pipeline status. Unmapped stages are not moved in the CRM. */
  stageMapping: z.partialRecord(stageSchema, crmStageRefSchema).default({}),
  followUp: followUpSettingsSchema,
  reminders: reminderSettingsSchema,
  booking: bookingSettingsSchema,
  billing: billingSettingsSchema,
  messaging: messagingSettingsSchema,
  crm: crmSettingsSchema,
  handoff: handoffSettingsSchema,
});

export type TenantConfigInput = z.input<typeof tenantConfigSchema>;
export type TenantConfig = z.output<typeof tenantConfigSchema>;

export const tenantSchema = tenantConfigSchema.extend({
  id: idSchema,
  name: nameSchema,
  createdAt: instantSchema,
  updatedAt: instantSchema,
  version: z.number().int().nonnegative(),
});
export type Tenant = z.output<typeof tenantSchema>;
