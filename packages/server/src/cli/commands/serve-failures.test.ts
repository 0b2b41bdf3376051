/**
 * `sdr serve` when what it depends on is not there: an unreachable Redis, an unreachable
 * PostgreSQL server, a database that does not exist, a host it cannot listen on. Each stops the
 * process with one line on stderr naming the variable and the reason — without the password of
 * the URL — and a non-zero exit code, as a wrong configuration value already does.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../cli.ts', import.meta.url));
const databaseUrl = process.env['DATABASE_URL'];
const password = 'pa55-w0rd-never-echoed';

/** Runs `sdr serve` to its end (the test's timeout stops one that never exits). */
function serveUntilExit(env: Record<string, string>): Promise<{ readonly code: number | null; readonly stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', SDR_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/** A URL with `password` in it whose `host:port` nothing listens on. */
function refusedUrl(protocol: string, path = ''): string {
  return `${protocol}//user:${password}@127.0.0.1:1${path}`;
}

describe('sdr serve start-up failures', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sdr-serve-failures-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const expectOneLine = (stderr: string, pattern: RegExp) => {
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(pattern)]);
    expect(stderr).not.toContain(password);
  };

  it('an unreachable REDIS_URL: one line naming it and why, exit 1', async () => {
    const result = await serveUntilExit({ SDR_DATA_DIR: dataDir, REDIS_URL: refusedUrl('redis:') });
    expectOneLine(result.stderr, /^error: REDIS_URL: cannot connect to Redis at 127\.0\.0\.1:1: .*refused.*ECONNREFUSED/);
    expect(result.code).toBe(1);
  }, 120_000);

  it('an unreachable DATABASE_URL: one line naming it and why, exit 1', async () => {
    const result = await serveUntilExit({ DATABASE_URL: refusedUrl('postgres:', '/sdr') });
    expectOneLine(result.stderr, /^error: DATABASE_URL: cannot connect to PostgreSQL at 127\.0\.0\.1:1: .*refused.*ECONNREFUSED/);
    expect(result.code).toBe(1);
  }, 120_000);

  it.skipIf(databaseUrl === undefined)(
    'a DATABASE_URL whose database does not exist: one line naming it, exit 1',
    async () => {
      const url = new URL(databaseUrl ?? '');
      url.password = password;
      url.pathname = '/sdr_no_such_database';
      const result = await serveUntilExit({ DATABASE_URL: url.toString() });
      expectOneLine(result.stderr, /^error: DATABASE_URL: .*database "sdr_no_such_database" does not exist/);
      expect(result.code).toBe(1);
    },
    60_000,
  );

  it('a HOST that is no address: refused with the configuration, exit 2', async () => {
    const result = await serveUntilExit({ SDR_DATA_DIR: dataDir, HOST: '999.1.1.1' });
    expectOneLine(result.stderr, /^error: invalid configuration: HOST must be an IP address or a host name/);
    expect(result.code).toBe(2);
  }, 120_000);

  it('a HOST that does not resolve: one line naming it and why, exit 1', async () => {
    const result = await serveUntilExit({ SDR_DATA_DIR: dataDir, HOST: 'no-such-host.invalid' });
    expectOneLine(result.stderr, /^error: HOST: cannot listen on no-such-host\.invalid:0: .*ENOTFOUND/);
    expect(result.code).toBe(1);
  }, 120_000);
});
