/**
 * `pnpm bench dispatch [rows]`: the dispatcher on real PostgreSQL (this store) against
 * graphile-worker on the same database, side by side in one run. For N = 1, 4 and 8 workers,
 * `rows` (default 20 000) due messages are claimed and sent through a no-op channel by N
 * dispatchers (each with its own pool, as N processes would have); then the same number of no-op
 * jobs is run by graphile-worker with `concurrency: N`. Pools hold up to 10 connections
 * (node-postgres' default), fewer per pool at N = 8 to stay under the server's connection limit. Duplicates (a message sent twice) and
 * lost messages (never sent) are counted for both. The last line compares the N = 8 figures.
 *
 * Needs a PostgreSQL server: `DATABASE_URL`, or the local one. A throw-away database is created
 * and dropped.
 */
import { performance } from 'node:perf_hooks';
import { createDispatcher, systemClock } from '@sdr/core';
import { Logger, run, runMigrations } from 'graphile-worker';
import type pg from 'pg';
import { createPostgresStore } from '../src/store/postgres-store.js';
import { benchPool, createBenchDatabase, noopChannel, noopHandler, scheduleDue, seedTenant } from './bench-support.js';

const rows = Number(process.argv[2] ?? 20_000);
const workerCounts = [1, 4, 8];
const silent = new Logger(() => () => undefined);
const poolSize = (workers: number) => Math.min(10, Math.floor(64 / workers));

interface Outcome {
  readonly perSecond: number;
  readonly elapsedMs: number;
  readonly duplicates: number;
  readonly lost: number;
}

async function runOurs(
  admin: pg.Pool,
  url: string,
  seed: { tenantId: string; leadId: string },
  workers: number,
  count: number,
): Promise<Outcome> {
  await admin.query('DELETE FROM sdr.scheduled_messages');
  await admin.query('VACUUM ANALYZE sdr.scheduled_messages');
  await scheduleDue(admin, { ...seed, count, tag: `ours-${workers}` });
  const sends: string[] = [];
  const channel = noopChannel((key) => {
    sends.push(key);
  });
  const pools = Array.from({ length: workers }, () => benchPool(url, poolSize(workers)));
  const dispatchers = pools.map((pool, index) =>
    createDispatcher({
      store: createPostgresStore({ db: pool }),
      messaging: channel,
      clock: systemClock,
      handlers: [noopHandler],
      workerId: `bench-${index}`,
      pacing: false,
      batchSize: 100,
    }),
  );
  const started = performance.now();
  await Promise.all(
    dispatchers.map(async (dispatcher) => {
      for (;;) {
        const report = await dispatcher.runOnce();
        if (report.claimed === 0) return;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  await Promise.all(pools.map((pool) => pool.end()));
  const [row] = (await admin.query<{ sent: number }>(`SELECT count(*)::int AS sent FROM sdr.scheduled_messages WHERE status = 'sent'`))
    .rows;
  const unique = new Set(sends).size;
  return {
    perSecond: count / (elapsedMs / 1000),
    elapsedMs,
    duplicates: sends.length - unique,
    lost: count - Math.min(unique, row?.sent ?? 0),
  };
}

async function runGraphileWorker(admin: pg.Pool, url: string, workers: number, count: number): Promise<Outcome> {
  await admin.query('DELETE FROM graphile_worker._private_jobs');
  await admin.query('VACUUM ANALYZE graphile_worker._private_jobs');
  await admin.query(`SELECT graphile_worker.add_job('noop', json_build_object('n', n)) FROM generate_series(1, $1) AS n`, [count]);
  const seen: number[] = [];
  const pool = benchPool(url, Math.max(10, workers + 2));
  let succeeded = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  const runner = await run({
    pgPool: pool,
    concurrency: workers,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: silent,
    taskList: {
      noop: (payload) => {
        seen.push((payload as { n: number }).n);
        return Promise.resolve();
      },
    },
  });
  runner.events.on('job:success', () => {
    succeeded += 1;
    if (succeeded >= count) finish();
  });
  await allDone;
  const elapsedMs = performance.now() - started;
  await runner.stop();
  await pool.end();
  const unique = new Set(seen).size;
  return { perSecond: count / (elapsedMs / 1000), elapsedMs, duplicates: seen.length - unique, lost: count - unique };
}

const format = (outcome: Outcome) => `${outcome.perSecond.toFixed(0)} jobs/s (${outcome.elapsedMs.toFixed(0)} ms)`;

const database = await createBenchDatabase('sdr_bench_dispatch');
const admin = benchPool(database.url, 2);
try {
  const seed = await seedTenant(admin);
  await runMigrations({ pgPool: admin, logger: silent });
  // Warm-up, not reported: the first runs would otherwise pay for the JIT and cold caches.
  await runOurs(admin, database.url, seed, 2, 2000);
  await runGraphileWorker(admin, database.url, 2, 2000);

  let last: { ours: Outcome; theirs: Outcome } | undefined;
  let duplicates = 0;
  let lost = 0;
  for (const workers of workerCounts) {
    const ours = await runOurs(admin, database.url, seed, workers, rows);
    const theirs = await runGraphileWorker(admin, database.url, workers, rows);
    duplicates += ours.duplicates;
    lost += ours.lost;
    console.log(
      `N=${workers}: ${rows} messages  ours ${format(ours)} duplicates=${ours.duplicates} lost=${ours.lost}  ` +
        `graphile-worker ${format(theirs)} duplicates=${theirs.duplicates} lost=${theirs.lost}  ratio=${(ours.perSecond / theirs.perSecond).toFixed(2)}`,
    );
    last = { ours, theirs };
  }
  if (last) {
    console.log(
      `dispatch: ours=${last.ours.perSecond.toFixed(0)} graphile-worker=${last.theirs.perSecond.toFixed(0)} ` +
        `ratio=${(last.ours.perSecond / last.theirs.perSecond).toFixed(2)} duplicates=${duplicates} lost=${lost}`,
    );
  }
} finally {
  await admin.end();
  await database.drop();
}
