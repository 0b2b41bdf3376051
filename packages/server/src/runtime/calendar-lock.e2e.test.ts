/**
 * End to end: a booking waiting for its calendar's lock keeps waiting when the sandbox clock is
 * moved forward meanwhile, and gets the slot once the lock is released — on the database's lock
 * (PGlite, PostgreSQL) and on Redis's (when `REDIS_URL` is set). The lock measures its waits and
 * leases on real time: on the sandbox clock, the first jump ended every wait at once with a 503
 * `lock_not_acquired`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from './start-server.js';
import { clientFor, createTestDatabase, drivers, startTestServer, type Client, type TestDatabase } from './__fixtures__/server-harness.js';

const redisUrl = process.env['REDIS_URL'];
const setups = [
  ...drivers.map((driver) => ({ driver, lock: 'database', env: {} })),
  ...(drivers.includes('postgres') && redisUrl !== undefined
    ? [{ driver: 'postgres' as const, lock: 'redis', env: { REDIS_URL: redisUrl } }]
    : []),
];

describe.each(setups)('the calendar lock across a sandbox clock advance [$driver, $lock lock]', { timeout: 30_000 }, ({ driver, env }) => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let api: Client;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    server = await startTestServer({ ...database.env, ...env });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('a booking queued for the lock when the clock jumps 31 minutes books once the lock is free', async () => {
    const running = server!;
    const tenant = running.demo!.tenant;
    const lead = await api.post<{ id: string }>('/v1/leads', { phone: '+5511960000001', name: 'Lead waiting' });
    // Days ahead: the advance below must not bring the slot inside the minimum notice.
    const slots = await api.get<{ items: { start: string }[] }>(`/v1/slots?leadId=${lead.id}&limit=40`);
    const slot = slots.items.at(-1);
    expect(slot).toBeDefined();

    const lease = await running.composition.context.lock.acquire(`calendar:${tenant.id}:${tenant.booking.calendarId}`, { ttlMs: 30_000 });
    expect(lease).not.toBeNull();
    const booking = api.request(`POST`, `/v1/leads/${lead.id}/appointments`, { start: slot!.start, actor: 'lead' });
    // The hold is written before the booking queues for the lock.
    await vi.waitFor(
      async () => {
        const [row] = await running.database.database.query(
          'test.holds',
          'SELECT count(*)::int AS n FROM sdr.appointments WHERE lead_id = $1',
          [lead.id],
        );
        expect(row?.['n']).toBe(1);
      },
      { timeout: 15_000, interval: 20 },
    );
    await running.composition.clock.advance(31 * 60_000);
    // The waiting booking tries the held key a few more times on the new time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await running.composition.context.lock.release(lease!)).toBe(true);

    const answer = await booking;
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  });
});
