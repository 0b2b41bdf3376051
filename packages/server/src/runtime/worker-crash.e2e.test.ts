/**
 * A worker process killed (SIGKILL) in the middle of a paced batch: 200 re-engagements due, one
 * send a second. The dead process held claims it never finished; another worker process must
 * resume them within a minute — not after the 15-minute lease — and nothing may be lost or sent
 * twice. The figure (seconds from the kill until every message was sent) is printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverSchema } from '../database/index.js';
import type { RunningServer } from './start-server.js';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  quickWorkers,
  startTestServer,
  type TestDatabase,
} from './__fixtures__/server-harness.js';
import { claimReleaseSilenceMs } from './workers.js';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const leads = 200;
/** The product requirement: a crash costs seconds, not a quarter hour. */
const resumeWithinMs = 60_000;

/** `sdr serve` as a worker process, paced at one send a second. */
function spawnWorker(env: Readonly<Record<string, string>>): { readonly child: ChildProcess; readonly output: () => string } {
  const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
    env: { PATH: process.env['PATH'] ?? '', ...quickWorkers, ...env, SDR_ROLE: 'worker', SDR_DISPATCH_PACING_MS: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return { child, output: () => output };
}

/** How many times `server`'s dispatcher called the channel's `sendText`. */
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

describe.skipIf(databaseUrl === undefined)('a worker process killed mid-batch', () => {
  let database: TestDatabase | undefined;
  let worker: ReturnType<typeof spawnWorker> | undefined;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  }, 60_000);

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop();
  }, 60_000);

  it('has its claims resumed by another worker within a minute; nothing lost, nothing sent twice', async () => {
    const env = { ...database!.env, SDR_RATE_LIMIT_PER_MINUTE: '100000' };
    const api = await startTestServer({ ...env, SDR_ROLE: 'api' });
    servers.push(api);
    const client = clientFor(api.url ?? '', api.demo?.apiKey ?? '');
    for (let index = 0; index < leads; index += 1) {
      const lead = await client.post<{ id: string }>('/v1/leads', { phone: `+55119${String(70_000_000 + index)}` });
      await client.post(`/v1/leads/${lead.id}/messages`, { direction: 'outbound', body: 'Olá! Posso te mostrar como funciona?' });
    }

    const sql = new pg.Pool({ connectionString: database!.url ?? '' });
    try {
      const count = async (query: string, values: unknown[] = []) =>
        (await sql.query<{ count: number }>(query, values)).rows[0]?.count ?? 0;
      const delivered = () => count(`SELECT count(*)::int AS count FROM ${serverSchema}.sandbox_messages`);
      const holders = async () =>
        (
          await sql.query<{ locked_by: string }>(
            `SELECT DISTINCT locked_by FROM sdr.scheduled_messages WHERE kind = 'reengage_1' AND status = 'sending'`,
          )
        ).rows.map((row) => row.locked_by);

      worker = spawnWorker(env);
      await client.post('/v1/sandbox/clock/advance', { minutes: 31 });
      // The worker sends one a second: wait for a few sends, with claims still held.
      await vi.waitFor(async () => expect(await delivered()).toBeGreaterThanOrEqual(3), { timeout: 60_000, interval: 100 });
      const [dead] = await holders();
      expect(dead, worker.output()).toMatch(/^dispatcher-worker-/);
      const exited = new Promise((resolve) => worker?.child.once('exit', resolve));
      worker.child.kill('SIGKILL');
      const killedAt = Date.now();
      await exited;
      const stranded = await count(
        `SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE status = 'sending' AND locked_by = $1`,
        [dead],
      );
      const sentByDead = await count(`SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE status = 'sent' AND locked_by = $1`, [
        dead,
      ]);
      // Pacing bounds the claim: a few seconds of sends, not a batch of 100.
      expect(stranded).toBeGreaterThan(0);
      expect(stranded).toBeLessThanOrEqual(10);

      const survivor = await startTestServer({ ...env, SDR_ROLE: 'worker' });
      servers.push(survivor);
      const statuses = async () =>
        (
          await sql.query<{ status: string; count: number }>(
            `SELECT status, count(*)::int AS count FROM sdr.scheduled_messages WHERE kind = 'reengage_1' GROUP BY status`,
          )
        ).rows;
      // Leases are 15 minutes: only releasing the dead process's claims gets them sent in time.
      await vi.waitFor(async () => expect(await statuses()).toEqual([{ status: 'sent', count: leads }]), {
        timeout: resumeWithinMs,
        interval: 200,
      });
      const resumedAfterMs = Date.now() - killedAt;
      console.info(
        `worker killed with ${String(stranded)} claims held: every message sent ${(resumedAfterMs / 1000).toFixed(1)} s later ` +
          `(release after ${String(claimReleaseSilenceMs / 1000)} s of silence)`,
      );

      expect(await delivered()).toBe(leads);
      expect(await count(`SELECT count(DISTINCT recipient)::int AS count FROM ${serverSchema}.sandbox_messages`)).toBe(leads);
      // The released rows count the lost attempt and name the dead worker; the survivor sent the
      // rest once each (the dead one's last send, if it was in flight at the kill, carries the same
      // idempotency key, which the channel deduplicates).
      expect(
        await count(
          `SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE attempts = 1 AND last_error->>'code' = 'worker_lost' AND last_error->>'message' LIKE '%' || $1 || '%'`,
          [dead],
        ),
      ).toBe(stranded);
      expect(await sendCalls(survivor)).toBe(leads - sentByDead);
    } finally {
      await sql.end();
    }
  }, 240_000);
});
