/**
 * Valid entities for the in-memory doubles' own tests: fresh ids and phones, every field
 * overridable. Parsed through the domain schemas, so a builder can never produce bad data.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { PhoneNumber } from '../../domain/identity/phone-number.js';
import { appointmentSchema, type Appointment } from '../../domain/model/appointment.js';
import { billingCycleSchema, contactSchema, type BillingCycle, type Contact } from '../../domain/model/billing.js';
import { leadSchema, newLead, type Lead } from '../../domain/model/lead.js';
import { messageSchema, type Message } from '../../domain/model/message.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import { templateSchema, type Template } from '../../domain/model/template.js';
import { tenantSchema, type Tenant } from '../../domain/model/tenant.js';

/** The instant the doubles' tests count from. */
export const T0 = new Date('2031-03-04T12:00:00.000Z');
/** Durations in milliseconds. */
export const minute = 60_000;
export const hour = 60 * minute;

/** `T0` shifted by `ms`. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** A fresh UUID. */
export function newId(): string {
  return randomUUID();
}

/** A fresh São Paulo mobile number. */
export function newPhone(): PhoneNumber {
  return PhoneNumber.fromE164(`+55119${randomInt(6, 10)}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`);
}

/** A tenant in America/Sao_Paulo with every setting at its default. */
export function buildTenant(overrides: Partial<Tenant> = {}): Tenant {
  return parseOrThrow(tenantSchema, {
    id: newId(),
    name: 'Acme Ltda',
    timeZone: 'America/Sao_Paulo',
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  });
}

/** A new lead of `tenantId` with a fresh phone. */
export function buildLead(overrides: Partial<Lead> & { readonly tenantId: string }): Lead {
  return parseOrThrow(leadSchema, {
    ...newLead({ id: newId(), tenantId: overrides.tenantId, phone: newPhone(), name: 'Maria Silva', now: T0 }),
    ...overrides,
  });
}

/** A billing contact of `tenantId` with a fresh phone. */
export function buildContact(overrides: Partial<Contact> & { readonly tenantId: string }): Contact {
  return parseOrThrow(contactSchema, {
    id: newId(),
    phone: newPhone(),
    name: 'João Souza',
    email: null,
    optedOut: false,
    optedOutAt: null,
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  });
}

/** A scheduled 30-minute appointment a day after `T0` on calendar `primary`. */
export function buildAppointment(overrides: Partial<Appointment> & { readonly tenantId: string; readonly leadId: string }): Appointment {
  return parseOrThrow(appointmentSchema, {
    id: newId(),
    calendarId: 'primary',
    start: at(24 * hour),
    end: at(24 * hour + 30 * minute),
    status: 'scheduled',
    calendarEventId: null,
    rescheduledFromId: null,
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  });
}

/** An active billing cycle with a fresh external id. */
export function buildBillingCycle(
  overrides: Partial<BillingCycle> & { readonly tenantId: string; readonly contactId: string },
): BillingCycle {
  return parseOrThrow(billingCycleSchema, {
    id: newId(),
    externalBillingId: `invoice-${newId()}`,
    amount: 15_000,
    currency: 'BRL',
    dueDate: '2031-03-10',
    status: 'active',
    steps: [],
    metadata: {},
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  });
}

/** A `reengage_1` template in pt-BR with one variation. */
export function buildTemplate(overrides: Partial<Template> & { readonly tenantId: string }): Template {
  return parseOrThrow(templateSchema, {
    id: newId(),
    key: 'reengage_1',
    locale: 'pt-BR',
    variations: [{ id: 'a', body: 'Oi {{leadName}}!', weight: 1, active: true }],
    variables: ['leadName'],
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  });
}

/** An inbound WhatsApp message without a provider id. */
export function buildMessage(overrides: Partial<Message> & { readonly tenantId: string; readonly leadId: string }): Message {
  return parseOrThrow(messageSchema, {
    id: newId(),
    direction: 'inbound',
    channel: 'whatsapp',
    body: 'Olá',
    media: [],
    providerMessageId: null,
    scheduledMessageId: null,
    status: 'received',
    createdAt: T0,
    ...overrides,
  });
}
