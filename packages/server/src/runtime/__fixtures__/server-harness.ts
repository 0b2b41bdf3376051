/**
 * Starts the real server — `startServer` with a configuration read from an environment, exactly
 * as `sdr serve` does — on an ephemeral port, over a database of its own: a PGlite data
 * directory in a temporary folder, or a fresh PostgreSQL database when `DATABASE_URL` is set
 * (an unreachable server fails the test). Requests go over HTTP with `fetch`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@sdr/core';
import { createEmptyPostgresDatabase, databaseUrl, type Driver } from '../../database/__fixtures__/test-database.js';
import { loadConfig } from '../config.js';
import { startServer, type RunningServer } from '../start-server.js';

export { databaseUrl, type Driver };

/** The drivers to run on: PGlite always, PostgreSQL when `DATABASE_URL` is set. */
export const drivers: readonly Driver[] = databaseUrl === undefined ? ['pglite'] : ['pglite', 'postgres'];

/** A database for one test file: the variables that point the server at it, and how to remove it. */
export interface TestDatabase {
  readonly env: Readonly<Record<string, string>>;
  readonly url: string | null;
  drop(): Promise<void>;
}

/** The encryption key of test servers that share a PostgreSQL database (32 bytes, base64). */
export const testEncryptionKey = 'c2RyLXRlc3QtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=';

/** A new, empty database on `driver`. */
export async function createTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const directory = await mkdtemp(join(tmpdir(), 'sdr-e2e-'));
    return { env: { SDR_DATA_DIR: directory }, url: null, drop: () => rm(directory, { recursive: true, force: true }) };
  }
  const created = await createEmptyPostgresDatabase('sdr_e2e');
  // Processes of several roles share the database, so they share one encryption key too.
  return { env: { DATABASE_URL: created.url, SDR_ENCRYPTION_KEY: testEncryptionKey }, url: created.url, drop: () => created.drop() };
}

/** Settings that make the workers quick to notice work in tests. */
export const quickWorkers: Readonly<Record<string, string>> = {
  PORT: '0',
  SDR_WORKER_PORT: '0',
  SDR_DISPATCH_POLL_MS: '50',
  SDR_DISPATCH_PACING_MS: '0',
  SDR_ALERT_INTERVAL_MS: '1000',
  SDR_SHUTDOWN_DEADLINE_MS: '5000',
  SDR_LOG_LEVEL: 'silent',
  // Tests that move the sandbox clock expect sends at whatever hour they run; the demo tenant's
  // opening hours are tested where they are set explicitly.
  SDR_DEMO_ALWAYS_OPEN: 'true',
};

/** Starts a server on `env` (plus `quickWorkers`). */
export function startTestServer(env: Readonly<Record<string, string>>): Promise<RunningServer> {
  return startServer({ config: loadConfig({ ...quickWorkers, ...env }), logger: noopLogger });
}

/** A JSON response. */
export interface Reply<Body = unknown> {
  readonly status: number;
  readonly body: Body;
  readonly headers: Headers;
}

/** An HTTP client for one server and key. */
export interface Client {
  request<Body = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<Body>>;
  get<Body = unknown>(path: string): Promise<Body>;
  post<Body = unknown>(path: string, body?: unknown): Promise<Body>;
}

/** A client sending `key` as bearer; `get`/`post` fail the test on a non-2xx answer. */
export function clientFor(url: string, key: string | null): Client {
  const request = async <Body>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<Body>> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : (JSON.parse(text) as Body)) as Body, headers: response.headers };
  };
  const ok = async <Body>(method: string, path: string, body?: unknown): Promise<Body> => {
    const reply = await request<Body>(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  return { request, get: (path) => ok('GET', path), post: (path, body) => ok('POST', path, body ?? {}) };
}
