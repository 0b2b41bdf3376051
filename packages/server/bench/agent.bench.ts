/**
 * `pnpm bench agent [--turns 300] [--concurrency 8] [--tools]`
 *
 * Turns per second and the agent's own overhead per turn — everything but the model: loading the
 * lead, its history and meeting, the persona, the prompt, the tools, sending and recording the
 * reply, the lead's offered slots — with a zero-latency mock model, on real PostgreSQL
 * (`DATABASE_URL`, default the local server; a throw-away database) as the server runs it: the
 * PostgreSQL lock, the server's SQL turn store and its cached agent settings. The overhead is a
 * turn's own timing (its `totalMs - modelMs`), taken under the lead's lock and before the turn is
 * recorded: taking and releasing the lock and recording the turn count in the CPU time and the
 * statements below, not in it. Each turn answers one new lead's message; with `--tools` the model
 * first calls `find_slots` (one more model step and a calendar read).
 *
 * One run measures twice, on fresh leads each time (`--turns` turns each):
 * - alone: one turn at a time. This is the agent's own cost, and the figure the goal is about.
 * - loaded: `--concurrency` turns at a time. A turn's overhead then also counts the time it waits
 *   for the others: every turn shares one event loop (and here the machine's cores with
 *   PostgreSQL), so a turn ready to go on waits behind the callbacks and statements of the others
 *   (Little's law: concurrency / turns per second is the wall time of a turn). This figure is the
 *   latency a lead sees under that load, not the work the agent does for it.
 *
 * `cpu_ms_per_turn` is this process's CPU time (user and system) per turn, the mock model's
 * included: the work behind both figures, and the one least moved by other load on the machine.
 * `statements_per_turn` counts the SQL statements of a turn (transaction control included), the
 * lock's and the turn record's too.
 *
 * Prints:
 *
 *   agent-turns: phase=alone turns=<n> concurrency=1 … turns_per_s=… overhead_p50_ms=… overhead_p99_ms=… cpu_ms_per_turn=… statements_per_turn=…
 *   agent-turns: phase=loaded turns=<n> concurrency=<n> … turns_per_s=… overhead_p50_ms=… overhead_p99_ms=… cpu_ms_per_turn=… statements_per_turn=…
 *   agent: overhead_p99_ms=<alone> loaded_p99_ms=<loaded> turns_per_s=<loaded> (goal overhead p99 ≤ 25 ms)
 *
 * It ends with the pool's connections closed before the throw-away database is dropped: `pool.end()`
 * resolves once its clients are told to end, before their connections are gone, and `DROP DATABASE
 * … WITH (FORCE)` would terminate one still closing (an `error` on the pool).
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
const warmUp = 20;

const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `sdr_bench_agent_${randomUUID().slice(0, 8)}`;
const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: concurrency + 4 });
// Connections opened and not yet closed, to wait for after `pool.end()` (see the header).
let openConnections = 0;
let onAllClosed = () => {};
// Statements sent on the pool's connections, to report them per turn.
let statements = 0;
pool.on('connect', (client) => {
  openConnections += 1;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    statements += 1;
    return query(...args);
  }) as typeof client.query;
});
pool.on('remove', () => {
  openConnections -= 1;
  if (openConnections === 0) onAllClosed();
});
const connectionsClosed = () =>
  openConnections === 0
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        onAllClosed = resolve;
      });
// An idle connection that fails is reported, and fails the run, rather than crashing it.
pool.on('error', (error) => {
  console.error(`agent bench: a pooled connection failed: ${error.message}`);
  process.exitCode = 1;
});

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
  const model = createScriptedModel(Array.from({ length: 2 * (2 * turns + warmUp) + 10 }, () => step));
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
  for (let index = 0; index < 2 * turns + warmUp; index += 1) {
    const result = await conversation.recordInbound({
      tenant,
      from: `+55119${String(70_000_000 + index)}`,
      providerMessageId: randomUUID(),
      body: 'oi, quero saber mais',
    });
    if (result.outcome === 'recorded') leadIds.push(result.lead.id);
  }
  // Warm-up (JIT, connections, prepared plans) on a few leads, not counted.
  for (const leadId of leadIds.splice(0, warmUp)) await agent.runNow({ tenantId: tenant.id, leadId });

  /** Answers one turn for each lead, `width` at a time. */
  const measure = async (phase: string, leads: readonly string[], width: number) => {
    const overheads: number[] = [];
    let failed = 0;
    let next = 0;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const statementsBefore = statements;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < leads.length) {
          const leadId = leads[next] ?? '';
          next += 1;
          const turn = await agent.runNow({ tenantId: tenant.id, leadId });
          if (turn?.outcome !== 'replied') failed += 1;
          else overheads.push(turn.totalMs - turn.modelMs);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    overheads.sort((a, b) => a - b);
    const result = {
      failed,
      turnsPerSecond: (leads.length / seconds).toFixed(1),
      p50: percentile(overheads, 50).toFixed(2),
      p99: percentile(overheads, 99).toFixed(2),
      cpuPerTurn: ((cpu.user + cpu.system) / 1000 / leads.length).toFixed(2),
      statementsPerTurn: ((statements - statementsBefore) / leads.length).toFixed(1),
    };
    console.log(
      `agent-turns: phase=${phase} turns=${String(leads.length)} concurrency=${String(width)} tools=${String(values.tools)} ` +
        `failed=${String(failed)} turns_per_s=${result.turnsPerSecond} overhead_p50_ms=${result.p50} overhead_p99_ms=${result.p99} ` +
        `cpu_ms_per_turn=${result.cpuPerTurn} statements_per_turn=${result.statementsPerTurn}`,
    );
    return result;
  };

  const alone = await measure('alone', leadIds.slice(0, turns), 1);
  const loaded = await measure('loaded', leadIds.slice(turns), concurrency);
  console.log(
    `agent: overhead_p99_ms=${alone.p99} loaded_p99_ms=${loaded.p99} turns_per_s=${loaded.turnsPerSecond} (goal overhead p99 ≤ 25 ms)`,
  );
  await agent.close();
  if (alone.failed + loaded.failed > 0) process.exitCode = 1;
} finally {
  await pool.end();
  await connectionsClosed();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
