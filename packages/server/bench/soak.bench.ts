/**
 * `pnpm bench soak [--minutes 10] [--rate 8]`: the compose topology without containers — two
 * `api` and two `worker` processes of `sdr serve` on a fresh database of the PostgreSQL named by
 * `DATABASE_URL` (default the local server) and the Redis of `REDIS_URL` (default the local one) —
 * under a steady load for `--minutes` (fractions allowed), spread over both APIs:
 *
 * - leads writing in through `POST /v1/sandbox/inbound` (the built-in agent answers them);
 * - leads answered and left silent (`POST /v1/leads`, then an outbound message), whose follow-ups
 *   the workers send as the sandbox clock moves (`POST /v1/sandbox/clock/advance` with the
 *   operator key every `--advance-seconds`, 31 minutes each time);
 * - bookings (`GET /v1/slots` for a lead, then `POST /v1/leads/{id}/appointments`; a slot taken
 *   meanwhile is a 409 and counted apart);
 * - billing imports (`POST /v1/billing/imports`) of invoices due on the tenant's current date,
 *   whose first reminder the workers send at once (the tenant's billing send time is set to 00:00).
 *
 * `--rate` operations start per second whatever the answers' latency (an open loop), as long as
 * fewer than `--max-in-flight` (32) are unanswered: a slot that finds that many is skipped and
 * counted (the servers were saturated — the machine busy, or the rate above what they sustain),
 * so an overload shows as skipped slots instead of a backlog growing without bound. A request
 * unanswered after `--request-timeout-seconds` (30) is a failed one. The first quarter of the run
 * (at most 60 s) is the warm-up: throughput and p99 are measured after it, and each process's RSS
 * (`VmRSS` of `/proc/<pid>/status`) is read at its end and at the end of the load. `errors`
 * counts 5xx answers and failed requests over the whole run.
 *
 * After the load the clock moves once more and the workers drain what is due, for at most
 * `--drain-seconds` (180). Every wait of the end of the run is bounded, and stderr says what it
 * waits for (progress lines stamped with the seconds since the start). Then:
 * `lost` counts inbounds whose message is not stored, leads that wrote in and got no reply, due
 * messages that were not sent (still pending, sending or failed) and messages marked sent that the
 * channel never accepted; `duplicated` counts sends of an idempotency key the channel had already
 * accepted (the sandbox channel answers a repeated key without a new row, so the sends counted on
 * every process's `/metrics` are compared with the channel's rows) and scheduled messages recorded
 * on the conversation more than once.
 *
 * Last line: `soak: minutes=<n> rps=<x> p99_ms=<x> errors=<n> lost=<n> duplicated=<n> rss_growth_pct=<x>`
 * (the largest growth of the four processes).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { serveProcess, type ServeProcess } from '../src/runtime/__fixtures__/serve-process.js';
import { createRequester, isRunning, progress, rssOf, sleep, stopAll, sumOf, type Sample } from './soak-support.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '8' },
    'advance-seconds': { type: 'string', default: '15' },
    'drain-seconds': { type: 'string', default: '180' },
    'request-timeout-seconds': { type: 'string', default: '30' },
    'max-in-flight': { type: 'string', default: '32' },
  },
});

/** A positive number from option `name`, or a clear exit. */
function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number (got ${JSON.stringify(text)})`);
    process.exit(2);
  }
  return value;
}

const minutes = positive('minutes', values.minutes);
const rate = positive('rate', values.rate);
const advanceSeconds = positive('advance-seconds', values['advance-seconds']);
const drainSeconds = positive('drain-seconds', values['drain-seconds']);
const requestTimeoutMs = positive('request-timeout-seconds', values['request-timeout-seconds']) * 1000;
const maxInFlight = positive('max-in-flight', values['max-in-flight']);
const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const runMs = minutes * 60_000;
const warmUpMs = Math.min(60_000, runMs / 4);
const operatorKey = randomBytes(24).toString('hex');

let conflicts = 0;
const { call, typed, samples, failures, awaitingAnswer } = createRequester(requestTimeoutMs);

async function main(): Promise<void> {
  const name = `sdr_bench_soak_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // A verification query that would run for minutes fails the run instead of stalling it.
  const db = new pg.Pool({ connectionString: url.toString(), max: 2, statement_timeout: 120_000 });
  // The database is dropped WITH (FORCE) at the end: a connection it ends is expected.
  db.on('error', () => undefined);
  const processes: ServeProcess[] = [];
  try {
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      SDR_WORKER_PORT: '0',
      SDR_OPERATOR_KEY: operatorKey,
      SDR_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SDR_LOG_LEVEL: 'warn',
      SDR_RATE_LIMIT_PER_MINUTE: '1000000',
      SDR_DISPATCH_POLL_MS: '250',
      SDR_DISPATCH_PACING_MS: '0',
      SDR_AGENT_DEBOUNCE_MS: '500',
      SDR_SHUTDOWN_DEADLINE_MS: '10000',
      // Follow-ups are due at whatever hour the bench runs: business hours would hold them till morning.
      SDR_DEMO_ALWAYS_OPEN: 'true',
    };
    // The first API creates the demo tenant and prints its key once; the others find it.
    const first = await serveProcess('api', env);
    processes.push(first);
    const key = /API key \(shown once[^)]*\): (\S+)/.exec(first.output())?.[1];
    if (key === undefined) throw new Error(`the first api printed no demo key:\n${first.output()}`);
    processes.push(...(await Promise.all([serveProcess('api', env), serveProcess('worker', env), serveProcess('worker', env)])));
    const apis = [processes[0]!.url, processes[1]!.url];
    const workers = processes.slice(2);
    console.log(`soak: ${minutes} min at ${rate} operations/s on 2 api (${apis.join(', ')}) + 2 worker, PostgreSQL ${url.host}/${name}`);

    // Billing reminders go out on their day at the tenant's send time. At 00:00, a cycle due on the
    // tenant's current date has its D0 reminder due at once: the workers send billing during the run,
    // not only the day after it.
    const tenants = await typed<{ items: ({ id: string; timeZone: string; billing: object } & Record<string, unknown>)[] }>(
      apis[0]!,
      operatorKey,
      'GET',
      '/v1/tenants',
    );
    const tenant = tenants.body?.items[0];
    if (tenant === undefined) throw new Error('GET /v1/tenants listed no demo tenant');
    const { id: tenantId, createdAt: _created, updatedAt: _updated, version: _version, ...settings } = tenant;
    const billingAtMidnight = await call(apis[0]!, operatorKey, 'PUT', `/v1/tenants/${tenantId}`, {
      ...settings,
      billing: { ...tenant.billing, sendTime: '00:00' },
    });
    if (billingAtMidnight.status !== 200) throw new Error(`PUT /v1/tenants/:id answered ${billingAtMidnight.status}`);
    const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: tenant.timeZone });

    const inbounds: { leadId: string; messageId: string }[] = [];
    let clockNow = new Date();
    const refreshClock = async () => {
      const answer = await typed<{ now: string }>(apis[0]!, key, 'GET', '/v1/sandbox/clock');
      if (answer.body !== null) clockNow = new Date(answer.body.now);
    };
    const advance = async () => {
      await call(apis[1]!, operatorKey, 'POST', '/v1/sandbox/clock/advance', { minutes: 31 });
      await refreshClock();
    };
    await refreshClock();

    let sequence = 0;
    /** One operation of the mix, on the API `index` picks. */
    const operation = async (index: number) => {
      // Every kind alternates between the APIs: `index % 2` alone sent each booking (kind 8) to the first and each import (9) to the second.
      const api = apis[(index + Math.floor(index / 10)) % 2]!;
      const phone = `+55119${String(60_000_000 + index)}`;
      const kind = index % 10;
      if (kind < 5) {
        const answer = await typed<{ leadId: string; messageId: string }>(api, key, 'POST', '/v1/sandbox/inbound', {
          from: phone,
          text: `Oi! Quero saber mais sobre o plano (${index})`,
          name: `Lead ${index}`,
        });
        if (answer.body !== null) inbounds.push({ leadId: answer.body.leadId, messageId: answer.body.messageId });
      } else if (kind < 8) {
        const lead = await typed<{ id: string }>(api, key, 'POST', '/v1/leads', { phone, name: `Lead ${index}` });
        if (lead.body === null) return;
        await call(api, key, 'POST', `/v1/leads/${lead.body.id}/messages`, {
          direction: 'outbound',
          body: 'Olá! Posso te mostrar como funciona?',
        });
      } else if (kind < 9) {
        const lead = await typed<{ id: string }>(api, key, 'POST', '/v1/leads', { phone, name: `Lead ${index}` });
        if (lead.body === null) return;
        const slots = await typed<{ items: { start: string }[] }>(api, key, 'GET', `/v1/slots?leadId=${lead.body.id}&limit=5`);
        const slot = slots.body?.items[index % Math.max(1, slots.body.items.length)];
        if (slot === undefined) return;
        const booked = await call(api, key, 'POST', `/v1/leads/${lead.body.id}/appointments`, { start: slot.start, actor: 'lead' });
        if (booked.status === 409) conflicts += 1;
      } else {
        // Due today (the tenant's date): its D0 reminder is sent now, D+3 stays scheduled.
        const due = localDate.format(clockNow);
        await call(api, key, 'POST', '/v1/billing/imports', {
          items: [
            {
              externalBillingId: `INV-${name}-${index}`,
              customer: { name: `Cliente ${index}`, phone },
              amount: 19_900,
              currency: 'BRL',
              dueDate: due,
            },
          ],
        });
      }
    };

    const started = performance.now();
    const warmUpEnd = started + warmUpMs;
    const end = started + runMs;
    const inFlight = new Set<Promise<void>>();
    let nextAdvance = started + advanceSeconds * 1000;
    let rssStart: number[] | null = null;
    // Each process's RSS every 30 s after the warm-up: a leak keeps growing to the end, a heap
    // reaching its working size levels off.
    const rssAfterWarmUp: number[][] = [];
    const intervalMs = 1000 / rate;
    let nextReport = started + 30_000;
    // The schedule: operation slot `tick` is due at `started + tick * intervalMs`. A slot that finds
    // `--max-in-flight` operations still unanswered is skipped rather than queued: the servers are
    // saturated, and piling more on would only grow a backlog (and the end of the run waiting for it).
    let tick = 0;
    let skipped = 0;
    const operations = new Set<Promise<void>>();
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextReport) {
        nextReport += 30_000;
        const errorsSoFar = samples.filter((sample) => sample.status === 0 || sample.status >= 500).length;
        const rss = processes.map(rssOf);
        if (now >= warmUpEnd) rssAfterWarmUp.push(rss);
        progress(
          `load: ${sequence} operations started, ${skipped} skipped, ${samples.length} answers, ${errorsSoFar} errors, ${awaitingAnswer()}; ` +
            `rss_mb ${rss.map((bytes) => (bytes / 1024 / 1024).toFixed(0)).join(' ')}`,
        );
      }
      if (rssStart === null && now >= warmUpEnd) rssStart = processes.map(rssOf);
      if (now >= nextAdvance) {
        nextAdvance += advanceSeconds * 1000;
        const moving = advance();
        inFlight.add(moving);
        void moving.finally(() => inFlight.delete(moving));
      }
      tick += 1;
      if (operations.size >= maxInFlight) skipped += 1;
      else {
        const running = operation(sequence++);
        operations.add(running);
        inFlight.add(running);
        void running.finally(() => {
          operations.delete(running);
          inFlight.delete(running);
        });
      }
      // Always yields, even behind schedule: late slots are not started in one burst.
      await sleep(Math.max(0, started + tick * intervalMs - performance.now()));
    }
    progress(`load done: waiting for the operations in flight (${awaitingAnswer()})`);
    const waiting = Promise.all(inFlight);
    const reporting = setInterval(() => progress(`waiting for the operations in flight: ${awaitingAnswer()}`), 5000);
    await waiting.finally(() => clearInterval(reporting));
    const loadEnded = performance.now();
    rssStart ??= processes.map(rssOf);
    const rssEnd = processes.map(rssOf);

    // Everything scheduled up to now becomes due; the workers drain it.
    await advance();
    // Due and not sent yet, by kind and status: what the drain waits for.
    const pendingDue = async () =>
      (
        await db.query<{ kind: string; status: string; n: string }>(
          `SELECT kind, status, count(*) AS n FROM sdr.scheduled_messages WHERE status IN ('pending', 'sending') AND due_at <= $1
           GROUP BY kind, status ORDER BY kind, status`,
          [clockNow],
        )
      ).rows;
    const drainStarted = performance.now();
    progress(`drain: the workers send what is due (at most ${drainSeconds} s)`);
    let nextDrainReport = 0;
    for (;;) {
      const due = await pendingDue();
      if (due.length === 0) break;
      if (performance.now() - drainStarted >= drainSeconds * 1000) {
        progress(`drain: gave up after ${drainSeconds} s; still due: ${due.map((row) => `${row.n} ${row.kind} ${row.status}`).join(', ')}`);
        break;
      }
      if (performance.now() >= nextDrainReport) {
        nextDrainReport = performance.now() + 5000;
        progress(`drain: waiting for ${due.map((row) => `${row.n} ${row.kind} ${row.status}`).join(', ')}`);
      }
      await sleep(500);
    }
    progress(`drain done in ${((performance.now() - drainStarted) / 1000).toFixed(1)} s; 3 s more for replies the agent is still writing`);
    // Replies the agent is still writing (its debounce and turn) land meanwhile.
    await sleep(3000);

    const scalar = async (text: string, parameters: unknown[] = []) => {
      const queryStarted = performance.now();
      const n = Number((await db.query<{ n: string }>(text, parameters)).rows[0]?.n ?? 0);
      progress(`verify: ${text.replace(/\s+/g, ' ').slice(0, 60)}… = ${n} in ${((performance.now() - queryStarted) / 1000).toFixed(1)} s`);
      return n;
    };
    const inboundIds = inbounds.map((inbound) => inbound.messageId);
    // Ids compared as uuids, and each lead's messages read in one grouped pass: the checks use the
    // indexes and stay linear in the messages (a per-lead scan of all messages grew with the square of the run).
    const storedInbounds = await scalar(`SELECT count(*) AS n FROM sdr.messages WHERE id = ANY($1::uuid[])`, [inboundIds]);
    const leadsWritingIn = [...new Set(inbounds.map((inbound) => inbound.leadId))];
    // A lead that wrote in is answered: an outbound message at or after its last inbound one.
    const unanswered = await scalar(
      `SELECT count(*) AS n FROM unnest($1::uuid[]) AS lead(id)
       LEFT JOIN (
         SELECT lead_id, max(created_at) FILTER (WHERE direction = 'inbound') AS last_in,
                max(created_at) FILTER (WHERE direction = 'outbound') AS last_out
         FROM sdr.messages WHERE lead_id = ANY($1::uuid[]) GROUP BY lead_id
       ) AS latest ON latest.lead_id = lead.id
       WHERE latest.last_in IS NULL OR latest.last_out IS NULL OR latest.last_out < latest.last_in`,
      [leadsWritingIn],
    );
    const dueNotSent = await scalar(
      `SELECT count(*) AS n FROM sdr.scheduled_messages WHERE (status IN ('pending', 'sending') AND due_at <= $1) OR status = 'failed'`,
      [clockNow],
    );
    const sentNotAccepted = await scalar(
      `SELECT count(*) AS n FROM sdr.scheduled_messages s WHERE s.status = 'sent'
       AND NOT EXISTS (SELECT 1 FROM sdr_server.sandbox_messages m WHERE m.idempotency_key = s.id::text)`,
    );
    const lost = inboundIds.length - storedInbounds + unanswered + dueNotSent + sentNotAccepted;

    // Every process's successful sends through the channel, against what the channel accepted.
    progress('verify: scraping /metrics of the 4 processes');
    const scraped = await Promise.all(
      processes.map(async (started) => (await fetch(`${started.url}/metrics`, { signal: AbortSignal.timeout(requestTimeoutMs) })).text()),
    );
    const sendCalls = scraped.reduce(
      (sum, text) => sum + sumOf(text, 'sdr_provider_request_duration_seconds_count', ['operation="sendText"', 'outcome="success"']),
      0,
    );
    const accepted = await scalar('SELECT count(*) AS n FROM sdr_server.sandbox_messages');
    // What the workers sent, by kind (follow-ups, appointment reminders, billing), and the bookings made: each kind of work ran.
    const sentByKind = (
      await db.query<{ kind: string; n: string }>(
        `SELECT kind, count(*) AS n FROM sdr.scheduled_messages WHERE status = 'sent' GROUP BY kind ORDER BY kind`,
      )
    ).rows.map((row) => `${row.kind}=${row.n}`);
    const booked = await scalar(`SELECT count(*) AS n FROM sdr.appointments WHERE calendar_event_id IS NOT NULL`);
    // A scheduled message recorded on the conversation more than once.
    const repeatedMessages = await scalar(
      `SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM sdr.messages WHERE scheduled_message_id IS NOT NULL GROUP BY scheduled_message_id) AS counts`,
    );
    const duplicated = Math.max(0, sendCalls - accepted) + repeatedMessages;
    const sentByWorker = scraped.slice(2).map((text) => sumOf(text, 'sdr_messages_total', ['outcome="sent"']));

    const measured = samples.filter((sample) => sample.at >= warmUpEnd && sample.at < loadEnded);
    const quantile = (of: readonly Sample[], q: number) => {
      const sorted = of.map((sample) => sample.ms).sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    };
    const p99 = quantile(measured, 0.99);
    const rps = measured.length / ((loadEnded - warmUpEnd) / 1000);
    const errors = samples.filter((sample) => sample.status === 0 || sample.status >= 500).length;
    const growth = processes.map((_, index) => ((rssEnd[index]! - rssStart[index]!) / rssStart[index]!) * 100);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

    // A skipped slot found --max-in-flight operations unanswered: the servers were behind the rate.
    console.log(`load     ${sequence} operations started, ${skipped} slots skipped (max_in_flight=${maxInFlight})`);
    console.log(`requests ${samples.length} (after warm-up ${measured.length}), booking conflicts (409) ${conflicts}, non-2xx answers:`);
    for (const [label, count] of failures) console.log(`  ${count} × ${label}`);
    for (const route of [...new Set(measured.map((sample) => sample.route))].sort()) {
      const of = measured.filter((sample) => sample.route === route);
      console.log(
        `route    ${route.padEnd(36)} n=${of.length} p50_ms=${quantile(of, 0.5).toFixed(1)} p99_ms=${quantile(of, 0.99).toFixed(1)}`,
      );
    }
    for (const [index, started] of processes.entries()) {
      // The second half of the load alone: where a leak shows whatever the warm-up's RSS was.
      const trail = [...rssAfterWarmUp.map((rss) => rss[index]!), rssEnd[index]!];
      const half = trail[Math.floor((trail.length - 1) / 2)]!;
      console.log(
        `rss      ${started.role} ${String(started.child.pid)}: ${mb(rssStart[index]!)} MB → ${mb(rssEnd[index]!)} MB (${growth[index]!.toFixed(1)} %), ` +
          `peak ${mb(Math.max(...trail))} MB, second half ${mb(half)} → ${mb(rssEnd[index]!)} MB (${(((rssEnd[index]! - half) / half) * 100).toFixed(1)} %)`,
      );
    }
    // A process that died during the run: its RSS is NaN in the last line, and its last words are here.
    for (const started of processes.filter((process) => !isRunning(process))) {
      console.log(
        `exited   ${started.role} ${String(started.child.pid)} during the run: ${String(started.child.exitCode ?? started.child.signalCode)}`,
      );
      console.error(started.output().slice(-2000));
    }
    console.log(
      `messages inbound=${inboundIds.length} stored=${storedInbounds} leads_writing_in=${leadsWritingIn.length} unanswered=${unanswered} due_not_sent=${dueNotSent} sent_not_accepted=${sentNotAccepted}`,
    );
    console.log(`work     appointments_booked=${booked} sent ${sentByKind.join(' ')}`);
    console.log(
      `channel  send_calls=${sendCalls} accepted=${accepted} repeated_stored=${repeatedMessages} sent_by_workers=${sentByWorker.join('+')} drain_s=${((performance.now() - drainStarted) / 1000).toFixed(1)} ${workers.length} workers`,
    );
    console.log(
      `soak: minutes=${minutes} rps=${rps.toFixed(1)} p99_ms=${p99.toFixed(1)} errors=${errors} lost=${lost} duplicated=${duplicated} rss_growth_pct=${Math.max(...growth).toFixed(1)}`,
    );
  } finally {
    await stopAll(processes);
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    progress('done');
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
