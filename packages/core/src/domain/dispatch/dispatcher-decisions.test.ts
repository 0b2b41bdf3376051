import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { createInMemoryMessaging, createInMemoryStore } from '../../testing/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import type { DispatchHandler } from './dispatch-handler.js';
import { createDispatcher } from './dispatcher.js';
import { T0, dispatchHarness, hour, minute, stubHandler } from './__fixtures__/dispatch-harness.js';

describe('dispatcher: decisions', () => {
  it('sends, marks the row sent and tells the handler the text and provider id', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const message = await h.schedule({ payload: { to: '+5511987654321', text: 'Oi, tudo bem?' } });

    expect(await dispatcher.runOnce()).toEqual({
      claimed: 1,
      sent: 1,
      performed: 0,
      skipped: 0,
      deferred: 0,
      retried: 0,
      failed: 0,
      recovered: 0,
    });
    const stored = await h.row(message.id);
    expect(stored).toMatchObject({ status: 'sent', attempts: 0, sentAt: h.clock.now() });
    expect(stored.providerMessageId).toBe(h.channel.sent[0]?.providerMessageId);
    expect(h.channel.sent).toEqual([
      expect.objectContaining({ instance: 'default', to: '+5511987654321', text: 'Oi, tudo bem?', idempotencyKey: message.id }),
    ]);
    expect(h.eventsNamed('scheduled.sent')).toEqual([
      {
        tenantId: h.tenant.id,
        at: h.clock.now(),
        scheduledMessageId: message.id,
        kind: 'reengage_1',
        providerMessageId: stored.providerMessageId,
      },
    ]);
    expect(h.handler.settled).toEqual([
      {
        message: expect.objectContaining({ id: message.id, status: 'sent', providerMessageId: stored.providerMessageId }),
        outcome: { status: 'sent', providerMessageId: stored.providerMessageId, text: 'Oi, tudo bem?', at: h.clock.now() },
      },
    ]);
    expect(dispatcher.lastHeartbeatAt).toEqual(h.clock.now());
  });

  it('skips with the handler’s reason, emits scheduled.skipped and tells the handler', async () => {
    const handler = stubHandler(['reengage_1', 'reminder_2h', 'billing_step'], {
      prepare: (message) => ({
        action: 'skip',
        reason: message.kind === 'reengage_1' ? 'replied' : message.kind === 'reminder_2h' ? 'appointment_moved' : 'cycle_inactive',
      }),
    });
    const h = await dispatchHarness({ handlers: [handler] });
    const dispatcher = h.make();
    const replied = await h.schedule({ kind: 'reengage_1' });
    const moved = await h.schedule({ kind: 'reminder_2h' });
    const inactive = await h.schedule({ kind: 'billing_step' });

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, skipped: 3, sent: 0 });
    expect(await h.row(replied.id)).toMatchObject({ status: 'skipped', skipReason: 'replied', attempts: 0 });
    expect(await h.row(moved.id)).toMatchObject({ status: 'skipped', skipReason: 'appointment_moved' });
    expect(await h.row(inactive.id)).toMatchObject({ status: 'skipped', skipReason: 'cycle_inactive' });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(0);
    expect(
      h
        .eventsNamed('scheduled.skipped')
        .map((event) => event.reason)
        .sort(),
    ).toEqual(['appointment_moved', 'cycle_inactive', 'replied']);
    expect(handler.settled.map((call) => call.outcome.status)).toEqual(['skipped', 'skipped', 'skipped']);
  });

  it('defers when the handler says so, without counting an attempt', async () => {
    const until = new Date(T0.getTime() + 2 * hour);
    const handler = stubHandler(['reengage_1'], { prepare: () => ({ action: 'defer', until, reason: 'lead typing' }) });
    const h = await dispatchHarness({ handlers: [handler] });
    const dispatcher = h.make();
    const message = await h.schedule();

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, deferred: 1 });
    expect(await h.row(message.id)).toMatchObject({ status: 'pending', dueAt: until, attempts: 0, lockedBy: null });
    expect(handler.settled).toHaveLength(0);
  });

  it('runs a perform decision, marks the row sent ("done") without a provider id', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const giveUp = await h.schedule({ kind: 'give_up' });

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, performed: 1, sent: 0 });
    expect(await h.row(giveUp.id)).toMatchObject({ status: 'sent', providerMessageId: null });
    expect(h.performer.performed.map((row) => row.id)).toEqual([giveUp.id]);
    expect(h.performer.settled.map((call) => call.outcome)).toEqual([{ status: 'performed', at: h.clock.now() }]);
    expect(h.messaging.faults.calls('sendText')).toHaveLength(0);
  });

  it('retries a perform that fails transiently', async () => {
    const performer = stubHandler(['give_up'], {
      prepare: () => ({ action: 'perform', businessHours: 'ignore' }),
      perform: () => Promise.reject(new Error('socket hang up')),
    });
    const h = await dispatchHarness({ handlers: [performer] });
    const dispatcher = h.make();
    const giveUp = await h.schedule({ kind: 'give_up' });

    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1 });
    expect(await h.row(giveUp.id)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('fails a perform decision of a handler without perform', async () => {
    const handler: DispatchHandler = { kinds: ['give_up'], prepare: () => Promise.resolve({ action: 'perform', businessHours: 'ignore' }) };
    const h = await dispatchHarness({ handlers: [handler] });
    const giveUp = await h.schedule({ kind: 'give_up' });

    expect(await h.make().runOnce()).toMatchObject({ failed: 1 });
    expect(await h.row(giveUp.id)).toMatchObject({ status: 'failed', lastError: { code: 'validation_failed', transient: false } });
  });

  it('defers a Friday 18:30 send to Monday 09:00 (America/Sao_Paulo) without counting an attempt', async () => {
    // Friday 2031-03-07 18:30 local = 21:30 UTC; Monday 2031-03-10 09:00 local = 12:00 UTC.
    const h = await dispatchHarness({ start: new Date('2031-03-07T21:30:00Z') });
    const dispatcher = h.make();
    const respectful = await h.schedule({ payload: { businessHours: 'respect' } });
    const giveUp = await h.schedule({ kind: 'give_up' });
    const reminder = await h.schedule({ kind: 'reminder_24h', payload: { businessHours: 'ignore' } });

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, deferred: 2, sent: 1 });
    const monday = new Date('2031-03-10T12:00:00Z');
    expect(await h.row(respectful.id)).toMatchObject({ status: 'pending', dueAt: monday, attempts: 0 });
    expect(await h.row(giveUp.id)).toMatchObject({ status: 'pending', dueAt: monday, attempts: 0 });
    expect(await h.row(reminder.id)).toMatchObject({ status: 'sent' });
    expect(h.performer.performed).toHaveLength(0);

    await h.clock.set(monday);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, sent: 1, performed: 1 });
  });

  it('keeps the final status when onSettled fails, and logs it', async () => {
    const handler = stubHandler(['reengage_1'], { onSettled: () => Promise.reject(new Error('crm down')) });
    const h = await dispatchHarness({ handlers: [handler] });
    const dispatcher = h.make();
    const message = await h.schedule();

    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1, failed: 0 });
    expect(await h.row(message.id)).toMatchObject({ status: 'sent', attempts: 0 });
    expect(handler.settled).toHaveLength(1);
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', context: expect.objectContaining({ outcome: 'sent' }) }),
    );
  });

  it('keeps the row sent when an event listener throws', async () => {
    const h = await dispatchHarness();
    h.events.on('scheduled.sent', () => {
      throw new Error('listener bug');
    });
    const message = await h.schedule();

    expect(await h.make().runOnce()).toMatchObject({ sent: 1 });
    expect(await h.row(message.id)).toMatchObject({ status: 'sent' });
    expect(h.handler.settled).toHaveLength(1);
  });

  it('never claims kinds it has no handler for', async () => {
    const h = await dispatchHarness({ handlers: [stubHandler(['reengage_1'])] });
    const dispatcher = h.make();
    const billing = await h.schedule({ kind: 'billing_step' });
    const reminder = await h.schedule({ kind: 'reminder_2h' });
    const reengage = await h.schedule({ kind: 'reengage_1' });

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await h.row(reengage.id)).toMatchObject({ status: 'sent' });
    expect(await h.row(billing.id)).toMatchObject({ status: 'pending', lockedBy: null, attempts: 0 });
    expect(await h.row(reminder.id)).toMatchObject({ status: 'pending', lockedBy: null, attempts: 0 });
    expect(h.scheduler.faults.calls('claimDue')[0]?.args[0]).toMatchObject({ kinds: ['reengage_1'] });
  });

  it('claims at most batchSize rows per pass, the oldest due first', async () => {
    const h = await dispatchHarness({ dispatcher: { batchSize: 2 } });
    const dispatcher = h.make();
    const rows = [];
    for (let index = 3; index >= 1; index -= 1) rows.push(await h.schedule({ dueAt: new Date(T0.getTime() - index * minute) }));

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, sent: 2 });
    // Rows of one batch are processed concurrently: the batch is the oldest, its order is free.
    expect(new Set(h.channel.sent.map((sent) => sent.idempotencyKey))).toEqual(new Set([rows[0]?.id, rows[1]?.id]));
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
  });

  it('loads each tenant once per pass', async () => {
    const h = await dispatchHarness();
    for (let index = 0; index < 5; index += 1) await h.schedule({ payload: { instance: `instance-${index}` } });
    const tenantReads: string[] = [];
    const get = h.store.tenants.get.bind(h.store.tenants);
    const store = { ...h.store, tenants: { ...h.store.tenants, get: (id: string) => (tenantReads.push(id), get(id)) } };

    expect(await h.make({ store }).runOnce()).toMatchObject({ sent: 5 });
    expect(tenantReads).toEqual([h.tenant.id]);
  });
});

