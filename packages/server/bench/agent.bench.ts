/**
 * `pnpm bench agent [--turns 300] [--concurrency 8] [--tools]`
 *
 * Turns per second and the agent's own overhead per turn — everything but the model: loading the
 * lead, its history and meeting, the persona, the prompt, the tools, the lock, sending and
 * recording the reply, the lead's offered slots and the turn — with a zero-latency mock model, on
 * real PostgreSQL (`DATABASE_URL`, default the local server; a throw-away database) as the server
 * runs it: the PostgreSQL lock, the server's SQL turn store and its cached agent settings. Each
 * turn answers one new lead's
 * message; with `--tools` the model first calls `find_slots` (one more model step and a
 * calendar read). Prints:
 *
 *   agent-turns: turns=<n> concurrency=<n> turns_per_s=… overhead_p50_ms=… overhead_p99_ms=… (goal p99 ≤ 25 ms)
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAgent } from '@sdr/agent';
import { createScriptedModel, type ScriptStep } from '@sdr/agent/testing';
import {
  BookingService,
  createConversationService,
  createDomainEvents,
  createFollowUpService,
  createHandoffService,
  systemClock,
  tenantSchema,
} from '@sdr/core';
import { createInMemoryCalendar, createInMemoryMessaging, percentile } from '@sdr/core/testing';
import { createPostgresLock, createPostgresStore, migrate, openDatabase } from '@sdr/store-postgres';
import pg from 'pg';
import { createAgentSettingsStore } from '../src/agent/agent-settings-store.js';
import { createPostgresTurnStore } from '../src/agent/postgres-turn-store.js';
import { migrateServer } from '../src/database/server-database.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    tools: { type: 'boolean', default: false },
  },
});
const turns = Number(values.turns);
const concurrency = Number(values.concurrency);

const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sdr_bench_agent_${randomUUID().slice(0, 8)}`;
const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: concurrency + 4 });

try {
  await migrate({ db: pool });
  await migrateServer(pool);
  const database = openDatabase(pool);
  const clock = systemClock;
  const store = createPostgresStore({ db: pool, clock });
  const lock = createPostgresLock({ db: pool, clock });
  const calendar = createInMemoryCalendar({ clock });
  const messaging = createInMemoryMessaging({ clock });
  const events = createDomainEvents();
  const followUp = createFollowUpService({ store, clock, events });
  const booking = new BookingService({ store, calendar, lock, clock, observers: [followUp], events });
  const conversation = createConversationService({ store, clock, followUp, events });
  const handoff = createHandoffService({ store, clock, followUp, events });
  const now = clock.now();
  const tenant = await store.tenants.create(
    tenantSchema.parse({ id: randomUUID(), name: 'Bench', timeZone: 'America/Sao_Paulo', createdAt: now, updatedAt: now, version: 0 }),
  );
  // Zero latency: each model call answers at once. With --tools, a find_slots step comes first.
  const step: ScriptStep = (options) =>
    values.tools && options.prompt.at(-1)?.role === 'user'
      ? { toolCalls: [{ toolName: 'find_slots', input: {} }] }
      : { text: 'Olá! Como posso ajudar?' };
  const model = createScriptedModel(Array.from({ length: turns * 2 + 10 }, () => step));
  const turnStore = createPostgresTurnStore({ db: database });
  const settings = createAgentSettingsStore({ db: database, clock });
  await settings.set(tenant.id, { questions: [{ field: 'team_size', question: 'Quantas pessoas?' }] });
  const agent = createAgent({
    store,
    services: { booking, conversation, handoff },
    messaging,
    lock,
    clock,
    turns: turnStore,
    modelFor: () => model,
    settingsFor: settings.settingsFor,
  });

  const leadIds: string[] = [];
  for (let index = 0; index < turns; index += 1) {
    const result = await conversation.recordInbound({
      tenant,
      from: `+55119${String(70_000_000 + index)}`,
      providerMessageId: randomUUID(),
      body: 'oi, quero saber mais',
    });
    if (result.outcome === 'recorded') leadIds.push(result.lead.id);
  }
  // Warm-up (JIT, connections, prepared plans) on a few leads, not counted.
  const warm = leadIds.splice(0, Math.min(20, leadIds.length));
  for (const leadId of warm) await agent.runNow({ tenantId: tenant.id, leadId });

  const overheads: number[] = [];
  let failed = 0;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < leadIds.length) {
        const leadId = leadIds[next] ?? '';
        next += 1;
        const turn = await agent.runNow({ tenantId: tenant.id, leadId });
        if (turn?.outcome !== 'replied') failed += 1;
        else overheads.push(turn.totalMs - turn.modelMs);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  overheads.sort((a, b) => a - b);
  const format = (value: number) => value.toFixed(2);
  console.log(
    `agent-turns: turns=${String(leadIds.length)} concurrency=${String(concurrency)} tools=${String(values.tools)} failed=${String(failed)} ` +
      `turns_per_s=${(leadIds.length / seconds).toFixed(1)} overhead_p50_ms=${format(percentile(overheads, 50))} ` +
      `overhead_p99_ms=${format(percentile(overheads, 99))} (goal p99 ≤ 25 ms)`,
  );
  await agent.close();
  if (failed > 0) process.exitCode = 1;
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
