/**
 * As a new user would try it: `pnpm start` with no model configured, writing to the demo tenant
 * as a lead gets an answer from the offline demo model that offers real slots — inside the demo
 * business's opening hours (Monday to Friday, 09:00–18:00 in São Paulo), whatever the hour the
 * test runs at — and picking one books it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, createTestDatabase, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import { demoBusinessHours } from '../runtime/demo-tenant.js';
import type { RunningServer } from '../runtime/start-server.js';

const zoned = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Sao_Paulo',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `Mon 09:30`: the weekday and time of `instant` in São Paulo. */
const inSaoPaulo = (instant: string) => {
  const parts = Object.fromEntries(zoned.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return `${parts['weekday'] ?? ''} ${parts['hour'] ?? ''}:${parts['minute'] ?? ''}`;
};

describe('the embedded default converses', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('answers the demo tenant’s lead, offers slots and books the one picked', async () => {
    server = await startTestServer({
      ...database!.env,
      SDR_DISPATCH_POLL_MS: '1000',
      SDR_ALERT_INTERVAL_MS: '60000',
      SDR_AGENT_DEBOUNCE_MS: '0',
      // The default of `pnpm start`: the demo tenant keeps business hours.
      SDR_DEMO_ALWAYS_OPEN: 'false',
    });
    const client = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    const store = server.composition.context.store;
    const tenantId = server.demo?.tenant.id ?? '';
    const say = async (text: string) => {
      const { leadId } = await client.post<{ leadId: string }>('/v1/sandbox/inbound', { from: '+5511987654321', text });
      await server?.agent?.agent.idle();
      const messages = await store.messages.listByLead(tenantId, leadId);
      return { leadId, reply: messages.at(-1)?.direction === 'outbound' ? messages.at(-1)?.body : undefined };
    };
    // Whatever the hour the test runs at: the sandbox clock moves to the next Saturday, 02:00 in São
    // Paulo (05:00 UTC), when an always-open business would offer slots that same night.
    const now = server.composition.clock.now();
    const saturday = new Date(now);
    saturday.setUTCHours(5, 0, 0, 0);
    saturday.setUTCDate(saturday.getUTCDate() + ((6 - saturday.getUTCDay() + 7) % 7));
    if (saturday.getTime() <= now.getTime()) saturday.setUTCDate(saturday.getUTCDate() + 7);
    await client.post('/v1/sandbox/clock/advance', { ms: saturday.getTime() - now.getTime() });
    expect((await say('oi')).reply).toMatch(/^Olá! Eu sou Ana, da .+\. Quer agendar uma conversa/);
    const offer = await say('quero agendar');
    expect(offer.reply).toMatch(/^Tenho estes horários: 1\) .+; 2\) .+; 3\) .+\. Qual fica melhor para você\?$/);
    expect(server.demo?.tenant.businessHours).toEqual(demoBusinessHours);
    const { offeredSlots } = await client.get<{ offeredSlots: string[] }>(`/v1/leads/${offer.leadId}/agent`);
    expect(offeredSlots).toHaveLength(3);
    // Closed on the weekend: the first slot offered is Monday at opening time.
    expect(offeredSlots.map(inSaoPaulo).sort()[0]).toBe('Mon 09:00');
    for (const slot of offeredSlots) {
      // A 30-minute slot starts on a weekday between 09:00 and 17:30 in São Paulo, so it ends by 18:00.
      expect(inSaoPaulo(slot)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) (09|1[0-6]):(00|30)$|^(Mon|Tue|Wed|Thu|Fri) 17:(00|30)$/);
    }
    const booked = await say('1');
    expect(booked.reply).toMatch(/^Pronto! Sua reunião ficou marcada para .+\. Até lá!$/);
    const [appointment] = await store.appointments.listByLead(tenantId, booked.leadId);
    expect(appointment?.status).toBe('scheduled');
    // The console's sandbox channel shows what the agent said, each reply tied to its lead.
    const channel = await client.get<{ items: { text: string; leadId: string | null; kind: string | null }[] }>(
      '/v1/sandbox/messages?limit=10',
    );
    expect(channel.items.map((sent) => sent.text)).toEqual([booked.reply, offer.reply, expect.stringMatching(/^Olá! Eu sou Ana/)]);
    expect(channel.items.every((sent) => sent.leadId === booked.leadId && sent.kind === null)).toBe(true);
  }, 180_000);
});
