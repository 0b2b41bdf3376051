/**
 * `pnpm bench ingest [--seconds 10] [--connections 32] [--leads 200]`: WhatsApp deliveries per
 * second and their latency through `POST /webhooks/evolution/{tenantId}` of the real server (API
 * role, on the PostgreSQL named by `DATABASE_URL`, default the local server), measured side by
 * side with a bare Fastify handler of the same framework answering the same deliveries in the same
 * run. Both are driven by the same closed-loop load generator over HTTP/1.1 keep-alive
 * connections. The deliveries are real-shaped `messages.upsert` envelopes (secret header, apikey
 * included); one in ten re-delivers an earlier message, as Evolution's retries do.
 *
 * After the load, the inbox is drained by the server's own inbox worker and the store is checked:
 * `lost` counts accepted messages that were not recorded, `duplicated` messages recorded more than
 * once plus leads created more than once.
 *
 * Last line: `ingest: rps=<n> p99_ms=<x> bare_rps=<n> ratio=<x> lost=<n> duplicated=<n>`.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { buildMessagesUpsert } from '@sdr/adapter-evolution/testing';
import { noopLogger } from '@sdr/core';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/runtime/config.js';
import { startServer } from '../src/runtime/start-server.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    leads: { type: 'string', default: '200' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const leadCount = Number(values.leads);
const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const secret = `bench-webhook-secret-${randomUUID()}`;

interface Measured {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

/** The delivery of request `index` in a run: a new message, or (one in ten) an earlier one again. */
function delivery(run: string, index: number): { readonly id: string; readonly body: string } {
  const message = index % 10 === 9 ? index - 5 : index;
  const id = `${run}-${message}`;
  const lead = message % leadCount;
  const body = JSON.stringify(
    buildMessagesUpsert({
      instance: 'bench',
      remoteJid: `55119${String(70_000_000 + lead)}@s.whatsapp.net`,
      id,
      pushName: `Lead ${lead}`,
      text: `mensagem ${message} do lead ${lead}: quero saber mais sobre o plano`,
      messageTimestamp: 1_772_456_400 + message,
    }),
  );
  return { id, body };
}

/** Closed loop: `connections` workers each send the next request as soon as the previous answered. */
async function load(
  url: string,
  body: (index: number) => { readonly id: string; readonly body: string },
  headers: Record<string, string>,
  accepted?: Set<string>,
): Promise<Measured> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const request = body(next++);
        const t0 = performance.now();
        const status = await post(agent, url, request.body, headers);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors += 1;
        else accepted?.add(request.id);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

/** One POST over the keep-alive agent; resolves with the status once the body was read. */
function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function main(): Promise<void> {
  const name = `sdr_bench_ingest_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // The database is dropped however the run ends, a server that fails to start included.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const bare = Fastify({ logger: false });
  bare.post('/webhooks/evolution/:tenantId', async (_request, reply) => reply.code(200).send({ status: 'stored' }));
  try {
    server = await startServer({
      config: loadConfig({
        DATABASE_URL: url.toString(),
        SDR_ROLE: 'api',
        SDR_ENCRYPTION_KEY: 'c2RyLXRlc3QtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=',
        PORT: '0',
        SDR_LOG_LEVEL: 'silent',
        DATABASE_POOL_MAX: '20',
        SDR_EVOLUTION_WEBHOOK_SECRET: secret,
      }),
      logger: noopLogger,
    });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const tenantId = server.demo?.tenant.id ?? '';
    const path = `/webhooks/evolution/${tenantId}`;
    const headers = { 'x-webhook-secret': secret };
    const accepted = new Set<string>();
    // Warm-up of both, then the measured runs, one after the other on the same machine.
    await load(`${bareUrl}${path}`, (index) => delivery('warm', index), headers);
    await load(`${server.url ?? ''}${path}`, (index) => delivery('warm', index), headers, accepted);
    const ours = await load(`${server.url ?? ''}${path}`, (index) => delivery('run', index), headers, accepted);
    const bareRun = await load(`${bareUrl}${path}`, (index) => delivery('run', index), headers);

    // The server's inbox worker records everything that was accepted.
    const drainStarted = performance.now();
    const worker = server.composition.evolution.worker({ workerId: 'bench-drain', batchSize: 64 });
    while ((await worker.drainOnce()) > 0) {
      // until the inbox is empty
    }
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const counts = await server.composition.evolution.inbox.counts(tenantId);
    const rows = await server.database.database.query<{ id: string; n: number }>(
      'bench.ingest.recorded',
      `SELECT provider_message_id AS id, count(*)::int AS n FROM sdr.messages WHERE tenant_id = $1 GROUP BY provider_message_id`,
      [tenantId],
    );
    const recorded = new Map(rows.map((row) => [row.id, row.n]));
    const lost = [...accepted].filter((id) => !recorded.has(id)).length;
    const [leads] = await server.database.database.query<{ n: number }>(
      'bench.ingest.leads',
      'SELECT count(*)::int AS n FROM sdr.leads WHERE tenant_id = $1',
      [tenantId],
    );
    const leadsSeen = new Set([...accepted].map((id) => Number(id.split('-')[1]) % leadCount)).size;
    const duplicated = [...recorded.values()].reduce((sum, n) => sum + n - 1, 0) + Math.max(0, (leads?.n ?? 0) - leadsSeen);

    const row = (label: string, m: Measured) =>
      `${label.padEnd(8)} requests=${m.requests} errors=${m.errors} rps=${m.rps.toFixed(0)} p50_ms=${m.p50.toFixed(1)} p99_ms=${m.p99.toFixed(1)}`;
    console.log(`ingest: ${seconds}s per run, ${connections} connections, ${leadCount} leads, 10% re-deliveries, PostgreSQL ${url.host}`);
    console.log(row('server', ours));
    console.log(row('bare', bareRun));
    console.log(
      `drain    events=${counts.done} dead=${counts.dead} pending=${counts.pending} seconds=${drainSeconds.toFixed(1)} events_per_s=${(counts.done / drainSeconds).toFixed(0)} messages=${recorded.size} accepted=${accepted.size}`,
    );
    console.log(
      `ingest: rps=${ours.rps.toFixed(0)} p99_ms=${ours.p99.toFixed(1)} bare_rps=${bareRun.rps.toFixed(0)} ratio=${(ours.rps / bareRun.rps).toFixed(3)} lost=${lost} duplicated=${duplicated}`,
    );
  } finally {
    await bare.close();
    await server?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
