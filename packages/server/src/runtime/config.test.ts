import { readFileSync } from 'node:fs';
import { ValidationError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from './config.js';

function failure(env: Record<string, string>): ValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('with no environment: the embedded default, role all, on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toMatchObject({
      role: 'all',
      host: '127.0.0.1',
      port: 3000,
      workerPort: 9464,
      database: { kind: 'pglite', dataDir: '.sdr-data' },
      redisUrl: null,
      operatorKey: null,
      publicBaseUrl: 'http://127.0.0.1:3000',
      seedDemo: true,
    });
  });

  it('reads every variable, empty ones counting as unset', () => {
    const config = loadConfig({
      SDR_ROLE: 'worker',
      SDR_ENCRYPTION_KEY: 'c2RyLXRlc3QtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=',
      PORT: '8080',
      SDR_WORKER_PORT: '9100',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://app:secret@db:5432/sdr',
      DATABASE_POOL_MAX: '4',
      REDIS_URL: 'redis://cache:6379',
      SDR_OPERATOR_KEY: 'o'.repeat(40),
      SDR_PUBLIC_BASE_URL: 'https://sdr.example.com',
      SDR_SEED_DEMO: 'false',
      SDR_DISPATCH_PACING_MS: '0',
      SDR_LOG_LEVEL: '',
    });
    expect(config).toMatchObject({
      role: 'worker',
      port: 8080,
      workerPort: 9100,
      database: { kind: 'postgres', url: 'postgres://app:secret@db:5432/sdr', poolMax: 4 },
      redisUrl: 'redis://cache:6379',
      publicBaseUrl: 'https://sdr.example.com',
      seedDemo: false,
      dispatch: { pollIntervalMs: 1000, pacingMs: 0 },
      logLevel: 'info',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'must be a whole number'],
    [{ PORT: '70000' }, 'PORT', 'must be at most 65535'],
    [{ SDR_WORKER_PORT: '-1' }, 'SDR_WORKER_PORT', 'must be a whole number'],
    [{ SDR_ROLE: 'cron' }, 'SDR_ROLE', 'must be one of api, worker, all'],
    [{ DATABASE_URL: 'mysql://db/sdr' }, 'DATABASE_URL', 'must be a URL like postgres://'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', 'must be a URL like redis://'],
    [{ SDR_OPERATOR_KEY: 'short' }, 'SDR_OPERATOR_KEY', 'at least 32 characters'],
    [{ SDR_SEED_DEMO: 'maybe' }, 'SDR_SEED_DEMO', 'must be true or false'],
    [{ SDR_ROLE: 'api' }, 'SDR_ROLE', 'needs DATABASE_URL'],
    [{ SDR_ROLE: 'worker', DATABASE_URL: 'postgres://db/sdr' }, 'SDR_ENCRYPTION_KEY', 'must be set when SDR_ROLE is worker'],
  ])('refuses %o naming the variable', (env, variable, problem) => {
    const error = failure(env);
    expect(error.fieldErrors.map((field) => field.field)).toContain(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(problem);
  });

  it('never repeats a value in its message (a URL may carry a password)', () => {
    const error = failure({ DATABASE_URL: 'mysql://app:hunter2@db/sdr' });
    expect(error.message).not.toContain('hunter2');
  });

  it('.env.example lists every variable, each with a comment', () => {
    const example = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
    const listed = [...example.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]);
    expect([...listed].sort()).toEqual([...configVariables].sort());
    // A variable's comment is the line above it, or above the group of variables it belongs to.
    const lines = example.split('\n');
    for (const variable of configVariables) {
      let above = lines.findIndex((line) => line.startsWith(`${variable}=`)) - 1;
      while (above >= 0 && /^[A-Z_]+=/.test(lines[above] ?? '')) above -= 1;
      expect(lines[above]?.startsWith('# '), `${variable} has a comment`).toBe(true);
    }
  });
});
