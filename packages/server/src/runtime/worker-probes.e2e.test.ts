/**
 * A `worker` process serves its own probes and metrics on `SDR_WORKER_PORT`: the counters only a
 * worker increments (the dispatcher's message outcomes and its sends through the channel) are
 * scraped from it, `/healthz` and `/readyz` answer, and nothing else of the API is served there.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from './start-server.js';
import { clientFor, createTestDatabase, databaseUrl, startTestServer, type TestDatabase } from './__fixtures__/server-harness.js';

/** The value of the sample of `metric` whose labels include every one of `labels` (0 when absent). */
function sampleOf(text: string, metric: string, labels: Readonly<Record<string, string>>): number {
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== metric) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([name, value]) => found.get(name) === value)) return Number(match[3]);
  }
  return 0;
}

describe.skipIf(databaseUrl === undefined)('the probes of a worker process', () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop();
  }, 60_000);

  it('answers /metrics with the dispatcher’s metrics, and /healthz and /readyz', async () => {
    const env = { ...database!.env, SDR_RATE_LIMIT_PER_MINUTE: '100000' };
    const api = await startTestServer({ ...env, SDR_ROLE: 'api' });
    servers.push(api);
    const worker = await startTestServer({ ...env, SDR_ROLE: 'worker' });
    servers.push(worker);
    expect(api.probesUrl).toBeNull();
    expect(worker.url).toBeNull();
    const probes = worker.probesUrl ?? '';
    expect(probes).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = clientFor(api.url ?? '', api.demo?.apiKey ?? '');
    const leads = 3;
    for (let index = 0; index < leads; index += 1) {
      const lead = await client.post<{ id: string }>('/v1/leads', { phone: `+55119${String(82_000_000 + index)}` });
      await client.post(`/v1/leads/${lead.id}/messages`, { direction: 'outbound', body: 'Olá! Posso te mostrar como funciona?' });
    }
    await client.post('/v1/sandbox/clock/advance', { minutes: 31 });

    const scrape = async () => {
      const response = await fetch(`${probes}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    await vi.waitFor(
      async () => expect(sampleOf(await scrape(), 'sdr_messages_total', { kind: 'reengage_1', outcome: 'sent' })).toBe(leads),
      { timeout: 30_000, interval: 200 },
    );
    const text = await scrape();
    expect(sampleOf(text, 'sdr_provider_request_duration_seconds_count', { operation: 'sendText', outcome: 'success' })).toBe(leads);
    // The scrape-time gauges and the process's own metrics are there too.
    expect(sampleOf(text, 'sdr_worker_last_heartbeat_seconds', { component: 'dispatcher' })).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // The API process sent nothing: its registry has no outcome.
    const apiMetrics = await (await fetch(`${api.url ?? ''}/metrics`)).text();
    expect(sampleOf(apiMetrics, 'sdr_messages_total', { kind: 'reengage_1', outcome: 'sent' })).toBe(0);

    const health = await fetch(`${probes}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${probes}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' }, lock: { status: 'up' }, channels: { status: 'up' } },
    });
    // Only the probes: the API, the webhooks and the console are the api role's.
    expect((await fetch(`${probes}/v1/leads`)).status).toBe(404);
    expect((await fetch(`${probes}/openapi.json`)).status).toBe(404);
  }, 120_000);

  it('names SDR_WORKER_PORT when its port is taken', async () => {
    const env = { ...database!.env, SDR_ROLE: 'worker' };
    const first = await startTestServer(env);
    servers.push(first);
    const port = new URL(first.probesUrl ?? '').port;
    await expect(startTestServer({ ...env, SDR_WORKER_PORT: port })).rejects.toThrow(/SDR_WORKER_PORT/);
  }, 60_000);
});
