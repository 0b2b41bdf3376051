/**
 * The `/v1/sandbox` routes on a real database (PGlite, and PostgreSQL when configured): a
 * newcomer acts as the lead, moves the virtual clock 30 minutes and sees the follow-up the
 * sandbox channel sent — and each tenant sees only its own messages, board and calendar.
 */
import { randomUUID } from 'node:crypto';
import { PhoneNumber, addCrmNote, calendarEventIdFor, tenantIdProperty, upsertCrmLead } from '@sdr/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { call, type ProblemJson } from '../http/__fixtures__/test-context.js';
import { createSandboxWorld, type SandboxWorld } from './__fixtures__/sandbox-world.js';

interface ClockJson {
  readonly now: string;
  readonly offsetMs: number;
}

interface InboundJson {
  readonly leadId: string;
  readonly messageId: string;
  readonly leadCreated: boolean;
  readonly receivedAt: string;
}

interface SentJson {
  readonly scheduledMessageId: string;
  readonly leadId: string | null;
  readonly kind: string | null;
  readonly to: string;
  readonly text: string;
  readonly acceptedAt: string;
}

const fieldsOf = (problem: ProblemJson) => (problem.errors ?? []).map((error) => error.field);

describeEachDriver('sandbox routes', (database) => {
  let world: SandboxWorld;
  beforeAll(async () => {
    world = await createSandboxWorld(database());
  });

  const leadCount = async (tenantId: string) =>
    Number(
      (await database().sql<{ count: number }>('SELECT count(*)::int AS count FROM sdr.leads WHERE tenant_id = $1', [tenantId]))[0]?.count,
    );

  it('refuse a request without a tenant key', async () => {
    expect((await call(world.app, { method: 'GET', url: '/v1/sandbox/clock' })).status).toBe(401);
    expect(
      (await call(world.app, { method: 'POST', url: '/v1/sandbox/inbound', body: { from: '+5511987654321', text: 'Oi' } })).status,
    ).toBe(401);
  });

  it('are described in the OpenAPI document, the shared clock included', async () => {
    const document = await call<{ paths: Record<string, Record<string, { description?: string }>> }>(world.app, {
      method: 'GET',
      url: '/openapi.json',
    });
    expect(
      Object.keys(document.body.paths)
        .filter((path) => path.startsWith('/v1/sandbox'))
        .sort(),
    ).toEqual([
      '/v1/sandbox/calendar',
      '/v1/sandbox/channel',
      '/v1/sandbox/clock',
      '/v1/sandbox/clock/advance',
      '/v1/sandbox/crm',
      '/v1/sandbox/inbound',
      '/v1/sandbox/messages',
    ]);
    expect(document.body.paths['/v1/sandbox/clock/advance']?.['post']?.description).toContain('operator key');
  });

  it('POST /v1/sandbox/inbound acts as the lead: creates the lead once, at the sandbox time, for this tenant only', async () => {
    const body = { from: '(11) 98765-1111', text: 'Oi, quero saber mais', name: 'Ana Lima' };
    const first = await call<InboundJson>(world.app, { method: 'POST', url: '/v1/sandbox/inbound', key: world.acme.key, body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ leadCreated: true, receivedAt: world.clock.now().toISOString() });
    const again = await call<InboundJson>(world.app, { method: 'POST', url: '/v1/sandbox/inbound', key: world.acme.key, body });
    expect(again.body).toMatchObject({ leadId: first.body.leadId, leadCreated: false });
    expect(again.body.messageId).not.toBe(first.body.messageId);
    const lead = await call<{ phone: string; name: string }>(world.app, {
      method: 'GET',
      url: `/v1/leads/${first.body.leadId}`,
      key: world.acme.key,
    });
    expect(lead.body).toMatchObject({ phone: '+5511987651111', name: 'Ana Lima' });
    expect((await call(world.app, { method: 'GET', url: `/v1/leads/${first.body.leadId}`, key: world.globex.key })).status).toBe(404);
  });

  it('bad input is a 400 naming the field, and nothing is written', async () => {
    const before = await leadCount(world.acme.tenant.id);
    const cases: [unknown, string][] = [
      [{ from: 'not a phone', text: 'Oi' }, 'body.from'],
      [{ from: '+5511987652222', text: '   ' }, 'body.text'],
      [{ from: '+5511987652222' }, 'body.text'],
      [{ from: '+5511987652222', text: 'Oi', channel: 'sms' }, 'body.channel'],
    ];
    for (const [body, field] of cases) {
      const response = await call<ProblemJson>(world.app, { method: 'POST', url: '/v1/sandbox/inbound', key: world.acme.key, body });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toContain(field);
    }
    expect(await leadCount(world.acme.tenant.id)).toBe(before);
    const offset = world.clock.offsetMs;
    for (const [body, field] of [
      [{ minutes: 5, ms: 1000 }, 'body.minutes'],
      [{}, 'body.minutes'],
      [{ ms: 0 }, 'body.ms'],
      [{ minutes: 1.5 }, 'body.minutes'],
    ] as const) {
      const response = await call<ProblemJson>(world.app, {
        method: 'POST',
        url: '/v1/sandbox/clock/advance',
        key: world.operatorKey,
        body,
      });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toContain(field);
    }
    expect(world.clock.offsetMs).toBe(offset);
    const badRange = await call<ProblemJson>(world.app, {
      method: 'GET',
      url: '/v1/sandbox/calendar?from=2026-03-05T00:00:00Z&to=2026-03-04T00:00:00Z',
      key: world.acme.key,
    });
    expect(fieldsOf(badRange.body)).toEqual(['query.to']);
    expect(
      fieldsOf((await call<ProblemJson>(world.app, { method: 'GET', url: '/v1/sandbox/messages?limit=0', key: world.acme.key })).body),
    ).toEqual(['query.limit']);
  });

  it('the 30-minute follow-up: the lead goes silent, the clock moves 30 minutes, the sandbox channel sends it — to this tenant only', async () => {
    const phone = '+5511987653333';
    const inbound = await call<InboundJson>(world.app, {
      method: 'POST',
      url: '/v1/sandbox/inbound',
      key: world.acme.key,
      body: { from: phone, text: 'Quanto custa?', name: 'Bruno' },
    });
    const reply = await call(world.app, {
      method: 'POST',
      url: `/v1/leads/${inbound.body.leadId}/messages`,
      key: world.acme.key,
      body: { direction: 'outbound', body: 'Oi Bruno! Posso te ligar amanhã?' },
    });
    expect(reply.status).toBe(201);
    const sentFor = async (key: string) =>
      (await call<{ items: SentJson[] }>(world.app, { method: 'GET', url: '/v1/sandbox/messages', key })).body.items.filter(
        (message) => message.to === phone,
      );
    await world.dispatcher.runOnce();
    expect(await sentFor(world.acme.key)).toEqual([]);

    const before = (await call<ClockJson>(world.app, { method: 'GET', url: '/v1/sandbox/clock', key: world.acme.key })).body;
    const advanced = await call<ClockJson>(world.app, {
      method: 'POST',
      url: '/v1/sandbox/clock/advance',
      key: world.operatorKey,
      body: { minutes: 30 },
    });
    expect(advanced.status).toBe(200);
    expect(advanced.body.offsetMs).toBe(before.offsetMs + 30 * 60_000);
    expect(Date.parse(advanced.body.now) - Date.parse(before.now)).toBe(30 * 60_000);

    await world.dispatcher.runOnce();
    const sent = await sentFor(world.acme.key);
    // The built-in pt-BR first re-engagement (the tenant keeps the default locale and has no template of its own), in the lead's name.
    expect(sent).toEqual([
      expect.objectContaining({
        kind: 'reengage_1',
        leadId: inbound.body.leadId,
        to: phone,
        text: 'Oi Bruno, tudo bem? Ficou alguma dúvida sobre o que conversamos? Estou por aqui.',
      }),
    ]);
    const after = await call<{ items: SentJson[] }>(world.app, {
      method: 'GET',
      url: `/v1/sandbox/messages?after=${encodeURIComponent(sent[0]?.acceptedAt ?? '')}`,
      key: world.acme.key,
    });
    expect(after.body.items).toEqual([]);
    expect(
      (await call<{ items: SentJson[] }>(world.app, { method: 'GET', url: '/v1/sandbox/messages', key: world.globex.key })).body.items,
    ).toEqual([]);
  });

  it('GET /v1/sandbox/crm shows the tenant’s own board, and another tenant’s key sees none of it', async () => {
    const crm = world.crmFor(world.acme.tenant.id);
    const { lead } = await upsertCrmLead(crm, { phone: PhoneNumber.parse('+5511987654444'), name: 'Carla', tags: ['sandbox'] });
    await addCrmNote(crm, { leadId: lead.leadId, text: 'Handoff: asked for a human', idempotencyKey: `note-${randomUUID()}` });
    const board = await call<{ account: string; leads: { leadId: string; stage: { name: string }; notes: { text: string }[] }[] }>(
      world.app,
      {
        method: 'GET',
        url: '/v1/sandbox/crm',
        key: world.acme.key,
      },
    );
    expect(board.status).toBe(200);
    expect(board.body.account).toBe(world.acme.tenant.id);
    expect(board.body.leads).toEqual([
      expect.objectContaining({
        leadId: lead.leadId,
        stage: expect.objectContaining({ name: 'Novo lead' }),
        notes: [expect.objectContaining({ text: 'Handoff: asked for a human' })],
      }),
    ]);
    const other = await call<{ leads: unknown[] }>(world.app, { method: 'GET', url: '/v1/sandbox/crm', key: world.globex.key });
    expect(other.body.leads).toEqual([]);
  });

  it('GET /v1/sandbox/calendar lists the tenant’s events of its own calendar, not another tenant’s of the same name', async () => {
    const calendarId = world.acme.tenant.booking.calendarId;
    expect(world.globex.tenant.booking.calendarId).toBe(calendarId);
    const start = new Date(world.clock.now().getTime() + 24 * 3_600_000);
    const end = new Date(start.getTime() + 30 * 60_000);
    const own = await world.sandboxFor(world.acme.tenant.id).calendar.createEvent({
      calendarId,
      eventId: calendarEventIdFor(randomUUID()),
      start,
      end,
      summary: 'Ana Lima',
      privateProperties: { [tenantIdProperty]: world.acme.tenant.id },
    });
    await world.sandboxFor(world.globex.tenant.id).calendar.createEvent({
      calendarId,
      eventId: calendarEventIdFor(randomUUID()),
      start: end,
      end: new Date(end.getTime() + 30 * 60_000),
      summary: 'Globex meeting',
      privateProperties: { [tenantIdProperty]: world.globex.tenant.id },
    });
    const listed = await call<{ calendarId: string; events: { eventId: string; summary: string; start: string }[] }>(world.app, {
      method: 'GET',
      url: '/v1/sandbox/calendar',
      key: world.acme.key,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.calendarId).toBe(calendarId);
    expect(listed.body.events).toEqual([
      expect.objectContaining({ eventId: own.eventId, summary: 'Ana Lima', start: start.toISOString() }),
    ]);
  });

  describe('POST /v1/sandbox/channel', () => {
    it('marks the tenant’s own instance down and up; another tenant’s instance is untouched, and cannot be named', async () => {
      const acmeInstance = world.acme.tenant.messaging.instance;
      const globexInstance = world.globex.tenant.messaging.instance;
      const down = await call<{ instance: string; status: string }>(world.app, {
        method: 'POST',
        url: '/v1/sandbox/channel',
        key: world.acme.key,
        body: { status: 'down', detail: 'phone unplugged' },
      });
      expect(down.body).toMatchObject({ instance: acmeInstance, status: 'down', detail: 'phone unplugged' });
      expect((await world.sandboxFor(world.acme.tenant.id).messaging.health({ instance: acmeInstance })).status).toBe('down');
      expect((await world.sandboxFor(world.globex.tenant.id).messaging.health({ instance: globexInstance })).status).toBe('up');
      const foreign = await call<ProblemJson>(world.app, {
        method: 'POST',
        url: '/v1/sandbox/channel',
        key: world.acme.key,
        body: { instance: globexInstance, status: 'down' },
      });
      expect(foreign.status).toBe(400);
      expect(fieldsOf(foreign.body)).toEqual(['body.instance']);
      expect((await world.sandboxFor(world.globex.tenant.id).messaging.health({ instance: globexInstance })).status).toBe('up');
      const up = await call(world.app, { method: 'POST', url: '/v1/sandbox/channel', key: world.acme.key, body: { status: 'up' } });
      expect(up.body).toMatchObject({ instance: acmeInstance, status: 'up' });
    });
  });

  it('the tenant sandbox POSTs honour Idempotency-Key: a retry replays the first answer and acts once', async () => {
    const keyed = (url: string, body: unknown, key: string) =>
      call<Record<string, unknown>>(world.app, { method: 'POST', url, key: world.acme.key, body, headers: { 'idempotency-key': key } });
    // The shared clock of a server with several tenants is not a tenant's to move.
    const offset = world.clock.offsetMs;
    const refused = await keyed('/v1/sandbox/clock/advance', { minutes: 5 }, `advance-${randomUUID()}`);
    expect(refused.status).toBe(401);
    expect(world.clock.offsetMs).toBe(offset);

    const inboundKey = `inbound-${randomUUID()}`;
    const inbound = { from: '+5511987650777', text: 'Oi, de novo' };
    const received = await keyed('/v1/sandbox/inbound', inbound, inboundKey);
    const receivedAgain = await keyed('/v1/sandbox/inbound', inbound, inboundKey);
    expect(receivedAgain.headers['idempotent-replayed']).toBe('true');
    expect(receivedAgain.body).toEqual(received.body);

    const channelKey = `channel-${randomUUID()}`;
    const down = await keyed('/v1/sandbox/channel', { status: 'down' }, channelKey);
    const downAgain = await keyed('/v1/sandbox/channel', { status: 'down' }, channelKey);
    expect(downAgain.headers['idempotent-replayed']).toBe('true');
    expect(downAgain.body).toEqual(down.body);
    // The same key for another request is refused, as on every other POST.
    expect((await keyed('/v1/sandbox/channel', { status: 'up' }, channelKey)).status).toBe(409);
    await keyed('/v1/sandbox/channel', { status: 'up' }, `channel-${randomUUID()}`);
  });
});
