import { BusinessCalendar, PhoneNumber, VirtualClock, formatLocal, parseOrThrow, tenantConfigSchema } from '@sdr/core';
import { createInMemoryMessaging, createInMemoryStore } from '@sdr/core/testing';

// A tenant in São Paulo, open Mon–Fri 09:00–18:00 with a lunch break.
const config = parseOrThrow(tenantConfigSchema, {
  timeZone: 'America/Sao_Paulo',
  businessHours: {
    mon: [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
    tue: [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
    wed: [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
    thu: [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
    fri: [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
  },
});

// Phone identity: the Brazilian 9th digit is normalised, so both forms are the same lead.
const phone = PhoneNumber.parse('(11) 8765-4321', { defaultCountry: config.defaultCountry });
console.log(`lead phone ${phone.masked()} equals +55 11 98765-4321: ${phone.equals(PhoneNumber.parse('+55 11 98765-4321'))}`);

// Friday 17:50 local: a re-engagement due 30 minutes later falls outside business hours.
const clock = new VirtualClock('2026-03-06T20:50:00Z');
const calendar = BusinessCalendar.fromTenant(config);
const due = calendar.nextOpening(new Date(clock.now().getTime() + config.followUp.firstAfter));
console.log(`re-engagement #1 moves to ${formatLocal(due, config.timeZone, { locale: 'pt-BR', style: 'weekday-datetime' })}`);

// Schedule it (idempotently: the same dedupe key twice keeps one row), then claim and send it when due.
const store = createInMemoryStore({ clock });
const messaging = createInMemoryMessaging({ clock });
const tenantId = crypto.randomUUID();
const leadId = crypto.randomUUID();
const input = { tenantId, leadId, kind: 'reengage_1' as const, dedupeKey: `reengage_1:${leadId}:1`, dueAt: due };
await store.scheduledMessages.schedule(input);
const again = await store.scheduledMessages.schedule(input);
console.log(`scheduled once (second call created a row: ${again.created})`);

await clock.set(due);
const [claimed] = await store.scheduledMessages.claimDue({ now: clock.now(), limit: 10, workerId: 'quickstart', leaseMs: 60_000 });
if (claimed) {
  const sent = await messaging.sendText({
    instance: config.messaging.instance,
    to: phone,
    text: 'Oi! Ficou alguma dúvida?',
    idempotencyKey: claimed.id,
  });
  await store.scheduledMessages.markSent({
    id: claimed.id,
    workerId: 'quickstart',
    now: clock.now(),
    providerMessageId: sent.providerMessageId,
  });
  console.log(
    `sent ${messaging.sent.length} message to ${phone.masked()} at ${formatLocal(clock.now(), config.timeZone, { locale: 'pt-BR' })}`,
  );
}
