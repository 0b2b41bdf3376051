import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../errors/index.js';
import { PhoneNumber } from '../identity/phone-number.js';
import type { SendTextInput } from '../../ports/messaging/messaging-port.js';
import { dispatchHarness, second } from './__fixtures__/dispatch-harness.js';
import { unreachableTag } from './mark-unreachable.js';

async function withLead(h: Awaited<ReturnType<typeof dispatchHarness>>, phone: string) {
  const now = h.clock.now();
  const lead = await h.rawStore.leads.create({
    id: randomUUID(),
    tenantId: h.tenant.id,
    phone: PhoneNumber.parse(phone),
    whatsappLid: null,
    name: 'Ana',
    email: null,
    stage: 'qualifying',
    fields: {},
    tags: ['vip'],
    automation: 'active',
    optedOut: false,
    optedOutAt: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    crmLeadId: null,
    crmContactId: null,
    createdAt: now,
    updatedAt: now,
    version: 0,
  });
  const { message } = await h.rawStore.scheduledMessages.schedule({
    tenantId: h.tenant.id,
    leadId: lead.id,
    kind: 'reengage_1',
    dedupeKey: `test:${randomUUID()}`,
    dueAt: now,
    payload: { to: phone },
  });
  return { lead, message };
}

describe('dispatcher: unreachable recipients and repeated attempts', () => {
  it('a number not on WhatsApp fails the message once, without a retry, and marks its lead unreachable', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const { lead, message } = await withLead(h, '+5511987654321');
    h.channel.markNotOnWhatsApp('+5511987654321');

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, failed: 1, retried: 0 });
    expect(await h.row(message.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: { code: 'recipient_unreachable', transient: false },
    });
    const marked = await h.rawStore.leads.get(h.tenant.id, lead.id);
    expect(marked).toMatchObject({ tags: ['vip', unreachableTag], automation: 'stopped' });
    const entries = await h.rawStore.outbox.list({ tenantId: h.tenant.id, aggregateId: lead.id });
    expect(entries.map((entry) => [entry.type, entry.payload])).toEqual([['lead.tags_changed', { added: [unreachableTag], removed: [] }]]);
    await h.clock.advance(3600 * second);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0 });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(1);
  });

  it('tells the channel which attempt a send is, so a retry can look up what the first one sent', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    const { message } = await withLead(h, '+5511987654322');
    h.messaging.faults.failNext(
      'sendText',
      1,
      () => new ProviderUnavailableError({ provider: 'in-memory', operation: 'sendText', message: 'timeout' }),
    );

    await dispatcher.runOnce();
    const firstAt = h.clock.now();
    await h.clock.set((await h.row(message.id)).dueAt);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
    const attempts = h.messaging.faults.calls('sendText').map((call) => (call.args[0] as SendTextInput).attempt);
    expect(attempts).toEqual([
      { number: 1, firstAttemptAt: firstAt },
      { number: 2, firstAttemptAt: message.createdAt },
    ]);
  });
});
