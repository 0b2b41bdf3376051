/**
 * The compose topology without containers: two `api` and two `worker` processes of `sdr serve`
 * (real child processes) on one PostgreSQL and one Redis. Leads are created through both APIs,
 * the sandbox clock makes their follow-ups due, and the two workers share the sends: every due
 * message is sent exactly once (one accepted message per lead, no row ever claimed again), each
 * worker sent some of them and counted its own sends on its `/metrics`, and every process stops
 * cleanly on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveProcess, type ServeProcess } from '../../packages/server/src/runtime/__fixtures__/serve-process.js';

const run = promisify(execFile);
const databaseUrl = process.env['DATABASE_URL'];
const redisUrl = process.env['REDIS_URL'];
const leads = 60;
const encryptionKey = 'c2RyLXRlc3QtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=';

/** The sum of `metric`'s samples whose labels include `label` (its text format as `/metrics` serves it). */
function sumOf(text: string, metric: string, label: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe.skipIf(databaseUrl === undefined || redisUrl === undefined)(
  'two api and two worker processes of sdr serve [postgres, redis]',
  () => {
    const name = `sdr_topology_${process.pid}_${Date.now()}`;
    const url = new URL(databaseUrl ?? 'postgres://localhost');
    url.pathname = `/${name}`;
    const processes: ServeProcess[] = [];
    const sql = async (text: string) => (await run('psql', [url.toString(), '-At', '-v', 'ON_ERROR_STOP=1', '-c', text])).stdout.trim();

    beforeAll(async () => {
      await run('psql', [databaseUrl ?? '', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
    }, 60_000);

    afterAll(async () => {
      for (const started of processes) started.child.kill('SIGKILL');
      await run('psql', [databaseUrl ?? '', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    }, 60_000);

    it('sends every due message exactly once, shared by both workers', async () => {
      const env = {
        DATABASE_URL: url.toString(),
        REDIS_URL: redisUrl ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        SDR_WORKER_PORT: '0',
        SDR_LOG_LEVEL: 'warn',
        SDR_RATE_LIMIT_PER_MINUTE: '100000',
        SDR_DISPATCH_POLL_MS: '100',
        // Paced sends: a pass claims what 10 s of pacing sends (20 rows), so the backlog is shared.
        SDR_DISPATCH_PACING_MS: '500',
        SDR_SHUTDOWN_DEADLINE_MS: '5000',
        SDR_ENCRYPTION_KEY: encryptionKey,
        // The clock is moved at whatever hour the test runs: business hours would hold the sends till morning.
        SDR_DEMO_ALWAYS_OPEN: 'true',
      };
      // The first API creates the demo tenant and prints its key; the others find it.
      const first = await serveProcess('api', env);
      processes.push(first);
      const apiKey = /API key \(shown once[^)]*\): (\S+)/.exec(first.output())?.[1] ?? '';
      expect(apiKey).not.toBe('');
      processes.push(...(await Promise.all([serveProcess('api', env), serveProcess('worker', env), serveProcess('worker', env)])));
      const apis = [processes[0]!.url, processes[1]!.url];
      expect(new Set(apis).size).toBe(2);

      const post = async (base: string, path: string, body: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, `POST ${path}`).toBeLessThan(300);
        return (await response.json()) as { id: string };
      };
      for (let index = 0; index < leads; index += 1) {
        const api = apis[index % 2]!;
        const lead = await post(api, '/v1/leads', { phone: `+55119${String(81_000_000 + index)}` });
        await post(api, `/v1/leads/${lead.id}/messages`, { direction: 'outbound', body: 'Olá! Posso te mostrar como funciona?' });
      }
      await post(apis[1]!, '/v1/sandbox/clock/advance', { minutes: 31 });

      await vi.waitFor(
        async () =>
          expect(await sql("SELECT count(*) FROM sdr.scheduled_messages WHERE kind = 'reengage_1' AND status = 'sent'")).toBe(
            String(leads),
          ),
        { timeout: 180_000, interval: 500 },
      );
      expect(await sql("SELECT status, count(*) FROM sdr.scheduled_messages WHERE kind = 'reengage_1' GROUP BY status")).toBe(
        `sent|${leads}`,
      );
      // No row went back to pending to be claimed again (that would count an attempt).
      expect(await sql("SELECT count(*) FROM sdr.scheduled_messages WHERE kind = 'reengage_1' AND attempts <> 0")).toBe('0');
      // The channel accepted one message per lead: nothing lost, nothing doubled.
      expect(await sql('SELECT count(*), count(DISTINCT recipient) FROM sdr_server.sandbox_messages')).toBe(`${leads}|${leads}`);
      const byWorker = (
        await sql("SELECT locked_by, count(*) FROM sdr.scheduled_messages WHERE kind = 'reengage_1' GROUP BY locked_by ORDER BY 1")
      )
        .split('\n')
        .map((line) => Number(line.split('|')[1]));
      console.log(`topology: ${leads} follow-ups sent by the two workers as ${byWorker.join(' + ')}`);
      expect(byWorker).toHaveLength(2);
      expect(byWorker.every((count) => count > 0)).toBe(true);
      // Each worker is scraped on its own probe port; together they counted every send.
      const scraped = await Promise.all(processes.slice(2).map(async (worker) => (await fetch(`${worker.url}/metrics`)).text()));
      expect(scraped.reduce((sum, text) => sum + sumOf(text, 'sdr_messages_total', 'outcome="sent"'), 0)).toBe(leads);
      const sorted = (counts: number[]) => [...counts].sort((a, b) => a - b);
      expect(sorted(scraped.map((text) => sumOf(text, 'sdr_messages_total', 'outcome="sent"')))).toEqual(sorted(byWorker));

      for (const started of processes) started.child.kill('SIGTERM');
      expect(await Promise.all(processes.map((started) => started.exited))).toEqual([0, 0, 0, 0]);
    }, 300_000);
  },
);
