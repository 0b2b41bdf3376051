import { describe, expect, it } from 'vitest';
import type { DispatchContext, DispatchDecision } from '../dispatch/dispatch-handler.js';
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { templateSchema } from '../model/template.js';
import { createFollowUpDispatchHandler } from './follow-up-dispatch-handler.js';
import { followUpWorld, heardNames, newAppointment, type FollowUpWorld } from './__fixtures__/service-fixtures.js';

const at = (iso: string) => new Date(iso);

async function world(options: Parameters<typeof followUpWorld>[0] = {}) {
  const base = await followUpWorld(options);
  const handler = createFollowUpDispatchHandler({ followUp: base.followUp, events: base.events });
  const context = (): DispatchContext => ({ now: base.clock.now(), tenant: base.tenant, store: base.store });
  return { ...base, handler, context };
}

async function silence(w: FollowUpWorld, when = w.clock.now()): Promise<ScheduledMessage> {
  const result = await w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at: when } });
  return result.scheduled[0]!;
}

async function setLead(w: FollowUpWorld, patch: Partial<Lead>): Promise<void> {
  const current = await w.store.leads.get(w.tenant.id, w.lead.id);
  await w.store.leads.update({ ...current!, ...patch });
}

async function book(w: FollowUpWorld, start: string): Promise<{ appointment: Appointment; reminders: ScheduledMessage[] }> {
  const appointment = newAppointment(w, start);
  await w.store.transaction(async (tx) => {
    await tx.appointments.create(appointment);
    await w.followUp.onAppointmentChange({ type: 'booked', appointment }, { tx, tenant: w.tenant, now: w.clock.now() });
  });
  const reminders = await w.store.scheduledMessages.list({ tenantId: w.tenant.id, appointmentId: appointment.id });
  return { appointment, reminders };
}

function sent(decision: DispatchDecision): Extract<DispatchDecision, { action: 'send' }> {
  if (decision.action !== 'send') throw new Error(`expected a send, got ${JSON.stringify(decision)}`);
  return decision;
}

describe('prepare: re-engagements', () => {
  it('renders the built-in pt-BR text for the lead’s first name and waits for business hours', async () => {
    const w = await world();
    const decision = sent(await w.handler.prepare(await silence(w), w.context()));
    expect(decision).toMatchObject({ instance: 'default', businessHours: 'respect' });
    expect(decision.to.e164).toBe('+5511987654321');
    expect(decision.text).toBe('Oi Ana, tudo bem? Ficou alguma dúvida sobre o que conversamos? Estou por aqui.');
  });

  it('speaks English for an English tenant, and reads well without a name', async () => {
    const w = await world({ tenant: { locale: 'en' }, lead: { name: null } });
    const decision = sent(await w.handler.prepare(await silence(w), w.context()));
    expect(decision.text).toBe('Hi, is everything alright? Any questions about what we talked about? I am here to help.');
  });

  it('uses the tenant’s own template when it saved one', async () => {
    const w = await world();
    await w.store.templates.save(
      parseOrThrow(templateSchema, {
        id: crypto.randomUUID(),
        tenantId: w.tenant.id,
        key: 'reengage_1',
        locale: 'pt-BR',
        variations: [{ id: 'a', body: 'E aí, {{leadName}}? Aqui é da {{businessName}}.' }],
        variables: ['leadName', 'businessName'],
        createdAt: w.clock.now(),
        updatedAt: w.clock.now(),
        version: 0,
      }),
    );
    expect(sent(await w.handler.prepare(await silence(w), w.context())).text).toBe('E aí, Ana? Aqui é da Acme.');
  });

  it.each([
    ['the lead opted out', { optedOut: true }, 'opted_out'],
    ['the lead replied after the silence started', { lastInboundAt: at('2026-03-02T13:10:00Z') }, 'replied'],
    ['the lead was handed off', { automation: 'paused_handoff' }, 'automation_paused'],
    ['automation is stopped', { automation: 'stopped' }, 'automation_stopped'],
  ] as const)('skips when %s', async (_label, patch, reason) => {
    const w = await world();
    const row = await silence(w);
    await setLead(w, patch);
    expect(await w.handler.prepare(row, w.context())).toEqual({ action: 'skip', reason });
  });

  it('a message whose lead is gone is skipped', async () => {
    const w = await world();
    const row = await silence(w);
    expect(await w.handler.prepare({ ...row, leadId: crypto.randomUUID() }, w.context())).toEqual({
      action: 'skip',
      reason: 'recipient_missing',
    });
  });
});

describe('give-up', () => {
  it('is performed (no message), moves the lead to not_interested, and is idempotent', async () => {
    const w = await world();
    const first = await silence(w);
    await w.handler.onSettled?.(
      first,
      { status: 'sent', providerMessageId: 'P1', text: 'oi', at: at('2026-03-02T13:30:00Z') },
      w.context(),
    );
    const [second] = await w.store.scheduledMessages.list({ tenantId: w.tenant.id, kinds: ['reengage_2'] });
    await w.handler.onSettled?.(
      second!,
      { status: 'sent', providerMessageId: 'P2', text: 'oi', at: at('2026-03-03T13:30:00Z') },
      w.context(),
    );
    const [giveUp] = await w.store.scheduledMessages.list({ tenantId: w.tenant.id, kinds: ['give_up'] });
    expect(giveUp?.dueAt).toEqual(at('2026-03-04T13:30:00Z'));
    expect(await w.handler.prepare(giveUp!, w.context())).toEqual({ action: 'perform', businessHours: 'ignore' });
    await w.handler.perform?.(giveUp!, w.context());
    await w.handler.perform?.(giveUp!, w.context());
    const lead = await w.store.leads.get(w.tenant.id, w.lead.id);
    expect(lead).toMatchObject({ stage: 'not_interested', automation: 'stopped' });
    expect(w.store.dump().outbox.filter((entry) => entry.type === 'lead.stage_changed')).toHaveLength(1);
  });
});

