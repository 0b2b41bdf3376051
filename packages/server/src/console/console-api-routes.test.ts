/**
 * The read-only routes of the console, through the API with two tenants: each key sees its own
 * tenant, its own scheduler and outbox numbers, and its own leads' sync state — another tenant's
 * lead is a 404.
 */
import { describe, expect, it } from 'vitest';
import { call, createTestWorld, textWithoutIds, type IdJson } from '../http/__fixtures__/test-context.js';
import { createConsoleApiRoutes } from './console-api-routes.js';

const beat = {
  workerId: 'dispatcher-all-1',
  component: 'dispatcher',
  processId: 'all-1',
  startedAt: new Date('2026-03-02T11:00:00Z'),
  lastBeatAt: new Date('2026-03-02T11:59:30Z'),
};

describe('the console’s read-only routes', async () => {
  const world = await createTestWorld({
    extraRoutes: (context) => [
      createConsoleApiRoutes({ store: context.store, clock: context.clock, heartbeats: { list: () => Promise.resolve([beat]) } }),
    ],
  });
  const { acme, globex } = world;
  const lead = await call<IdJson>(world.app, { method: 'POST', url: '/v1/leads', key: acme.key, body: { phone: '+55 11 98765-4321' } });
  await call(world.app, {
    method: 'POST',
    url: `/v1/leads/${lead.body.id}/messages`,
    key: acme.key,
    body: { direction: 'outbound', body: 'Oi!' },
  });
  await call(world.app, { method: 'POST', url: `/v1/leads/${lead.body.id}/stage`, key: acme.key, body: { stage: 'qualifying' } });

  it('GET /v1/tenant is the key’s own tenant', async () => {
    const mine = await call<IdJson>(world.app, { method: 'GET', url: '/v1/tenant', key: acme.key });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: acme.tenant.id, name: 'Acme', timeZone: 'America/Sao_Paulo' });
    const theirs = await call<IdJson>(world.app, { method: 'GET', url: '/v1/tenant', key: globex.key });
    expect(theirs.body.id).toBe(globex.tenant.id);
    expect((await call(world.app, { method: 'GET', url: '/v1/tenant' })).status).toBe(401);
  });

  it('GET /v1/status counts the tenant’s own scheduled messages and outbox, with the workers’ beats', async () => {
    const mine = await call<{ workers: unknown[]; scheduler: { pending: number }; crmOutbox: { pending: number } }>(world.app, {
      method: 'GET',
      url: '/v1/status',
      key: acme.key,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.workers).toEqual([
      { ...beat, startedAt: beat.startedAt.toISOString(), lastBeatAt: beat.lastBeatAt.toISOString(), ageSeconds: 30 },
    ]);
    expect(mine.body.scheduler.pending).toBe(1);
    expect(mine.body.crmOutbox.pending).toBeGreaterThan(0);
    const theirs = await call<{ scheduler: { pending: number }; crmOutbox: { pending: number } }>(world.app, {
      method: 'GET',
      url: '/v1/status',
      key: globex.key,
    });
    expect(theirs.body.scheduler.pending).toBe(0);
    expect(theirs.body.crmOutbox.pending).toBe(0);
  });

  it('GET /v1/appointments lists the tenant’s own appointments in a range, and checks the range', async () => {
    const start = '2026-03-03T13:00:00Z';
    const booked = await call<{ appointment: IdJson }>(world.app, {
      method: 'POST',
      url: `/v1/leads/${lead.body.id}/appointments`,
      key: acme.key,
      body: { start, actor: 'operator' },
    });
    expect(booked.status).toBe(201);
    const week = '/v1/appointments?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z';
    const mine = await call<{ items: IdJson[] }>(world.app, { method: 'GET', url: week, key: acme.key });
    expect(mine.body.items.map((item) => [item.id, item.start])).toEqual([[booked.body.appointment.id, '2026-03-03T13:00:00.000Z']]);
    const theirs = await call<{ items: IdJson[] }>(world.app, { method: 'GET', url: week, key: globex.key });
    expect(theirs.body.items).toEqual([]);
    const backwards = await call<{ errors: unknown[] }>(world.app, {
      method: 'GET',
      url: '/v1/appointments?from=2026-03-09T00:00:00Z&to=2026-03-02T00:00:00Z',
      key: acme.key,
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([{ field: 'query.to', message: 'must be after from' }]);
  });

  it('GET /v1/leads/{id}/crm-sync shows what waits for the CRM, newest first; another tenant gets a 404', async () => {
    const sync = await call<{ pending: number; syncedAt: string | null; entries: { type: string; status: string }[] }>(world.app, {
      method: 'GET',
      url: `/v1/leads/${lead.body.id}/crm-sync`,
      key: acme.key,
    });
    expect(sync.status).toBe(200);
    expect(sync.body.syncedAt).toBeNull();
    expect(sync.body.pending).toBe(sync.body.entries.length);
    expect(sync.body.entries.every((entry) => entry.status === 'pending')).toBe(true);
    expect(textWithoutIds(sync.body)).not.toContain('98765');
    const foreign = await call(world.app, { method: 'GET', url: `/v1/leads/${lead.body.id}/crm-sync`, key: globex.key });
    expect(foreign.status).toBe(404);
  });
});
