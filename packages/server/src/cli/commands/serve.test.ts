/**
 * `sdr serve` as a newcomer runs it: a child process with no configuration but a data directory
 * and a free port. It prints the banner with the demo key once, serves, stops cleanly on
 * SIGTERM (exit 0), and a second start on the same directory keeps the tenant, its key and the
 * sandbox's state without printing the key again. A wrong variable exits 2 naming it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../cli.ts', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Spawns `sdr serve` and resolves once its banner names the URL. */
function serve(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s,]+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sdr serve exited with ${String(code)} before serving:\n${output}`));
    });
  });
}

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, init);
  expect(response.status, url).toBeLessThan(300);
  return (await response.json()) as T;
}

describe('sdr serve', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sdr-serve-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on the embedded default, prints the key once, stops on SIGTERM, and a restart keeps everything', async () => {
    const env = { SDR_DATA_DIR: dataDir, PORT: '0', SDR_LOG_LEVEL: 'info' };
    const first = await serve(env);
    const key = /API key \(shown once[^:]*: (sdr_\S+)/.exec(first.output())?.[1];
    expect(key).toBeDefined();
    const auth = { authorization: `Bearer ${key ?? ''}`, 'content-type': 'application/json' };
    expect(await json(`${first.url}/healthz`)).toEqual({ status: 'ok' });
    const inbound = await json<{ leadId: string }>(`${first.url}/v1/sandbox/inbound`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ from: '+55 11 98765-4321', text: 'Oi', name: 'Ana' }),
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = await serve(env);
    try {
      expect(second.output()).not.toContain(key);
      expect(second.output()).toContain('printed at the first start only');
      const lead = await json<{ id: string; name: string }>(`${second.url}/v1/leads/${inbound.leadId}`, { headers: auth });
      expect(lead).toMatchObject({ id: inbound.leadId, name: 'Ana' });
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 120_000);

  it('a wrong variable stops it before anything starts: exit code 2, the variable named', async () => {
    const child = spawn(process.execPath, ['--conditions=@sdr/source', '--import', 'tsx', cli, 'serve'], {
      env: { PATH: process.env['PATH'] ?? '', SDR_DATA_DIR: dataDir, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT must be a whole number');
  }, 60_000);
});