describe('prepare: reminders', () => {
  it('renders the meeting date and time in the tenant’s zone and ignores business hours', async () => {
    const w = await world();
    const { reminders } = await book(w, '2026-03-05T17:00:00Z');
    const decision = sent(await w.handler.prepare(reminders[0]!, w.context()));
    expect(decision.businessHours).toBe('ignore');
    expect(decision.text).toBe('Oi Ana! Lembrete da nossa reunião em 05/03/2026, às 14:00. Até lá!');
    expect(sent(await w.handler.prepare(reminders[1]!, w.context())).text).toBe(
      'Ana, nossa reunião começa em breve: 05/03/2026, às 14:00. Até já!',
    );
  });

  it.each([
    ['cancelled', (appointment: Appointment) => ({ ...appointment, status: 'cancelled' as const }), 'appointment_not_scheduled'],
    [
      'moved',
      (appointment: Appointment) => ({ ...appointment, start: at('2026-03-06T17:00:00Z'), end: at('2026-03-06T17:30:00Z') }),
      'appointment_moved',
    ],
  ])('skips the reminder of a meeting that was %s', async (_label, change, reason) => {
    const w = await world();
    const { appointment, reminders } = await book(w, '2026-03-05T17:00:00Z');
    await w.store.appointments.update(change(appointment));
    expect(await w.handler.prepare(reminders[0]!, w.context())).toEqual({ action: 'skip', reason });
  });

  it('never sends a reminder once the meeting started', async () => {
    const w = await world();
    const { reminders } = await book(w, '2026-03-05T17:00:00Z');
    await w.clock.set('2026-03-05T17:00:00Z');
    expect(await w.handler.prepare(reminders[1]!, w.context())).toEqual({ action: 'skip', reason: 'appointment_started' });
  });

  it('a handed-off lead still gets reminders, unless the tenant said otherwise', async () => {
    const w = await world();
    const { reminders } = await book(w, '2026-03-05T17:00:00Z');
    await setLead(w, { automation: 'paused_handoff' });
    expect((await w.handler.prepare(reminders[0]!, w.context())).action).toBe('send');
    const strict = { ...w.context(), tenant: { ...w.tenant, reminders: { ...w.tenant.reminders, whileAutomationPaused: false } } };
    expect(await w.handler.prepare(reminders[0]!, strict)).toEqual({ action: 'skip', reason: 'automation_paused' });
  });

  it('an opted-out lead gets no reminder', async () => {
    const w = await world();
    const { reminders } = await book(w, '2026-03-05T17:00:00Z');
    await setLead(w, { optedOut: true });
    expect(await w.handler.prepare(reminders[0]!, w.context())).toEqual({ action: 'skip', reason: 'opted_out' });
  });
});

describe('onSettled', () => {
  it('records the sent re-engagement once and schedules #2 24 h after it was actually sent', async () => {
    const w = await world();
    const row = await silence(w);
    const sentAt = at('2026-03-02T13:41:00Z');
    const outcome = { status: 'sent', providerMessageId: 'WA1', text: 'Oi Ana', at: sentAt } as const;
    await w.handler.onSettled?.(row, outcome, w.context());
    await w.handler.onSettled?.(row, outcome, w.context());
    const dump = w.store.dump();
    expect(dump.messages).toEqual([
      expect.objectContaining({ id: row.id, direction: 'outbound', body: 'Oi Ana', providerMessageId: 'WA1', scheduledMessageId: row.id }),
    ]);
    expect(dump.leads[0]?.lastOutboundAt).toEqual(sentAt);
    const second = dump.scheduledMessages.filter((message) => message.kind === 'reengage_2');
    expect(second.map((message) => message.dueAt)).toEqual([at('2026-03-03T13:41:00Z')]);
    expect(second[0]?.payload).toMatchObject({ silenceStartedAt: row.payload['silenceStartedAt'] });
    expect(heardNames(w).filter((name) => name === 'message.sent')).toHaveLength(1);
  });

  it('a sent reminder is recorded and starts no silence', async () => {
    const w = await world();
    const { reminders } = await book(w, '2026-03-05T17:00:00Z');
    const before = w.store.dump().scheduledMessages.length;
    await w.handler.onSettled?.(
      reminders[0]!,
      { status: 'sent', providerMessageId: 'WA2', text: 'Lembrete', at: w.clock.now() },
      w.context(),
    );
    expect(w.store.dump().messages).toHaveLength(1);
    expect(w.store.dump().scheduledMessages).toHaveLength(before);
  });

  it('a skipped or failed message records nothing', async () => {
    const w = await world();
    const row = await silence(w);
    await w.handler.onSettled?.(row, { status: 'skipped', reason: 'replied', at: w.clock.now() }, w.context());
    expect(w.store.dump().messages).toEqual([]);
    expect(w.store.dump().scheduledMessages).toHaveLength(1);
  });
});
