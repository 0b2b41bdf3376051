/**
 * The follow-up handler under the real dispatcher, on the in-memory doubles: what is scheduled
 * in one season is sent at the right instant in the next, closed hours hold re-engagements but
 * not reminders, and a second pass sends nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { createInMemoryMessaging } from '../../testing/messaging/in-memory-messaging.js';
import { createDispatcher } from '../dispatch/dispatcher.js';
import type { TenantConfigInput } from '../model/tenant.js';
import { createFollowUpDispatchHandler } from './follow-up-dispatch-handler.js';
import { followUpWorld, newAppointment } from './__fixtures__/service-fixtures.js';

const open: Array<[string, string]> = [['09:00', '18:00']];
const weekdays = { mon: open, tue: open, wed: open, thu: open, fri: open };

async function world(start: string, tenant: Partial<TenantConfigInput>) {
  const base = await followUpWorld({ start, tenant });
  const messaging = createInMemoryMessaging({ clock: base.clock });
  const dispatcher = createDispatcher({
    store: base.store,
    messaging,
    clock: base.clock,
    handlers: [createFollowUpDispatchHandler({ followUp: base.followUp, events: base.events })],
    pacing: false,
  });
  const rows = () => base.store.dump().scheduledMessages.map((row) => [row.kind, row.status, row.dueAt.toISOString()]);
  return { ...base, messaging, dispatcher, rows };
}

describe('follow-ups through the dispatcher', () => {
  it('a silence that starts in EST is re-engaged at 09:00 EDT, and #2 24 h after that send', async () => {
    const w = await world('2026-03-06T22:50:00Z', { timeZone: 'America/New_York', businessHours: weekdays });
    await w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at: w.clock.now() } });
    await w.clock.set('2026-03-09T12:59:00Z');
    await w.dispatcher.runOnce();
    expect(w.messaging.sent).toEqual([]);
    await w.clock.set('2026-03-09T13:00:00Z');
    await w.dispatcher.runOnce();
    await w.dispatcher.runOnce();
    expect(w.messaging.sent.map((sent) => [sent.text.slice(0, 6), sent.at.toISOString()])).toEqual([
      ['Oi Ana', '2026-03-09T13:00:00.000Z'],
    ]);
    expect(w.rows()).toEqual([
      ['reengage_1', 'sent', '2026-03-09T13:00:00.000Z'],
      ['reengage_2', 'pending', '2026-03-10T13:00:00.000Z'],
    ]);
  });

  it('a re-engagement found due while closed waits for the opening; a reminder due at night goes out', async () => {
    const w = await world('2026-03-02T13:00:00Z', { businessHours: weekdays });
    const appointment = newAppointment(w, '2026-03-03T02:30:00Z');
    await w.store.transaction(async (tx) => {
      await tx.appointments.create(appointment);
      await w.followUp.onAppointmentChange({ type: 'booked', appointment }, { tx, tenant: w.tenant, now: w.clock.now() });
    });
    // Scheduled after the booking (which cancels pending re-engagements), due in closed hours.
    const silenceRow = await w.store.scheduledMessages.schedule({
      tenantId: w.tenant.id,
      leadId: w.lead.id,
      kind: 'reengage_1',
      dedupeKey: 'reengage_1:hand-made',
      dueAt: new Date('2026-03-02T23:00:00Z'),
      payload: { silenceStartedAt: '2026-03-02T13:00:00.000Z' },
    });
    await w.clock.set('2026-03-03T00:30:00Z');
    await w.dispatcher.runOnce();
    expect(w.messaging.sent.map((sent) => sent.text)).toEqual(['Ana, nossa reunião começa em breve: 02/03/2026, às 23:30. Até já!']);
    expect(await w.store.scheduledMessages.get(w.tenant.id, silenceRow.message.id)).toMatchObject({
      status: 'pending',
      dueAt: new Date('2026-03-03T12:00:00Z'),
    });
  });

  it('a reply the service did not see still stops the re-engagement at send time', async () => {
    const w = await world('2026-03-02T13:00:00Z', {});
    await w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at: w.clock.now() } });
    const lead = await w.store.leads.get(w.tenant.id, w.lead.id);
    // A reply recorded without going through the follow-up service (a webhook path that failed
    // half-way, say): the pending row survived, the dispatcher's re-validation still catches it.
    await w.store.leads.update({ ...lead!, lastInboundAt: new Date('2026-03-02T13:10:00Z') });
    await w.clock.set('2026-03-02T13:30:00Z');
    await w.dispatcher.runOnce();
    expect(w.messaging.sent).toEqual([]);
    expect(w.store.dump().scheduledMessages[0]).toMatchObject({ status: 'skipped', skipReason: 'replied' });
  });
});
