/**
 * End to end: the real server (`startServer`, as `sdr serve` runs it) on PGlite and on
 * PostgreSQL, driven over HTTP only — the demo tenant's key, the REST API and the sandbox
 * endpoints. Time moves through the sandbox clock; the workers do the rest on their own.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from './start-server.js';
import { clientFor, createTestDatabase, drivers, startTestServer, type Client, type TestDatabase } from './__fixtures__/server-harness.js';

interface Lead {
  readonly id: string;
  readonly stage: string;
  readonly automation: string;
}
interface Sent {
  readonly to: string;
  readonly text: string;
  readonly acceptedAt: string;
}
interface Scheduled {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly dueAt: string;
}
interface Board {
  readonly leads: readonly {
    readonly name: string | null;
    readonly phone: string | null;
    readonly stage: { statusId: string } | null;
    readonly notes: readonly { text: string }[];
  }[];
}

const minutes = (n: number) => ({ minutes: n });
const waitLong = { timeout: 15_000, interval: 100 };

// Each journey waits on the workers up to `waitLong`: its own timeout allows for that on a loaded machine.
describe.each(drivers)('the server end to end [%s]', { timeout: 30_000 }, (driver) => {
  // Undefined in `afterAll` when `beforeAll` failed before assigning them.
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let api: Client;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    server = await startTestServer(database.env);
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  const sentTo = async (phone: string) =>
    (await api.get<{ items: Sent[] }>('/v1/sandbox/messages?limit=100')).items.filter((message) => message.to === phone);
  const scheduled = async (leadId: string) => (await api.get<{ items: Scheduled[] }>(`/v1/leads/${leadId}/scheduled-messages`)).items;
  const boardLead = async (phone: string) => (await api.get<Board>('/v1/sandbox/crm')).leads.find((lead) => lead.phone === phone);
  const advance = (n: number) => api.post('/v1/sandbox/clock/advance', minutes(n));
  const newConversation = async (phone: string, name: string) => {
    const inbound = await api.post<{ leadId: string }>('/v1/sandbox/inbound', { from: phone, text: 'Oi! Quero saber mais', name });
    await api.post(`/v1/leads/${inbound.leadId}/messages`, { direction: 'outbound', body: `Olá ${name}! Posso te mostrar como funciona?` });
    return inbound.leadId;
  };

  it('a silent lead gets re-engagement #1 after 30 min, #2 after 24 h, then is moved to not interested (also on the CRM)', async () => {
    const phone = '+5511987650001';
    const leadId = await newConversation(phone, 'Ana');
    await advance(31);
    await vi.waitFor(async () => expect(await sentTo(phone)).toHaveLength(1), waitLong);
    await advance(24 * 60 + 1);
    await vi.waitFor(async () => expect(await sentTo(phone)).toHaveLength(2), waitLong);
    await advance(24 * 60 + 1);
    await vi.waitFor(async () => expect((await api.get<Lead>(`/v1/leads/${leadId}`)).stage).toBe('not_interested'), waitLong);
    expect(await sentTo(phone)).toHaveLength(2);
    await vi.waitFor(async () => expect((await boardLead(phone))?.stage?.statusId).toBe('not_interested'), waitLong);
  });

  it('a lead who books: stage moved on the CRM, reminders 24 h and 2 h before scheduled and sent; a reschedule moves them', async () => {
    const phone = '+5511987650002';
    const leadId = await newConversation(phone, 'Bruno');
    const slots = await api.get<{ items: { start: string }[] }>(`/v1/slots?leadId=${leadId}&limit=200`);
    const now = new Date((await api.get<{ now: string }>('/v1/sandbox/clock')).now).getTime();
    const threeDays = slots.items.find((slot) => new Date(slot.start).getTime() > now + 3 * 24 * 3_600_000);
    expect(threeDays).toBeDefined();
    const booked = await api.post<{ appointment: { id: string; start: string } }>(`/v1/leads/${leadId}/appointments`, {
      start: threeDays?.start,
    });
    expect((await api.get<Lead>(`/v1/leads/${leadId}`)).stage).toBe('meeting_scheduled');
    await vi.waitFor(async () => expect((await boardLead(phone))?.stage?.statusId).toBe('meeting_scheduled'), waitLong);
    const reminders = (await scheduled(leadId)).filter((message) => message.kind.startsWith('reminder') && message.status === 'pending');
    expect(reminders.map((message) => message.kind).sort()).toEqual(['reminder_24h', 'reminder_2h']);
    expect((await scheduled(leadId)).filter((message) => message.kind.startsWith('reengage') && message.status === 'pending')).toEqual([]);

    const later = new Date(new Date(booked.appointment.start).getTime() + 24 * 3_600_000).toISOString();
    const moved = await api.post<{ appointment: { id: string; start: string } }>(`/v1/appointments/${booked.appointment.id}/reschedule`, {
      start: later,
    });
    const pending = (await scheduled(leadId)).filter((message) => message.kind.startsWith('reminder') && message.status === 'pending');
    expect(pending.map((message) => [message.kind, message.dueAt]).sort()).toEqual([
      ['reminder_24h', new Date(new Date(later).getTime() - 24 * 3_600_000).toISOString()],
      ['reminder_2h', new Date(new Date(later).getTime() - 2 * 3_600_000).toISOString()],
    ]);
    await vi.waitFor(async () => {
      const live = (await api.get<{ events: { start: string }[] }>('/v1/sandbox/calendar')).events.map((event) => event.start);
      expect(live).toEqual([moved.appointment.start]);
    }, waitLong);

    const untilMeeting = Math.ceil(
      (new Date(later).getTime() - new Date((await api.get<{ now: string }>('/v1/sandbox/clock')).now).getTime()) / 60_000,
    );
    await advance(untilMeeting - 23 * 60);
    await vi.waitFor(async () => expect(await sentTo(phone)).toHaveLength(1), waitLong);
    await advance(22 * 60);
    await vi.waitFor(async () => expect(await sentTo(phone)).toHaveLength(2), waitLong);
    const sent = (await scheduled(leadId)).filter((message) => message.status === 'sent').map((message) => message.kind);
    expect(sent.sort()).toEqual(['reminder_24h', 'reminder_2h']);
    for (const message of await sentTo(phone)) expect(new Date(message.acceptedAt).getTime()).toBeLessThan(new Date(later).getTime());
  });

  it('a handoff: a note on the CRM, automation paused, no re-engagement goes out', async () => {
    const phone = '+5511987650003';
    const leadId = await newConversation(phone, 'Carla');
    const handoff = await api.post<{ lead: Lead }>(`/v1/leads/${leadId}/handoff`, { reason: 'quer falar com um especialista' });
    expect(handoff.lead).toMatchObject({ automation: 'paused_handoff', stage: 'human_handoff' });
    await vi.waitFor(async () => {
      const lead = await boardLead(phone);
      expect(lead?.notes.some((note) => note.text.includes('quer falar com um especialista'))).toBe(true);
      expect(lead?.stage?.statusId).toBe('human_handoff');
    }, waitLong);
    await advance(31);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sentTo(phone)).toEqual([]);
  });

  it('a billing batch: dry run, apply, messages sent, paid ⇒ the remaining ones cancelled', async () => {
    const now = new Date((await api.get<{ now: string }>('/v1/sandbox/clock')).now);
    const due = new Date(now.getTime() + 5 * 24 * 3_600_000).toISOString().slice(0, 10);
    const phone = '+5511987650004';
    const items = [
      { externalBillingId: `INV-${driver}`, customer: { name: 'Davi', phone }, amount: 19_900, currency: 'BRL', dueDate: due },
    ];
    const dry = await api.request<{ planHash: string; summary: { created: number } }>('POST', '/v1/billing/imports', {
      items,
      dryRun: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.summary.created).toBe(1);
    const applied = await api.post<{ items: { billingCycleId: string }[] }>(`/v1/billing/plans/${dry.body.planHash}/apply`, { items });
    const cycleId = applied.items[0]?.billingCycleId ?? '';
    await advance(4 * 24 * 60);
    await vi.waitFor(async () => expect(await sentTo(phone)).toHaveLength(1), waitLong);
    const paid = await api.post<{ status: string; steps: { scheduledMessageId: string | null }[] }>(`/v1/billing/cycles/${cycleId}/pay`);
    expect(paid.status).toBe('paid');
    const statuses = await Promise.all(
      paid.steps.map(async (step) => {
        const explained = await api.get<{ scheduledMessage: { status: string } }>(
          `/v1/scheduled-messages/${step.scheduledMessageId ?? ''}/explain`,
        );
        return explained.scheduledMessage.status;
      }),
    );
    expect(statuses).toEqual(['sent', 'cancelled', 'cancelled']);
    await advance(6 * 24 * 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sentTo(phone)).toHaveLength(1);
  });
});
