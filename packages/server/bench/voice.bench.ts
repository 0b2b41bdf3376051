/**
 * `pnpm bench voice [--turns 1000]`: the server's own time per phone turn — from a caller's final
 * `prompt` leaving a ConversationRelay client to the first `text` token of the reply arriving —
 * against a running server (the PostgreSQL named by `DATABASE_URL` in a database of its own, or
 * the embedded database when none is set), the demo tenant's phone line, and the offline demo
 * model, which answers with no latency of its own. Each turn records the caller's words, reads
 * the conversation, runs the agent with its tools and streams the reply; the transport is a real
 * loopback WebSocket signed like Twilio's. 50 warm-up turns are not counted.
 *
 * `clear_p99_ms` is Media Streams mode's barge-in: from a `SpeechStarted` to Twilio's `clear`
 * (`measureClearLatency`); a build without that mode prints `n/a`.
 *
 * Last line: `voice: turns=<n> p50_ms=<x> p99_ms=<x> clear_p99_ms=<x>`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { noopLogger } from '@sdr/core';
import pg from 'pg';
import { measureClearLatency } from '../../adapter-twilio-voice/bench/voice-media-clear.js';
import { loadConfig } from '../src/runtime/config.js';
import { startServer } from '../src/runtime/start-server.js';
import { dialTwilioPhone } from '../src/voice/twilio-phone.js';

const { values } = parseArgs({ options: { turns: { type: 'string', default: '1000' } } });
const turns = Number(values.turns);
if (!Number.isInteger(turns) || turns < 1) throw new Error('--turns: must be a positive integer');
const warmUp = 50;

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** A database of the bench's own: on the PostgreSQL of `DATABASE_URL`, else embedded in a temporary directory. */
async function openBenchDatabase(): Promise<{ readonly env: Record<string, string>; readonly kind: string; drop(): Promise<void> }> {
  const serverUrl = process.env['DATABASE_URL'];
  if (serverUrl === undefined || serverUrl === '') {
    const directory = await mkdtemp(join(tmpdir(), 'sdr-bench-voice-'));
    return { env: { SDR_DATA_DIR: directory }, kind: 'pglite', drop: () => rm(directory, { recursive: true, force: true }) };
  }
  const name = `sdr_bench_voice_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), SDR_ENCRYPTION_KEY: 'c2RyLXRlc3QtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=' },
    kind: 'postgres',
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const database = await openBenchDatabase();
const driver = database.kind;
const server = await startServer({
  config: loadConfig({
    ...database.env,
    PORT: '0',
    SDR_LOG_LEVEL: 'silent',
    SDR_DISPATCH_POLL_MS: '60000',
    SDR_ALERT_INTERVAL_MS: '600000',
  }),
  logger: noopLogger,
});
const samples: number[] = [];
try {
  const tenantId = server.demo?.tenant.id ?? '';
  const voice = server.composition.voiceFor(tenantId);
  if (voice === null) throw new Error('the demo tenant has no phone line');
  const phone = await dialTwilioPhone({
    serverUrl: server.url ?? '',
    publicBaseUrl: voice.config.publicBaseUrl,
    authToken: voice.config.authToken,
    tenantId,
    from: '+5511933332222',
  });
  for (let turn = 0; turn < warmUp + turns; turn += 1) {
    const from = phone.frames.length;
    const started = performance.now();
    phone.prompt('oi');
    await phone.until((frames) => frames.length > from);
    const firstToken = performance.now() - started;
    await phone.until((frames) => frames.slice(from).some((frame) => frame.type === 'text' && frame.last === true));
    if (turn >= warmUp) samples.push(firstToken);
  }
  await phone.hangUp();
} finally {
  await server.stop();
  await database.drop();
}

let clear = 'n/a';
try {
  clear = (await measureClearLatency()).p99Ms.toFixed(2);
} catch (error) {
  process.stderr.write(`clear latency not measured: ${error instanceof Error ? error.message : String(error)}\n`);
}
const sorted = [...samples].sort((a, b) => a - b);
process.stdout.write(`database: ${driver}\n`);
process.stdout.write(
  `voice: turns=${sorted.length} p50_ms=${percentile(sorted, 50).toFixed(2)} p99_ms=${percentile(sorted, 99).toFixed(2)} clear_p99_ms=${clear}\n`,
);
