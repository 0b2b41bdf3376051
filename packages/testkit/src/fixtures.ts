/**
 * Entity builders: valid entities parsed through the domain's own zod schemas, with fresh ids
 * and phones so that tests never collide, and any field overridable.
 */
import { Buffer } from 'node:buffer';
import { randomInt, randomUUID } from 'node:crypto';
import {
  PhoneNumber,
  alertSchema,
  apiKeySchema,
  appointmentSchema,
  billingCycleSchema,
  calendarEventIdFor,
  contactSchema,
  leadSchema,
  newLead,
  messageSchema,
  newOutboxEntrySchema,
  oauthTokenSchema,
  newScheduledMessageSchema,
  parseOrThrow,
  syncStateSchema,
  templateSchema,
  tenantSchema,
  type Alert,
  type ApiKey,
  type Appointment,
  type BillingCycle,
  type Contact,
  type Lead,
  type Message,
  type NewOutboxEntry,
  type NewScheduledMessage,
  type OAuthToken,
  type SyncState,
  type Template,
  type Tenant,
} from '@sdr/core';

/**
 * Overrides of a builder: any subset of the fields the entity's zod schema accepts (its input
 * type, so instants may be `Date`s or ISO strings and phones `PhoneNumber`s or strings).
 */
export type Overrides<Schema extends { readonly _zod: { readonly input: object } }> = Partial<Schema['_zod']['input']>;

const minute = 60_000;
const day = 24 * 60 * minute;

/** A fresh UUID, the id type of every entity. */
export function newId(): string {
  return randomUUID();
}

/**
 * A fresh, valid Brazilian mobile number (São Paulo, `+55 11 9XXXX-XXXX`), random enough that
 * two tests never draw the same one.
 */
export function buildPhoneNumber(): PhoneNumber {
  const subscriber = String(randomInt(0, 10_000_000)).padStart(7, '0');
  const leading = randomInt(6, 10);
  return PhoneNumber.fromE164(`+55119${leading}${subscriber}`);
}

/**
 * The legacy form of a Brazilian mobile, without its 9th digit (`+551187654321`): the same
 * subscriber, as old WhatsApp ids and address books write it.
 */
export function withoutBrazilianNinthDigit(phone: PhoneNumber): string {
  const legacy = phone.variants()[1];
  if (legacy === undefined) throw new TypeError(`${phone.masked()} has no form without the 9th digit`);
  return legacy;
}

/** A fresh calendar event id, derived from a UUID the way bookings derive it. */
export function buildCalendarEventId(): string {
  return calendarEventIdFor(randomUUID());
}

/** Today's UTC date shifted by `days`, as `YYYY-MM-DD`. */
export function localDateFromToday(days: number, now: Date = new Date()): string {
  return new Date(now.getTime() + days * day).toISOString().slice(0, 10);
}

/** A tenant in `America/Sao_Paulo` with every setting at its default. */
export function buildTenant(overrides: Overrides<typeof tenantSchema> = {}): Tenant {
  const now = new Date();
  return parseOrThrow(
    tenantSchema,
    { id: newId(), name: 'Conformance Co.', timeZone: 'America/Sao_Paulo', createdAt: now, updatedAt: now, version: 0, ...overrides },
    'tenant',
  );
}

/** A new, active lead with a fresh phone. Pass `tenantId` to place it in your tenant. */
export function buildLead(overrides: Overrides<typeof leadSchema> = {}): Lead {
  const now = new Date();
  return parseOrThrow(
    leadSchema,
    {
      ...newLead({ id: newId(), tenantId: newId(), phone: buildPhoneNumber(), name: 'Maria Silva', now }),
      ...overrides,
    },
    'lead',
  );
}

/** A billing contact with a fresh phone. */
export function buildContact(overrides: Overrides<typeof contactSchema> = {}): Contact {
  const now = new Date();
  return parseOrThrow(
    contactSchema,
    {
      id: newId(),
      tenantId: newId(),
      phone: buildPhoneNumber(),
      name: 'João Souza',
      email: null,
      optedOut: false,
      optedOutAt: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
      ...overrides,
    },
    'contact',
  );
}

/** An inbound WhatsApp text message without a provider id (set `providerMessageId` to test dedupe). */
export function buildMessage(overrides: Overrides<typeof messageSchema> = {}): Message {
  return parseOrThrow(
    messageSchema,
    {
      id: newId(),
      tenantId: newId(),
      leadId: newId(),
      direction: 'inbound',
      channel: 'whatsapp',
      body: 'Olá, quero saber mais',
      media: [],
      providerMessageId: null,
      scheduledMessageId: null,
      status: 'received',
      createdAt: new Date(),
      ...overrides,
    },
    'message',
  );
}

/**
 * A scheduled 30-minute appointment starting tomorrow on the whole minute. When only `start`
 * is overridden, `end` follows it.
 */
export function buildAppointment(overrides: Overrides<typeof appointmentSchema> = {}): Appointment {
  const now = new Date();
  const start = overrides.start === undefined ? new Date(Math.ceil((now.getTime() + day) / minute) * minute) : new Date(overrides.start);
  const id = overrides.id ?? newId();
  return parseOrThrow(
    appointmentSchema,
    {
      id,
      tenantId: newId(),
      leadId: newId(),
      calendarId: 'primary',
      start,
      end: new Date(start.getTime() + 30 * minute),
      status: 'scheduled',
      calendarEventId: calendarEventIdFor(id),
      rescheduledFromId: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
      ...overrides,
    },
    'appointment',
  );
}

