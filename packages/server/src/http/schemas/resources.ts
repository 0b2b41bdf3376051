/**
 * The resources the API returns, as zod schemas (the serializer checks every response against
 * them, and the OpenAPI document is generated from them) and the mappers from domain entities.
 * Instants are `Date`s here and ISO-8601 UTC strings on the wire. Internal bookkeeping (lock
 * owners, rendering payloads, key hashes) never leaves the server.
 */
import {
  alertSeveritySchema,
  appointmentStatusSchema,
  automationStateSchema,
  billingCycleStatusSchema,
  channelSchema,
  fieldValueSchema,
  jsonValueSchema,
  mediaRefSchema,
  messageDirectionSchema,
  messageStatusSchema,
  scheduledKindSchema,
  scheduledStatusSchema,
  skipReasonSchema,
  stageSchema,
  templateVariationSchema,
  type Alert,
  type ApiKey,
  type Appointment,
  type BillingCycle,
  type Lead,
  type Message,
  type ScheduledMessage,
  type Template,
} from '@sdr/core';
import { z } from 'zod';

const instant = z.date().describe('An instant, ISO-8601 in UTC.');
const nullableInstant = instant.nullable();

/** A lead. */
export const leadResource = z
  .object({
    id: z.string(),
    phone: z.string().describe('E.164, e.g. +5511987654321.'),
    whatsappLid: z.string().nullable(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    stage: stageSchema,
    fields: z.record(z.string(), fieldValueSchema),
    tags: z.array(z.string()),
    automation: automationStateSchema,
    optedOut: z.boolean(),
    optedOutAt: nullableInstant,
    lastInboundAt: nullableInstant,
    lastOutboundAt: nullableInstant,
    crmLeadId: z.string().nullable(),
    crmContactId: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Lead' });

/** The lead as the API shows it. */
export function toLeadResource(lead: Lead): z.input<typeof leadResource> {
  const { tenantId: _tenantId, phone, ...rest } = lead;
  return { ...rest, phone: phone.e164 };
}

/** A conversation message. */
export const messageResource = z
  .object({
    id: z.string(),
    leadId: z.string(),
    direction: messageDirectionSchema,
    channel: channelSchema,
    body: z.string(),
    media: z.array(mediaRefSchema),
    providerMessageId: z.string().nullable(),
    scheduledMessageId: z.string().nullable(),
    status: messageStatusSchema,
    createdAt: instant,
  })
  .meta({ id: 'Message' });

/** The message as the API shows it. */
export function toMessageResource(message: Message): z.input<typeof messageResource> {
  const { tenantId: _tenantId, ...rest } = message;
  return rest;
}

/** An appointment. */
export const appointmentResource = z
  .object({
    id: z.string(),
    leadId: z.string(),
    calendarId: z.string(),
    start: instant,
    end: instant,
    status: appointmentStatusSchema,
    calendarEventId: z.string().nullable(),
    rescheduledFromId: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Appointment' });

/** The appointment as the API shows it. */
export function toAppointmentResource(appointment: Appointment): z.input<typeof appointmentResource> {
  const { tenantId: _tenantId, ...rest } = appointment;
  return rest;
}

/** A free slot. */
export const slotResource = z
  .object({
    start: instant,
    end: instant,
    localStart: z.string().describe('The start with the tenant zone’s offset.'),
    localEnd: z.string(),
    localLabel: z.string().describe('The start for a person, in the tenant’s locale.'),
  })
  .meta({ id: 'Slot' });

/** A scheduled message (follow-up, reminder, billing step). */
export const scheduledMessageResource = z
  .object({
    id: z.string(),
    leadId: z.string().nullable(),
    contactId: z.string().nullable(),
    kind: scheduledKindSchema,
    channel: channelSchema,
    dedupeKey: z.string(),
    dueAt: instant,
    status: scheduledStatusSchema,
    attempts: z.number().int(),
    lastError: z.object({ code: z.string(), message: z.string(), transient: z.boolean(), at: instant }).nullable(),
    templateKey: z.string().nullable(),
    appointmentId: z.string().nullable(),
    billingCycleId: z.string().nullable(),
    sentAt: nullableInstant,
    skipReason: skipReasonSchema.nullable(),
    cancelReason: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'ScheduledMessage' });

/** The scheduled message as the API shows it. */
export function toScheduledMessageResource(message: ScheduledMessage): z.input<typeof scheduledMessageResource> {
  return {
    id: message.id,
    leadId: message.leadId,
    contactId: message.contactId,
    kind: message.kind,
    channel: message.channel,
    dedupeKey: message.dedupeKey,
    dueAt: message.dueAt,
    status: message.status,
    attempts: message.attempts,
    lastError: message.lastError,
    templateKey: message.templateKey,
    appointmentId: message.appointmentId,
    billingCycleId: message.billingCycleId,
    sentAt: message.sentAt,
    skipReason: message.skipReason,
    cancelReason: message.cancelReason,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
  };
}

/** A billing cycle. */
export const billingCycleResource = z
  .object({
    id: z.string(),
    externalBillingId: z.string(),
    contactId: z.string(),
    amount: z.number().int().describe('In minor units (cents).'),
    currency: z.string(),
    dueDate: z.string().describe('A local date, YYYY-MM-DD.'),
    status: billingCycleStatusSchema,
    steps: z.array(
      z.object({
        step: z.string(),
        offsetDays: z.number().int(),
        sendAt: instant,
        templateKey: z.string(),
        variationId: z.string().nullable(),
        status: z.enum(['scheduled', 'skipped']),
        skipReason: z.string().nullable(),
        scheduledMessageId: z.string().nullable(),
      }),
    ),
    metadata: z.record(z.string(), jsonValueSchema),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'BillingCycle' });

/** The cycle as the API shows it. */
export function toBillingCycleResource(cycle: BillingCycle): z.input<typeof billingCycleResource> {
  const { tenantId: _tenantId, ...rest } = cycle;
  return rest;
}

/** A message template. */
export const templateResource = z
  .object({
    key: z.string(),
    locale: z.string(),
    variations: z.array(templateVariationSchema),
    variables: z.array(z.string()),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Template' });

/** The template as the API shows it. */
export function toTemplateResource(template: Template): z.input<typeof templateResource> {
  const { id: _id, tenantId: _tenantId, ...rest } = template;
  return rest;
}

/** An open operational alert. */
export const alertResource = z
  .object({
    id: z.string(),
    kind: z.string(),
    key: z.string(),
    severity: alertSeveritySchema,
    message: z.string(),
    details: z.record(z.string(), jsonValueSchema),
    raisedAt: instant,
    lastSeenAt: instant,
    resolvedAt: nullableInstant,
  })
  .meta({ id: 'Alert' });

/** The alert as the API shows it. */
export function toAlertResource(alert: Alert): z.input<typeof alertResource> {
  const { tenantId: _tenantId, ...rest } = alert;
  return rest;
}

/** An API key, without its secret (which is shown once, when created, and never stored). */
export const apiKeyResource = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The public part of the key: `sdr_<prefix>_…`.'),
    createdAt: instant,
    lastUsedAt: nullableInstant,
    revokedAt: nullableInstant,
  })
  .meta({ id: 'ApiKey' });

/** The key as the API shows it. */
export function toApiKeyResource(apiKey: ApiKey): z.input<typeof apiKeyResource> {
  return {
    id: apiKey.id,
    name: apiKey.name,
    prefix: apiKey.prefix,
    createdAt: apiKey.createdAt,
    lastUsedAt: apiKey.lastUsedAt,
    revokedAt: apiKey.revokedAt,
  };
}

/** A new API key with its secret. */
export const newApiKeyResource = apiKeyResource
  .extend({
    key: z
      .string()
      .nullable()
      .describe('The key itself, shown only in this response; `null` when the response is an Idempotency-Key replay.'),
  })
  .meta({ id: 'NewApiKey' });

/** What a replay of a response showing a new key keeps: everything but the key. */
export function withoutSecrets(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  if ('key' in record && 'prefix' in record) return { ...record, key: null };
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, withoutSecrets(value)]));
}