describe('createDispatcher: options', () => {
  const clock = new VirtualClock(T0);
  const base = { store: createInMemoryStore({ clock }), messaging: createInMemoryMessaging({ clock }), clock };

  it('refuses two handlers for one kind, naming the second', () => {
    const create = () => createDispatcher({ ...base, handlers: [stubHandler(['reengage_1', 'give_up']), stubHandler(['give_up'])] });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/handlers\.1\.kinds: kind give_up is already served by handlers\.0/);
  });

  it('refuses no handlers, an empty or unknown kind, and bad numbers', () => {
    expect(() => createDispatcher({ ...base, handlers: [] })).toThrow(/handlers: must serve at least one kind/);
    expect(() => createDispatcher({ ...base, handlers: [stubHandler([])] })).toThrow(/handlers\.0\.kinds/);
    expect(() => createDispatcher({ ...base, handlers: [{ ...stubHandler([]), kinds: ['nope' as 'give_up'] }] })).toThrow(
      /nope is not a scheduled-message kind/,
    );
    const handlers = [stubHandler(['give_up'])];
    expect(() => createDispatcher({ ...base, handlers, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => createDispatcher({ ...base, handlers, leaseMs: 10 })).toThrow(/leaseMs/);
    expect(() => createDispatcher({ ...base, handlers, pollIntervalMs: 0 })).toThrow(/pollIntervalMs/);
    expect(() => createDispatcher({ ...base, handlers, pacing: { minIntervalMs: -1, jitterMs: 0 } })).toThrow(/pacing/);
    expect(() => createDispatcher({ ...base, handlers, workerId: ' ' })).toThrow(/workerId/);
  });

  it('names itself dispatcher-<uuid> unless told otherwise', () => {
    const handlers = [stubHandler(['give_up'])];
    expect(createDispatcher({ ...base, handlers }).workerId).toMatch(/^dispatcher-[0-9a-f-]{36}$/);
    expect(createDispatcher({ ...base, handlers, workerId: 'worker-7' }).workerId).toBe('worker-7');
    expect(createDispatcher({ ...base, handlers }).lastHeartbeatAt).toBeNull();
  });
});
