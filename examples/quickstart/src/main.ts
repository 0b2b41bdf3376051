import {
  VirtualClock,
  createConversationService,
  createFollowUpService,
  formatLocal,
  parseOrThrow,
  simulateJourney,
  tenantSchema,
} from '@sdr/core';
import { createInMemoryStore } from '@sdr/core/testing';

// A tenant in São Paulo, open Mon–Fri 09:00–18:00, on the in-memory store and a virtual clock
// that starts on Friday at 17:45 local time.
const clock = new VirtualClock('2026-03-06T20:45:00Z');
const store = createInMemoryStore({ clock });
const weekday = [['09:00', '18:00']];
const tenant = await store.tenants.create(
  parseOrThrow(tenantSchema, {
    id: crypto.randomUUID(),
    name: 'Acme',
    timeZone: 'America/Sao_Paulo',
    businessHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
    createdAt: clock.now(),
    updatedAt: clock.now(),
    version: 0,
  }),
);
const followUp = createFollowUpService({ store, clock });
const conversation = createConversationService({ store, clock, followUp });

// A lead writes on WhatsApp. The number arrives without the Brazilian 9th digit; the webhook is
// delivered twice. One lead, one message.
const webhook = { tenant, from: '(11) 8765-4321', senderName: 'Ana Souza', providerMessageId: 'wamid-1', body: 'Oi! Quanto custa?' };
await conversation.recordInbound(webhook);
const again = await conversation.recordInbound(webhook);
const { lead, created } = await conversation.findOrCreateLead({ tenant, from: '+55 11 98765-4321' });
console.log(`lead ${lead.phone.masked()} (found again with the 9th digit: ${!created}); the re-delivery was a ${again.outcome}`);

// The agent answers at 17:50: a silence starts, and re-engagement #1 is due 30 minutes later —
// outside business hours, so at the next opening. The row explains why.
await clock.advance(5 * 60_000);
await conversation.recordOutbound({ tenant, leadId: lead.id, body: 'Oi Ana! O plano começa em R$ 99.' });
const [reengagement] = await store.scheduledMessages.list({ tenantId: tenant.id, statuses: ['pending'] });
if (reengagement) {
  const due = formatLocal(reengagement.dueAt, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' });
  console.log(`${reengagement.kind} due ${due}: ${JSON.stringify(reengagement.explanation)}`);
}

// Whole journeys run in milliseconds through the same services and the dispatcher.
const journey = await simulateJourney({
  tenant: { timeZone: 'America/Sao_Paulo', quietHours: ['22:00', '08:00'] },
  lead: { name: 'Ana', phone: '+55 11 98765-4321' },
  start: '2026-03-02T13:00:00Z',
  until: '+3d',
  events: [
    { at: '+0m', type: 'outbound', text: 'Oi Ana! Podemos conversar amanhã?' },
    { at: '+45m', type: 'inbound', text: 'Pode ser às 9h' },
    { at: '+1h', type: 'book', start: '2026-03-03T12:00:00Z' },
  ],
});
for (const entry of journey.entries) if (entry.type === 'message.sent') console.log(`${entry.at} ${entry.kind}: ${entry.text}`);
