/**
 * The compose topology without containers: two `api` and two `worker` processes of `sdr serve`
 * (real child processes) on one PostgreSQL and one Redis. Leads are created through both APIs,
 * the sandbox clock makes their follow-ups due, and the two workers share the sends: every due
 * message is sent exactly once (one accepted message per lead, no row ever claimed again), each
 * worker sent some of them, and every process stops cleanly on SIGTERM.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../packages/server/src/cli.ts', import.meta.url));
const databaseUrl = process.env['DATABASE_URL'];
const redisUrl = process.env['REDIS_URL'];
const leads = 60;

interface Process {
  readonly role: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts `sdr serve` in `role` and resolves once its banner is printed. */
function serve(role: 'api' | 'worker', env: Record<string, string>): Promise<Process> {
  const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env, SDR_ROLE: role, SDR_ENCRYPTION_KEY: 'c2RyLXRlc3QtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role}: no banner within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`@sdr server — role ${role}`) && (role === 'worker' || /listening on http:\/\/\S+/.test(output))) {
        clearTimeout(timer);
        resolve({ role, child, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited with ${String(code)} before serving:\n${output}`));
    });
  });
}

const urlOf = (started: Process) => /listening on (http:\/\/[^\s,]+)/.exec(started.output())?.[1] ?? '';

describe.skipIf(databaseUrl === undefined || redisUrl === undefined)(
  'two api and two worker processes of sdr serve [postgres, redis]',
  () => {
    const name = `sdr_topology_${process.pid}_${Date.now()}`;
    const url = new URL(databaseUrl ?? 'postgres://localhost');
    url.pathname = `/${name}`;
    const processes: Process[] = [];
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
      };
      // The first API creates the demo tenant and prints its key; the others find it.
      const first = await serve('api', env);
      processes.push(first);
      const apiKey = /API key \(shown once[^)]*\): (\S+)/.exec(first.output())?.[1] ?? '';
      expect(apiKey).not.toBe('');
      processes.push(...(await Promise.all([serve('api', env), serve('worker', env), serve('worker', env)])));
      const apis = [urlOf(processes[0]!), urlOf(processes[1]!)];
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

      for (const started of processes) started.child.kill('SIGTERM');
      expect(await Promise.all(processes.map((started) => started.exited))).toEqual([0, 0, 0, 0]);
    }, 300_000);
  },
);