/** An active BRL 150.00 billing cycle due in a week, without planned steps. */
export function buildBillingCycle(overrides: Overrides<typeof billingCycleSchema> = {}): BillingCycle {
  const now = new Date();
  return parseOrThrow(
    billingCycleSchema,
    {
      id: newId(),
      tenantId: newId(),
      externalBillingId: `charge-${newId()}`,
      contactId: newId(),
      amount: 15_000,
      currency: 'BRL',
      dueDate: localDateFromToday(7, now),
      status: 'active',
      steps: [],
      metadata: {},
      createdAt: now,
      updatedAt: now,
      version: 0,
      ...overrides,
    },
    'billingCycle',
  );
}

/** A `reengage_1` template in `pt-BR` with one variation using `{{leadName}}`. */
export function buildTemplate(overrides: Overrides<typeof templateSchema> = {}): Template {
  const now = new Date();
  return parseOrThrow(
    templateSchema,
    {
      id: newId(),
      tenantId: newId(),
      key: 'reengage_1',
      locale: 'pt-BR',
      variations: [{ id: 'a', body: 'Oi {{leadName}}, ainda tem interesse?', weight: 1, active: true }],
      variables: ['leadName'],
      createdAt: now,
      updatedAt: now,
      version: 0,
      ...overrides,
    },
    'template',
  );
}

/** A never-saved sync state (version 0) with an empty projected state. */
export function buildSyncState(overrides: Overrides<typeof syncStateSchema> = {}): SyncState {
  return parseOrThrow(
    syncStateSchema,
    { tenantId: newId(), leadId: newId(), crmLeadId: null, state: {}, syncedAt: new Date(), version: 0, ...overrides },
    'syncState',
  );
}

/**
 * What `SchedulerStore.schedule` takes: a `reengage_1` for a fresh lead, due now, with a fresh
 * dedupe key. Giving `contactId` (and no `leadId`) addresses a billing contact instead.
 */
export function buildScheduledMessageInput(overrides: Overrides<typeof newScheduledMessageSchema> = {}): NewScheduledMessage {
  const leadId = overrides.leadId !== undefined ? overrides.leadId : overrides.contactId ? null : newId();
  return parseOrThrow(
    newScheduledMessageSchema,
    { tenantId: newId(), kind: 'reengage_1', dedupeKey: `conformance:${newId()}`, dueAt: new Date(), ...overrides, leadId },
    'scheduledMessage',
  );
}

/** What `OutboxRepository.append` takes: a CRM `lead.stage_changed` entry for a fresh lead. */
export function buildOutboxEntryInput(overrides: Overrides<typeof newOutboxEntrySchema> = {}): NewOutboxEntry {
  return parseOrThrow(
    newOutboxEntrySchema,
    { tenantId: newId(), topic: 'crm', aggregateType: 'lead', aggregateId: newId(), type: 'lead.stage_changed', payload: {}, ...overrides },
    'outboxEntry',
  );
}

/** What `AlertRepository.raise` takes (without `now`): a warning with a fresh key. */
export function buildAlertInput(
  overrides: Partial<Pick<Alert, 'tenantId' | 'kind' | 'key' | 'severity' | 'message' | 'details'>> = {},
): Pick<Alert, 'tenantId' | 'kind' | 'key' | 'severity' | 'message' | 'details'> {
  const input = {
    tenantId: newId(),
    kind: 'channel_down',
    key: `instance-${newId()}`,
    severity: 'warning' as const,
    message: 'WhatsApp instance is down',
    details: {},
    ...overrides,
  };
  // Validate through the schema with placeholder instants, so a bad override fails here.
  const now = new Date();
  parseOrThrow(alertSchema, { ...input, id: newId(), raisedAt: now, lastSeenAt: now, resolvedAt: null }, 'alert');
  return input;
}

/** An active API key with a fresh, unique prefix and a placeholder hash. */
export function buildApiKey(overrides: Overrides<typeof apiKeySchema> = {}): ApiKey {
  return parseOrThrow(
    apiKeySchema,
    {
      id: newId(),
      tenantId: newId(),
      name: 'conformance key',
      prefix: `sdr_${newId().replace(/-/g, '').slice(0, 12)}`,
      hash: `sha256:${newId().replace(/-/g, '')}`,
      scopes: ['leads:read'],
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
      ...overrides,
    },
    'apiKey',
  );
}

/** A never-saved (version 0) encrypted token set for the `kommo` provider. */
export function buildOAuthToken(overrides: Overrides<typeof oauthTokenSchema> = {}): OAuthToken {
  return parseOrThrow(
    oauthTokenSchema,
    {
      tenantId: newId(),
      provider: 'kommo',
      ciphertext: Buffer.from(`encrypted:${newId()}`).toString('base64'),
      expiresAt: null,
      updatedAt: new Date(),
      version: 0,
      ...overrides,
    },
    'oauthToken',
  );
}
