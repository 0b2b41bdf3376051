import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import { PhoneNumber } from '../identity/phone-number.js';
import { appointmentSchema, calendarEventIdFor } from './appointment.js';
import { billingCycleSchema, contactSchema } from './billing.js';
import { automationStoppingStages, e164PhoneSchema, isUnderAutomation, leadSchema, stages } from './lead.js';
import { messageSchema } from './message.js';
import { alertSchema, newOutboxEntrySchema, outboxEntrySchema, syncStateSchema } from './outbox.js';
import { parseOrThrow } from './parse.js';
import { finalScheduledStatuses, newScheduledMessageSchema, scheduledMessageSchema } from './scheduled-message.js';
import { templateSchema } from './template.js';

const tenantId = '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f';
const leadId = '1c8d4a2f-6e3b-4d9f-8a7c-2b3c4d5e6f70';
const otherId = '2d9e5b3a-7f4c-4e0a-9b8d-3c4d5e6f7081';
const createdAt = '2026-03-02T13:00:00Z';

/** The field paths a schema reports for `input`, through `parseOrThrow`. */
function rejectedFields(schema: z.ZodType, input: unknown): string[] {
  try {
    parseOrThrow(schema, input);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error.fieldErrors.map((fieldError) => fieldError.field);
    throw error;
  }
  throw new Error('expected the input to be rejected');
}

const lead = {
  id: leadId,
  tenantId,
  phone: '+5511987654321',
  whatsappLid: null,
  name: 'Maria Silva',
  email: 'maria@example.com',
  stage: 'qualifying',
  fields: { budget: 5000, hasCompany: true, segment: 'dental', notes: null },
  tags: ['inbound', 'ads'],
  automation: 'active',
  optedOut: false,
  optedOutAt: null,
  lastInboundAt: '2026-03-02T12:00:00-03:00',
  lastOutboundAt: null,
  crmLeadId: '31234567',
  crmContactId: null,
  createdAt,
  updatedAt: createdAt,
  version: 3,
};

describe('leadSchema', () => {
  it('accepts a lead and rebuilds its phone and instants', () => {
    const parsed = leadSchema.parse(lead);
    expect(parsed.phone).toBeInstanceOf(PhoneNumber);
    expect(parsed.phone.e164).toBe('+5511987654321');
    expect(parsed.lastInboundAt?.toISOString()).toBe('2026-03-02T15:00:00.000Z');
    expect(leadSchema.parse(parsed)).toEqual(parsed);
  });

  it('canonicalises a stored legacy Brazilian number', () => {
    expect(leadSchema.parse({ ...lead, phone: '+551187654321' }).phone.e164).toBe('+5511987654321');
  });

  it.each([
    [{ phone: '11987654321' }, ['phone']],
    [{ phone: '+55 11 1234-5678' }, ['phone']],
    [{ email: 'not-an-email' }, ['email']],
    [{ stage: 'closed' }, ['stage']],
    [{ automation: 'paused' }, ['automation']],
    [{ tags: ['ok', '  '] }, ['tags.1']],
    [{ fields: { budget: { nested: true } } }, ['fields.budget']],
    [{ version: -1, id: 'x' }, ['id', 'version']],
    [{ lastInboundAt: '2026-03-02T12:00:00' }, ['lastInboundAt']],
  ])('rejects %j at %j', (patch, fields) => {
    expect(rejectedFields(leadSchema, { ...lead, ...patch })).toEqual(fields);
  });

  it('caps qualification fields at 100', () => {
    const fields = Object.fromEntries(Array.from({ length: 101 }, (_unused, index) => [`f${index}`, index]));
    expect(rejectedFields(leadSchema, { ...lead, fields })).toEqual(['fields']);
  });

  it('automation runs only for active leads that did not opt out', () => {
    expect(isUnderAutomation({ automation: 'active', optedOut: false })).toBe(true);
    expect(isUnderAutomation({ automation: 'active', optedOut: true })).toBe(false);
    expect(isUnderAutomation({ automation: 'paused_handoff', optedOut: false })).toBe(false);
    expect(isUnderAutomation({ automation: 'stopped', optedOut: false })).toBe(false);
  });

  it('won, lost and human_handoff stop automation', () => {
    expect(stages.filter((stage) => automationStoppingStages.has(stage))).toEqual(['human_handoff', 'won', 'lost']);
  });
});

