/**
 * Two `worker` processes (two `startServer` runtimes with their own pools, heartbeats and
 * dispatchers) and one `api` process on one PostgreSQL: every due follow-up is sent exactly once,
 * even when one worker shuts down in the middle of the batch.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverSchema } from '../database/index.js';
import type { RunningServer } from './start-server.js';
import { clientFor, createTestDatabase, databaseUrl, startTestServer, type TestDatabase } from './__fixtures__/server-harness.js';

const leads = 120;

/** How many times this process's dispatcher called the channel's `sendText`. */
async function sendCalls(server: RunningServer): Promise<number> {
  const metric = await server.composition.metrics.registry.getSingleMetric('sdr_provider_request_duration_seconds')?.get();
  return (metric?.values ?? [])
    .filter(
      (sample) =>
        (sample as { metricName?: string }).metricName === 'sdr_provider_request_duration_seconds_count' &&
        sample.labels['operation'] === 'sendText',
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe.skipIf(databaseUrl === undefined)('two worker processes on one PostgreSQL', () => {
  // Undefined in `afterAll` when `beforeAll` failed before assigning it; the test runs only after it did.
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop();
  }, 60_000);

  it('send every due message exactly once, also when one of them stops mid-batch', async () => {
    const env = { ...database!.env, SDR_RATE_LIMIT_PER_MINUTE: '100000' };
    const api = await startTestServer({ ...env, SDR_ROLE: 'api' });
    servers.push(api);
    const [first, second] = await Promise.all([
      startTestServer({ ...env, SDR_ROLE: 'worker' }),
      startTestServer({ ...env, SDR_ROLE: 'worker' }),
    ]);
    servers.push(first, second);
    const client = clientFor(api.url ?? '', api.demo?.apiKey ?? '');
    for (let index = 0; index < leads; index += 1) {
      const lead = await client.post<{ id: string }>('/v1/leads', { phone: `+55119${String(80_000_000 + index)}` });
      await client.post(`/v1/leads/${lead.id}/messages`, { direction: 'outbound', body: 'Olá! Posso te mostrar como funciona?' });
    }
    await client.post('/v1/sandbox/clock/advance', { minutes: 31 });

    const sql = new pg.Pool({ connectionString: database!.url ?? '' });
    try {
      const sentRows = async () => {
        const rows = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${serverSchema}.sandbox_messages`);
        return rows.rows[0]?.count ?? 0;
      };
      await vi.waitFor(async () => expect(await sentRows()).toBeGreaterThan(0), { timeout: 15_000, interval: 20 });
      await first.stop();
      await vi.waitFor(async () => expect(await sentRows()).toBe(leads), { timeout: 30_000, interval: 100 });
      // A send is marked sent after the channel accepted it: wait until every row is, rather than a
      // fixed pause, so a loaded machine cannot catch the last marks in flight.
      const statuses = async () =>
        (
          await sql.query<{ status: string; count: number }>(
            `SELECT status, count(*)::int AS count FROM sdr.scheduled_messages WHERE kind = 'reengage_1' GROUP BY status`,
          )
        ).rows;
      await vi.waitFor(async () => expect(await statuses()).toEqual([{ status: 'sent', count: leads }]), {
        timeout: 30_000,
        interval: 100,
      });
      // The sandbox channel deduplicates on the idempotency key, so its table alone would hide a
      // repeated send: count the sends each worker's dispatcher made through its instrumented port.
      expect((await sendCalls(first)) + (await sendCalls(second))).toBe(leads);
      expect(await sendCalls(second)).toBeGreaterThan(0);
      expect(await sentRows()).toBe(leads);
    } finally {
      await sql.end();
    }
  }, 120_000);
});
