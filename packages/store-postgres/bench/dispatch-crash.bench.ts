/**
 * `pnpm bench dispatch-crash [rows]`: a dispatcher process is killed with SIGKILL in the middle
 * of a batch, on real PostgreSQL. Every send is recorded in a table the moment the channel
 * accepts it, so the record survives the kill. Once the dead worker's leases expire, surviving
 * dispatchers recover its rows and finish the work. Prints how many messages were sent twice —
 * at most the batch that was in flight — and how many were never sent (must be 0).
 *
 * Needs a PostgreSQL server: `DATABASE_URL`, or the local one. A throw-away database is created
 * and dropped.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDispatcher, systemClock, type Dispatcher } from '@sdr/core';
import type pg from 'pg';
import { createPostgresStore } from '../src/store/postgres-store.js';
import { benchPool, createBenchDatabase, noopChannel, noopHandler, scheduleDue, seedTenant } from './bench-support.js';

const leaseMs = 3000;
const batchSize = 100;

/** A dispatcher whose channel records each send (message id, worker) in `bench_sends` before answering. */
function recordingDispatcher(pool: pg.Pool, workerId: string): Dispatcher {
  const channel = noopChannel(async (messageId) => {
    await pool.query('INSERT INTO public.bench_sends (message_id, worker) VALUES ($1, $2)', [messageId, workerId]);
  });
  return createDispatcher({
    store: createPostgresStore({ db: pool }),
    messaging: channel,
    clock: systemClock,
    handlers: [noopHandler],
    workerId,
    pacing: false,
    batchSize,
    leaseMs,
  });
}

/** The child: dispatches until it is killed. */
async function child(url: string): Promise<void> {
  const pool = benchPool(url, 10);
  const dispatcher = recordingDispatcher(pool, 'doomed');
  for (;;) await dispatcher.runOnce();
}

async function count(pool: pg.Pool, sql: string): Promise<number> {
  const [row] = (await pool.query<{ count: number }>(sql)).rows;
  return row?.count ?? 0;
}

async function parent(rows: number): Promise<void> {
  const database = await createBenchDatabase('sdr_bench_crash');
  const admin = benchPool(database.url, 4);
  try {
    const seed = await seedTenant(admin);
    await admin.query('CREATE TABLE public.bench_sends (position bigserial PRIMARY KEY, message_id uuid NOT NULL, worker text NOT NULL)');
    await scheduleDue(admin, { ...seed, count: rows, tag: 'crash' });

    const worker = spawn(
      process.execPath,
      ['--conditions=@sdr/source', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', database.url],
      {
        stdio: 'inherit',
      },
    );
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Kill it once it is well into the work: somewhere in the middle of a batch.
    const killAt = Math.floor(rows / 3) + 37;
    for (;;) {
      if ((await count(admin, 'SELECT count(*)::int AS count FROM public.bench_sends')) >= killAt) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    worker.kill('SIGKILL');
    await exited;
    const sentBeforeKill = await count(admin, 'SELECT count(*)::int AS count FROM public.bench_sends');
    const inFlight = await count(admin, `SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE status = 'sending'`);

    // The survivors: wait for the dead worker's leases to expire, recover its rows, finish.
    await new Promise((resolve) => setTimeout(resolve, leaseMs + 200));
    const pools = [benchPool(database.url, 10), benchPool(database.url, 10)];
    const survivors = pools.map((pool, index) => recordingDispatcher(pool, `survivor-${index}`));
    const recovered = await survivors[0]?.recoverStuck();
    await Promise.all(
      survivors.map(async (dispatcher) => {
        for (;;) if ((await dispatcher.runOnce()).claimed === 0) return;
      }),
    );
    await Promise.all(pools.map((pool) => pool.end()));

    const sends = await count(admin, 'SELECT count(*)::int AS count FROM public.bench_sends');
    const distinct = await count(admin, 'SELECT count(DISTINCT message_id)::int AS count FROM public.bench_sends');
    const sent = await count(admin, `SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE status = 'sent'`);
    const duplicates = sends - distinct;
    const lost = rows - Math.min(distinct, sent);
    console.log(
      `killed after ${sentBeforeKill} sends with ${inFlight} rows in flight (batch ${batchSize}); recovered ${recovered ?? 0} after the lease; ` +
        `${sends} sends for ${rows} messages`,
    );
    console.log(
      `dispatch-crash: rows=${rows} duplicates=${duplicates} (at most the batch in flight: ${inFlight}) lost=${lost}` +
        (duplicates <= inFlight && lost === 0 ? '' : ' FAILED'),
    );
    if (duplicates > inFlight || lost !== 0) process.exitCode = 1;
  } finally {
    await admin.end();
    await database.drop();
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? '');
else await parent(Number(process.argv[2] ?? 5000));