describe('e164PhoneSchema', () => {
  it('keeps a PhoneNumber and parses E.164 strings', () => {
    const phone = PhoneNumber.parse('+351 912 345 678');
    expect(e164PhoneSchema.parse(phone)).toBe(phone);
    expect(e164PhoneSchema.parse('+12125550123').e164).toBe('+12125550123');
  });

  it.each(['5511987654321', '(11) 98765-4321', '', 'abc', 42])('rejects %j', (value) => {
    expect(e164PhoneSchema.safeParse(value).success).toBe(false);
  });
});

describe('messageSchema', () => {
  const message = {
    id: otherId,
    tenantId,
    leadId,
    direction: 'inbound',
    channel: 'whatsapp',
    body: 'Oi, quero saber o preço',
    media: [{ ref: 'blob://t/1', contentType: 'image/jpeg', fileName: 'foto.jpg', size: 1024 }],
    providerMessageId: '3EB0C767D26A1D2B',
    scheduledMessageId: null,
    status: 'received',
    createdAt,
  };

  it('accepts a message', () => {
    expect(messageSchema.parse(message).createdAt.toISOString()).toBe('2026-03-02T13:00:00.000Z');
  });

  it.each([
    [{ direction: 'sideways' }, ['direction']],
    [{ channel: 'telegram' }, ['channel']],
    [{ body: 'x'.repeat(65_537) }, ['body']],
    [{ media: [{ ref: '', contentType: 'image/jpeg', size: -1 }] }, ['media.0.ref', 'media.0.size']],
    [{ providerMessageId: '' }, ['providerMessageId']],
  ])('rejects %j at %j', (patch, fields) => {
    expect(rejectedFields(messageSchema, { ...message, ...patch })).toEqual(fields);
  });
});

describe('appointmentSchema', () => {
  const appointment = {
    id: otherId,
    tenantId,
    leadId,
    calendarId: 'primary',
    start: '2026-03-03T13:00:00Z',
    end: '2026-03-03T13:30:00Z',
    status: 'scheduled',
    calendarEventId: null,
    rescheduledFromId: null,
    createdAt,
    updatedAt: createdAt,
    version: 0,
  };

  it('accepts an appointment', () => {
    expect(appointmentSchema.parse(appointment).end.toISOString()).toBe('2026-03-03T13:30:00.000Z');
  });

  it('rejects an appointment that does not end after it starts, at end', () => {
    expect(rejectedFields(appointmentSchema, { ...appointment, end: appointment.start })).toEqual(['end']);
    expect(rejectedFields(appointmentSchema, { ...appointment, end: '2026-03-03T12:00:00Z' })).toEqual(['end']);
  });

  it('rejects an unknown status', () => {
    expect(rejectedFields(appointmentSchema, { ...appointment, status: 'maybe' })).toEqual(['status']);
  });

  it('derives the calendar event id from the UUID: 32 lowercase hex digits', () => {
    expect(calendarEventIdFor('1C8D4A2F-6E3B-4D9F-8A7C-2B3C4D5E6F70')).toBe('1c8d4a2f6e3b4d9f8a7c2b3c4d5e6f70');
    expect(calendarEventIdFor(leadId)).toMatch(/^[0-9a-v]{32}$/);
    expect(calendarEventIdFor(leadId)).toBe(calendarEventIdFor(leadId));
  });
});

