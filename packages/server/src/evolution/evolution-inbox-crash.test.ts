/**
 * A server killed while its inbox holds 1000 unprocessed Evolution events loses none of them:
 * `sdr serve` runs as a child process on a PostgreSQL database whose inbox holds 1000 upserts
 * (100 leads, 10 messages each), is killed with SIGKILL in the middle of draining them, and a
 * worker started afterwards — once the dead process's claims expired — records every message once,
 * each lead's in order.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseEvolutionWebhook } from '@sdr/adapter-evolution';
import { buildMessagesUpsert } from '@sdr/adapter-evolution/testing';
import { VirtualClock, createDomainEvents, noopLogger, parseOrThrow, tenantSchema } from '@sdr/core';
import { createInMemoryCalendar, createInMemoryLock } from '@sdr/core/testing';
import { createPostgresStore, migrate, openDatabase } from '@sdr/store-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, databaseUrl } from '../database/__fixtures__/test-database.js';
import { migrateServer } from '../database/server-database.js';
import { createServerServices } from '../runtime/server-services.js';
import { createEvolutionIngest } from './evolution-ingest.js';
import { inboxEntry } from './evolution-webhook-route.js';
import { environmentWebhookSettings } from './evolution-webhook-settings.js';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const leads = 100;
const perLead = 10;
const secret = 'crash-test-webhook-secret-0123456789';

describe.skipIf(databaseUrl === undefined)('Evolution inbox, server killed mid-drain [postgres]', () => {
  let created: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>;
  let pool: pg.Pool;
  beforeAll(async () => {
    created = await createEmptyPostgresDatabase('sdr_crash');
    pool = new pg.Pool({ connectionString: created.url, max: 10 });
    pool.on('error', () => undefined);
    await migrate({ db: pool });
    await migrateServer(pool);
  }, 60_000);
  afterAll(async () => {
    await pool.end();
    await created.drop();
  }, 60_000);

  const count = async (sql: string, params: unknown[] = []) => Number((await pool.query<{ n: number }>(sql, params)).rows[0]?.n);

  it('loses none of 1000 events and records each once, in order per lead', async () => {
    const database = openDatabase(pool);
    const clock = new VirtualClock(new Date());
    const store = createPostgresStore({ db: pool, clock });
    const tenant = await store.tenants.create(
      parseOrThrow(tenantSchema, {
        id: randomUUID(),
        name: 'Crash',
        timeZone: 'America/Sao_Paulo',
        createdAt: clock.now(),
        updatedAt: clock.now(),
        version: 0,
      }),
    );
    const services = createServerServices({
      store,
      calendar: createInMemoryCalendar({ clock }),
      lock: createInMemoryLock({ clock }),
      clock,
      events: createDomainEvents(),
    });
    const ingest = createEvolutionIngest({
      db: database,
      store,
      services,
      clock,
      logger: noopLogger,
      settingsFor: environmentWebhookSettings({ tenants: store.tenants, settings: { secret } }),
    });
    for (let index = 0; index < leads * perLead; index += 1) {
      const lead = index % leads;
      const parsed = parseEvolutionWebhook(
        buildMessagesUpsert({
          remoteJid: `55119${String(70_000_000 + lead)}@s.whatsapp.net`,
          id: `CRASH-${index}`,
          text: `${Math.floor(index / leads)}`,
        }),
      );
      const entry = inboxEntry(parsed.event, { tenantId: tenant.id, instance: parsed.envelope.instance, now: clock.now() });
      if (entry === null) throw new Error('an upsert was ignored');
      await ingest.inbox.add({ ...entry, envelope: parsed.envelope });
    }
    expect(await ingest.inbox.counts(tenant.id)).toEqual({ pending: 1000, done: 0, dead: 0 });

    // The real server drains them, and is killed on the way.
    const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: created.url,
        PORT: '0',
        SDR_SEED_DEMO: 'false',
        SDR_LOG_LEVEL: 'silent',
        SDR_EVOLUTION_WEBHOOK_SECRET: secret,
      },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const doneSql = `SELECT count(*)::int AS n FROM sdr_server.evolution_inbox WHERE status = 'done'`;
    const deadline = Date.now() + 90_000;
    while ((await count(doneSql)) < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    const doneAtKill = await count(doneSql);
    expect(doneAtKill).toBeGreaterThanOrEqual(50);
    expect(doneAtKill).toBeLessThan(1000);

    // Restarted: the dead process's claims expire after their lease, then everything is drained.
    await clock.advance(Date.now() - clock.now().getTime() + 61_000);
    const worker = ingest.worker({ workerId: 'restarted' });
    while ((await worker.drainOnce()) > 0) {
      // until the inbox is empty
    }
    expect(await ingest.inbox.counts(tenant.id)).toEqual({ pending: 0, done: 1000, dead: 0 });
    expect(await count('SELECT count(*)::int AS n FROM sdr.messages WHERE tenant_id = $1', [tenant.id])).toBe(1000);
    expect(await count('SELECT count(DISTINCT provider_message_id)::int AS n FROM sdr.messages WHERE tenant_id = $1', [tenant.id])).toBe(
      1000,
    );
    expect(await count('SELECT count(*)::int AS n FROM sdr.leads WHERE tenant_id = $1', [tenant.id])).toBe(leads);
    const outOfOrder = await count(
      `SELECT count(*)::int AS n FROM (
         SELECT body::int - lag(body::int) OVER (PARTITION BY lead_id ORDER BY position) AS step
         FROM sdr.messages WHERE tenant_id = $1
       ) steps WHERE step <> 1`,
      [tenant.id],
    );
    expect(outOfOrder).toBe(0);
  }, 180_000);
});
