/**
 * `pnpm bench ingest [--seconds 10] [--connections 32] [--leads 200]`: inbound messages per second
 * and their latency through `POST /v1/leads/{id}/messages` of the real server (API role, on the
 * PostgreSQL named by `DATABASE_URL`, default the local server), measured side by side with a bare
 * Fastify handler of the same framework answering the same request in the same run. Both are
 * driven by the same closed-loop load generator over HTTP/1.1 keep-alive connections.
 *
 * Last line: `ingest: rps=<n> p99_ms=<x> bare_rps=<n> ratio=<x>` (ratio = rps / bare_rps).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { noopLogger } from '@sdr/core';
import { Agent, request as httpRequest } from 'node:http';
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

interface Measured {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

/** Closed loop: `connections` workers each send the next request as soon as the previous answered. */
async function load(url: (index: number) => string, body: (index: number) => string, headers: Record<string, string>): Promise<Measured> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const index = next++;
        const t0 = performance.now();
        const status = await post(agent, url(index), body(index), headers);
        latencies.push(performance.now() - t0);
        if (status !== 201) errors += 1;
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
  bare.post('/v1/leads/:id/messages', async (request, reply) => reply.code(201).send({ outcome: 'recorded', message: request.body }));
  try {
    server = await startServer({
      config: loadConfig({
        DATABASE_URL: url.toString(),
        SDR_ROLE: 'api',
        PORT: '0',
        SDR_RATE_LIMIT_PER_MINUTE: '1000000',
        SDR_LOG_LEVEL: 'silent',
        DATABASE_POOL_MAX: '20',
      }),
      logger: noopLogger,
    });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const key = server.demo?.apiKey ?? '';
    const base = server.url ?? '';
    const leadIds: string[] = [];
    for (let index = 0; index < leadCount; index += 1) {
      const response = await fetch(`${base}/v1/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ phone: `+55119${String(70_000_000 + index)}` }),
      });
      leadIds.push(((await response.json()) as { id: string }).id);
    }
    const body = (index: number) =>
      JSON.stringify({ direction: 'inbound', body: `mensagem ${index}`, providerMessageId: `bench-${index}` });
    const path = (index: number) => `/v1/leads/${leadIds[index % leadIds.length] ?? ''}/messages`;
    // Warm-up of both, then the measured runs, one after the other on the same machine.
    await load((index) => `${bareUrl}${path(index)}`, body, {});
    const ours = await load(
      (index) => `${base}${path(index)}`,
      (index) => body(index + 10_000_000),
      { authorization: `Bearer ${key}` },
    );
    const bareRun = await load((index) => `${bareUrl}${path(index)}`, body, {});
    const row = (label: string, m: Measured) =>
      `${label.padEnd(8)} requests=${m.requests} errors=${m.errors} rps=${m.rps.toFixed(0)} p50_ms=${m.p50.toFixed(1)} p99_ms=${m.p99.toFixed(1)}`;
    console.log(`ingest: ${seconds}s per run, ${connections} connections, ${leadCount} leads, PostgreSQL ${url.host}`);
    console.log(row('server', ours));
    console.log(row('bare', bareRun));
    console.log(
      `ingest: rps=${ours.rps.toFixed(0)} p99_ms=${ours.p99.toFixed(1)} bare_rps=${bareRun.rps.toFixed(0)} ratio=${(ours.rps / bareRun.rps).toFixed(3)}`,
    );
  } finally {
    await bare.close();
    await server?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
