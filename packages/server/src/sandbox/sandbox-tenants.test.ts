/**
 * The sandbox is per tenant: two tenants of one server that name the same channel instance
 * (`default`) and the same calendar (`primary`) still have a channel and a calendar each — one
 * tenant neither learns the other's schedule nor holds its sends — and the one clock they share
 * moves only with the operator key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { call, type IdJson, type ItemsJson, type ProblemJson } from '../http/__fixtures__/test-context.js';
import type { TestTenant } from '../http/__fixtures__/test-context.js';
import { createSandboxWorld, type SandboxWorld } from './__fixtures__/sandbox-world.js';

/** Tuesday 3 March 2026, 10:00 in São Paulo. */
const slotStart = '2026-03-03T13:00:00.000Z';

describeEachDriver('the sandbox of each tenant', (database) => {
  let world: SandboxWorld;
  let alpha: TestTenant;
  let beta: TestTenant;
  beforeAll(async () => {
    world = await createSandboxWorld(database());
    alpha = await world.seed('Alpha', 'default');
    beta = await world.seed('Beta', 'default');
  });

  const startsOf = async (tenant: TestTenant) =>
    (
      await call<ItemsJson<{ start: string }>>(world.app, {
        method: 'GET',
        url: `/v1/slots?from=${encodeURIComponent(slotStart)}&to=2026-03-03T15:00:00.000Z&limit=20`,
        key: tenant.key,
      })
    ).body.items.map((slot) => slot.start);

  const book = async (tenant: TestTenant, phone: string) => {
    const lead = await call<IdJson>(world.app, { method: 'POST', url: '/v1/leads', key: tenant.key, body: { phone } });
    return call<{ appointment: IdJson }>(world.app, {
      method: 'POST',
      url: `/v1/leads/${lead.body.id}/appointments`,
      key: tenant.key,
      body: { start: slotStart, actor: 'operator' },
    });
  };

  it('a booking of one tenant on `primary` neither hides that time from another tenant on `primary` nor makes it busy', async () => {
    expect(alpha.tenant.booking.calendarId).toBe(beta.tenant.booking.calendarId);
    expect((await book(alpha, '+5511987600001')).status).toBe(201);
    expect(await startsOf(alpha)).not.toContain(slotStart);
    expect(await startsOf(beta)).toContain(slotStart);
    const booked = await book(beta, '+5511987600002');
    expect(booked.status).toBe(201);
    // Each booking is an event of its own tenant's calendar only.
    const window = { calendarId: 'primary', timeMin: new Date(slotStart), timeMax: new Date('2026-03-03T15:00:00.000Z') };
    expect(await world.sandboxFor(alpha.tenant.id).calendar.listEvents(window)).toHaveLength(1);
    expect(await world.sandboxFor(beta.tenant.id).calendar.listEvents(window)).toHaveLength(1);
  });

  it('one tenant marking its `default` instance down holds only its own sends', async () => {
    const down = await call<{ status: string }>(world.app, {
      method: 'POST',
      url: '/v1/sandbox/channel',
      key: beta.key,
      body: { status: 'down', detail: 'unplugged' },
    });
    expect(down.body.status).toBe('down');
    expect((await world.sandboxFor(alpha.tenant.id).messaging.health({ instance: 'default' })).status).toBe('up');
    expect((await world.sandboxFor(beta.tenant.id).messaging.health({ instance: 'default' })).status).toBe('down');

    const converse = async (tenant: TestTenant, phone: string) => {
      const inbound = await call<{ leadId: string }>(world.app, {
        method: 'POST',
        url: '/v1/sandbox/inbound',
        key: tenant.key,
        body: { from: phone, text: 'Oi' },
      });
      await call(world.app, {
        method: 'POST',
        url: `/v1/leads/${inbound.body.leadId}/messages`,
        key: tenant.key,
        body: { direction: 'outbound', body: 'Olá! Posso ajudar?' },
      });
    };
    await converse(alpha, '+5511987600011');
    await converse(beta, '+5511987600012');
    const advanced = await call(world.app, {
      method: 'POST',
      url: '/v1/sandbox/clock/advance',
      key: world.operatorKey,
      body: { minutes: 31 },
    });
    expect(advanced.status).toBe(200);
    await world.dispatcher.runOnce();
    const sentOf = async (tenant: TestTenant) =>
      (await call<{ items: { to: string }[] }>(world.app, { method: 'GET', url: '/v1/sandbox/messages', key: tenant.key })).body.items.map(
        (message) => message.to,
      );
    expect(await sentOf(alpha)).toContain('+5511987600011');
    expect(await sentOf(beta)).toEqual([]);
  });

  describe('the shared clock', () => {
    it('does not move with a tenant key while the server holds several tenants', async () => {
      const before = world.clock.offsetMs;
      const refused = await call<ProblemJson>(world.app, {
        method: 'POST',
        url: '/v1/sandbox/clock/advance',
        key: beta.key,
        body: { minutes: 400 * 24 * 60 },
      });
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toContain('operator key');
      expect(world.clock.offsetMs).toBe(before);
    });

    it('can still be read with a tenant key, and moves with the operator key', async () => {
      const read = await call<{ offsetMs: number }>(world.app, { method: 'GET', url: '/v1/sandbox/clock', key: alpha.key });
      expect(read.status).toBe(200);
      const moved = await call<{ offsetMs: number }>(world.app, {
        method: 'POST',
        url: '/v1/sandbox/clock/advance',
        key: world.operatorKey,
        body: { minutes: 1 },
      });
      expect(moved.body.offsetMs).toBe(read.body.offsetMs + 60_000);
    });

    it('moved by the operator, honours Idempotency-Key: a retry replays the answer and moves it once; another body is a 409', async () => {
      const before = world.clock.offsetMs;
      const key = `advance-${crypto.randomUUID()}`;
      const advance = (minutes: number) =>
        call<{ offsetMs: number }>(world.app, {
          method: 'POST',
          url: '/v1/sandbox/clock/advance',
          key: world.operatorKey,
          headers: { 'idempotency-key': key },
          body: { minutes },
        });
      const first = await advance(5);
      expect(first.status).toBe(200);
      expect(first.body.offsetMs).toBe(before + 5 * 60_000);
      const retry = await advance(5);
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.offsetMs).toBe(first.body.offsetMs);
      expect(world.clock.offsetMs).toBe(before + 5 * 60_000);
      const other = await advance(6);
      expect(other.status).toBe(409);
      expect(world.clock.offsetMs).toBe(before + 5 * 60_000);
    });
  });
});
