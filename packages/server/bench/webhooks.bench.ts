/**
 * `pnpm bench webhooks [--deliveries 2000] [--batch 50] [--delay-ms 100]`: outgoing webhook
 * deliveries per second through the server's own delivery worker, on the PostgreSQL named by
 * `DATABASE_URL` (default the local server; a database of its own, dropped afterwards), to a
 * receiver on a real loopback socket that counts every `webhook-id` it gets.
 *
 * 1. Throughput: `--deliveries` pending deliveries, drained by one worker; `rps` is deliveries
 *    settled as delivered per second of wall time.
 * 2. A worker killed mid-batch: a child process runs the worker against a slow receiver
 *    (`--delay-ms` per answer) and is SIGKILLed once a batch is in flight; its claims come back
 *    when their lease runs out and a second worker delivers them. `lost` counts deliveries the
 *    receiver never got or that are not `delivered`; `duplicates` counts requests beyond the first
 *    per `webhook-id` — at most the batch the killed worker had in flight.
 *
 * Last line: `webhooks: delivered=<n> rps=<x> lost=<n> duplicates=<n>`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { noopLogger, systemClock } from '@sdr/core';
import { createPostgresStore, migrate, openDatabase } from '@sdr/store-postgres';
import pg from 'pg';
import { migrateServer } from '../src/database/server-database.js';
import { newSecret } from '../src/webhooks/webhook-service.js';
import { deliveriesTable, endpointsTable } from '../src/webhooks/webhook-sql.js';
import { createWebhookWorker } from '../src/webhooks/webhook-worker.js';

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '50' },
    'delay-ms': { type: 'string', default: '100' },
    // Internal: run as the worker that gets killed, on this database.
    'worker-of': { type: 'string' },
  },
});
const deliveryCount = Number(values.deliveries);
const batchSize = Number(values.batch);
const delayMs = Number(values['delay-ms']);
const leaseMs = 2_000;
const tenantId = 'bench-tenant';

/** Passes of one worker over `url` until nothing is claimed (or forever, for the worker that is killed). */
async function drain(url: string, workerId: string, forever: boolean): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    const database = openDatabase(pool);
    const worker = createWebhookWorker({
      database,
      store: createPostgresStore({ db: pool }),
      clock: systemClock,
      logger: noopLogger,
      workerId,
      allowPrivate: true,
      batchSize,
      leaseMs,
      timeoutMs: 10_000,
    });
    for (;;) {
      const report = await worker.runOnce();
      if (report.claimed === 0) {
        const [left] = await database.query<{ n: number }>(
          'bench.left',
          `SELECT count(*)::int AS n FROM ${deliveriesTable} WHERE status IN ('pending', 'delivering')`,
        );
        if (!forever && left?.n === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    await pool.end();
  }
}

if (values['worker-of'] !== undefined) {
  await drain(values['worker-of'], `doomed-${String(process.pid)}`, true);
  process.exit(0);
}

// The receiver: counts every request per webhook-id; answers after `delay` ms.
const received = new Map<string, number>();
let delay = 0;
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const id = String(request.headers['webhook-id']);
    received.set(id, (received.get(id) ?? 0) + 1);
    setTimeout(() => response.writeHead(204).end(), delay);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/hooks`;

const adminUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const databaseName = `sdr_bench_webhooks_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const admin = async (statement: string) => {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
};
await admin(`CREATE DATABASE ${databaseName}`);
const url = new URL(adminUrl);
url.pathname = `/${databaseName}`;
const databaseUrl = url.toString();
const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
let child: ChildProcess | undefined;

try {
  await migrate({ db: pool });
  await migrateServer(pool);
  const endpointId = randomUUID();
  await pool.query(
    `INSERT INTO ${endpointsTable} (id, tenant_id, url, events, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), now())`,
    [endpointId, tenantId, receiverUrl, ['message.received'], newSecret()],
  );
  /** `count` pending deliveries of real-shaped `message.received` events. */
  const seed = (count: number) =>
    pool.query(
      `WITH e AS (SELECT n, gen_random_uuid() AS id FROM generate_series(1, $3::int) AS n)
       INSERT INTO ${deliveriesTable} (id, tenant_id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       SELECT gen_random_uuid(), $1, $2, e.id, 'message.received',
              jsonb_build_object('type', 'message.received', 'id', e.id, 'timestamp', now(), 'tenantId', $1::text,
                'data', jsonb_build_object('leadId', gen_random_uuid(), 'messageId', gen_random_uuid(),
                  'phone', '+55119' || (70000000 + e.n)::text, 'channel', 'whatsapp', 'body', 'Oi! Quanto custa o plano anual?')),
              'pending', now(), now()
       FROM e`,
      [tenantId, endpointId, count],
    );
  const ids = async () => (await pool.query<{ id: string }>(`SELECT id FROM ${deliveriesTable}`)).rows.map((row) => row.id);

  // 1. Throughput.
  await seed(deliveryCount);
  const started = performance.now();
  await drain(databaseUrl, 'bench-1', false);
  const seconds = (performance.now() - started) / 1000;
  const rps = deliveryCount / seconds;
  console.log(`throughput: ${String(deliveryCount)} deliveries in ${seconds.toFixed(2)} s (batch ${String(batchSize)})`);

  // 2. A worker SIGKILLed with a batch in flight, then another one taking over after the lease.
  await pool.query(`DELETE FROM ${deliveriesTable}`);
  received.clear();
  delay = delayMs;
  const crashCount = batchSize * 4;
  await seed(crashCount);
  child = fork(fileURLToPath(import.meta.url), ['--worker-of', databaseUrl, '--batch', String(batchSize)], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  // Killed once it has delivered a batch and the next one is on the wire.
  while ([...received.values()].length < batchSize + Math.ceil(batchSize / 2)) await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGKILL');
  await new Promise((resolve) => child?.once('exit', resolve));
  const [inFlight] = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${deliveriesTable} WHERE status = 'delivering'`))
    .rows;
  console.log(
    `killed the worker with ${String(inFlight?.n ?? 0)} deliveries claimed and not settled; waiting ${String(leaseMs)} ms of lease`,
  );
  await drain(databaseUrl, 'bench-2', false);

  const all = await ids();
  const delivered = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${deliveriesTable} WHERE status = 'delivered'`))
    .rows[0]?.n;
  const lost = all.filter((id) => !received.has(id)).length + (crashCount - (delivered ?? 0));
  const duplicates = [...received.values()].reduce((sum, count) => sum + count - 1, 0);
  console.log(`crash: ${String(crashCount)} deliveries, ${String(delivered ?? 0)} delivered, batch in flight ≤ ${String(batchSize)}`);
  console.log(`webhooks: delivered=${String(deliveryCount)} rps=${rps.toFixed(1)} lost=${String(lost)} duplicates=${String(duplicates)}`);
} finally {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await pool.end();
  await new Promise((resolve) => receiver.close(resolve));
  await admin(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
}