describe('contactSchema / billingCycleSchema', () => {
  const contact = {
    id: otherId,
    tenantId,
    phone: '+5511987654321',
    name: null,
    email: null,
    optedOut: false,
    optedOutAt: null,
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
  const cycle = {
    id: leadId,
    tenantId,
    externalBillingId: 'INV-2026-0001',
    contactId: otherId,
    amount: 15_990,
    currency: 'BRL',
    dueDate: '2026-03-10',
    status: 'active',
    steps: [
      {
        step: 'D-3',
        offsetDays: -3,
        sendAt: '2026-03-07T13:00:00Z',
        templateKey: 'billing_step',
        variationId: null,
        status: 'scheduled',
        skipReason: null,
        scheduledMessageId: null,
      },
    ],
    metadata: { plan: 'pro', seats: 3 },
    createdAt,
    updatedAt: createdAt,
    version: 0,
  };

  it('accepts a contact and a billing cycle', () => {
    expect(contactSchema.parse(contact).phone.e164).toBe('+5511987654321');
    expect(billingCycleSchema.parse(cycle).steps[0]?.sendAt.toISOString()).toBe('2026-03-07T13:00:00.000Z');
  });

  it.each([
    [{ amount: 159.9 }, ['amount']],
    [{ amount: 0 }, ['amount']],
    [{ currency: 'R$' }, ['currency']],
    [{ dueDate: '2026-02-30' }, ['dueDate']],
    [{ steps: [{ ...cycle.steps[0], status: 'sent' }] }, ['steps.0.status']],
    [{ metadata: { when: new Date() } }, ['metadata.when']],
  ])('rejects the cycle %j at %j', (patch, fields) => {
    expect(rejectedFields(billingCycleSchema, { ...cycle, ...patch })).toEqual(fields);
  });

  it('rejects a contact without a valid phone', () => {
    expect(rejectedFields(contactSchema, { ...contact, phone: '+55' })).toEqual(['phone']);
  });
});

describe('scheduled messages', () => {
  const scheduled = {
    id: otherId,
    tenantId,
    leadId,
    contactId: null,
    kind: 'reengage_1',
    channel: 'whatsapp',
    dedupeKey: `reengage_1:${leadId}:1`,
    dueAt: '2026-03-02T13:30:00Z',
    status: 'pending',
    attempts: 0,
    lastError: { code: 'network', message: 'ECONNRESET', transient: true, at: createdAt },
    lockedBy: null,
    lockedAt: null,
    leaseExpiresAt: null,
    templateKey: 'reengage_1',
    payload: { variables: { leadName: 'Maria' } },
    explanation: { rule: 'silence', silenceMs: 1_800_000 },
    appointmentId: null,
    billingCycleId: null,
    sentAt: null,
    providerMessageId: null,
    skipReason: null,
    cancelReason: null,
    createdAt,
    updatedAt: createdAt,
  };

  it('accepts a scheduled message', () => {
    expect(scheduledMessageSchema.parse(scheduled).lastError?.at.toISOString()).toBe('2026-03-02T13:00:00.000Z');
  });

  it.each([
    [{ kind: 'reengage_3' }, ['kind']],
    [{ status: 'done' }, ['status']],
    [{ skipReason: 'bored' }, ['skipReason']],
    [{ dedupeKey: '' }, ['dedupeKey']],
    [{ attempts: 1.5 }, ['attempts']],
    [{ lastError: { code: 'x', message: 'y', transient: 'yes', at: createdAt } }, ['lastError.transient']],
  ])('rejects %j at %j', (patch, fields) => {
    expect(rejectedFields(scheduledMessageSchema, { ...scheduled, ...patch })).toEqual(fields);
  });

  it('new scheduled messages get defaults', () => {
    expect(
      newScheduledMessageSchema.parse({ tenantId, leadId, kind: 'reengage_1', dedupeKey: 'k', dueAt: '2026-03-02T13:30:00Z' }),
    ).toEqual({
      tenantId,
      leadId,
      contactId: null,
      kind: 'reengage_1',
      dedupeKey: 'k',
      dueAt: new Date('2026-03-02T13:30:00Z'),
      channel: 'whatsapp',
      templateKey: null,
      payload: {},
      explanation: null,
      appointmentId: null,
      billingCycleId: null,
    });
  });

  it('needs exactly one recipient', () => {
    const base = { tenantId, kind: 'billing_step', dedupeKey: 'k', dueAt: '2026-03-02T13:30:00Z' };
    expect(rejectedFields(newScheduledMessageSchema, base)).toEqual(['leadId']);
    expect(rejectedFields(newScheduledMessageSchema, { ...base, leadId, contactId: otherId })).toEqual(['leadId']);
    expect(newScheduledMessageSchema.parse({ ...base, contactId: otherId }).contactId).toBe(otherId);
  });

  it('lists the final statuses', () => {
    expect([...finalScheduledStatuses].sort()).toEqual(['cancelled', 'failed', 'sent', 'skipped']);
  });
});

describe('templateSchema', () => {
  const template = {
    id: otherId,
    tenantId,
    key: 'reengage_1',
    locale: 'pt-BR',
    variations: [
      { id: 'a', body: 'Oi {{leadName}}, tudo bem?' },
      { id: 'b', body: 'Olá {{leadName}}!', weight: 3, active: false },
    ],
    variables: ['leadName'],
    createdAt,
    updatedAt: createdAt,
    version: 0,
  };

  it('accepts a template and fills variation defaults', () => {
    expect(templateSchema.parse(template).variations).toEqual([
      { id: 'a', body: 'Oi {{leadName}}, tudo bem?', weight: 1, active: true },
      { id: 'b', body: 'Olá {{leadName}}!', weight: 3, active: false },
    ]);
  });

  it.each([
    [{ variations: [] }, ['variations']],
    [{ variations: [{ id: 'a', body: '', weight: 0 }] }, ['variations.0.body', 'variations.0.weight']],
    [{ variables: ['lead name'] }, ['variables.0']],
    [{ locale: 'pt_BR' }, ['locale']],
  ])('rejects %j at %j', (patch, fields) => {
    expect(rejectedFields(templateSchema, { ...template, ...patch })).toEqual(fields);
  });
});

describe('outbox, sync state and alerts', () => {
  const entry = {
    id: otherId,
    tenantId,
    topic: 'crm',
    aggregateType: 'lead',
    aggregateId: leadId,
    type: 'lead.stage_changed',
    payload: { from: 'new', to: 'qualifying' },
    status: 'pending',
    sequence: 1,
    attempts: 0,
    availableAt: createdAt,
    lockedBy: null,
    lockedAt: null,
    leaseExpiresAt: null,
    lastError: null,
    createdAt,
    processedAt: null,
  };

  it('accepts an outbox entry and rejects a bad topic or sequence', () => {
    expect(outboxEntrySchema.parse(entry).availableAt.toISOString()).toBe('2026-03-02T13:00:00.000Z');
    expect(rejectedFields(outboxEntrySchema, { ...entry, topic: 'email', sequence: -1 })).toEqual(['topic', 'sequence']);
  });

  it('a new outbox entry needs only its identity; payload defaults to {}', () => {
    expect(
      newOutboxEntrySchema.parse({
        tenantId,
        topic: 'calendar',
        aggregateType: 'appointment',
        aggregateId: leadId,
        type: 'appointment.cancel_event',
      }),
    ).toEqual({
      tenantId,
      topic: 'calendar',
      aggregateType: 'appointment',
      aggregateId: leadId,
      type: 'appointment.cancel_event',
      payload: {},
    });
    expect(rejectedFields(newOutboxEntrySchema, { tenantId, topic: 'crm', aggregateType: '', aggregateId: 'x', type: 't' })).toEqual([
      'aggregateType',
      'aggregateId',
    ]);
  });

  it('accepts a sync state', () => {
    expect(
      syncStateSchema.parse({ tenantId, leadId, crmLeadId: '1', state: { stage: 'won' }, syncedAt: createdAt, version: 2 }).version,
    ).toBe(2);
  });

  it('accepts a process-wide alert and rejects an unknown severity', () => {
    const alert = {
      id: otherId,
      tenantId: null,
      kind: 'dispatcher_heartbeat',
      key: '',
      severity: 'critical',
      message: 'no heartbeat for 24h',
      details: {},
      raisedAt: createdAt,
      lastSeenAt: createdAt,
      resolvedAt: null,
    };
    expect(alertSchema.parse(alert).tenantId).toBeNull();
    expect(rejectedFields(alertSchema, { ...alert, severity: 'info' })).toEqual(['severity']);
  });
});
