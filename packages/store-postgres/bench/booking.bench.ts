/**
 * `pnpm bench booking [--store memory|postgres|pglite] [--attempts 100] [--max-latency-ms 20]
 *                     [--calendar-latency-ms 200]`
 *
 * Booking contention through the real `BookingService`: `--attempts` concurrent `book` calls for
 * one slot, then as many for overlapping slots of different lengths, with every calendar call
 * (and, on the in-memory store, every transaction) delayed by a random 1..max-latency ms on the
 * real clock — or, with `--calendar-latency-ms`, every calendar call by exactly that long (Google
 * answers in about 200 ms). After each scenario one booking alone on the same ports is timed. `--store postgres` runs on real PostgreSQL (`DATABASE_URL`, or the local server; a
 * throw-away database per scenario) with the PostgreSQL lock, where the exclusion constraint —
 * not the lock alone — is what refuses the second booking; `--store pglite` on embedded PGlite.
 * Prints one line per scenario, then the required summary line, which repeats the headline
 * scenario — `--attempts` concurrent bookings of ONE slot, where exactly one must succeed:
 *
 *   booking-contention: attempts=<n> succeeded=<n> conflicts=<n> p50_ms=… p99_ms=… uncontended_ms=…
 *
 * Exits 1 when a scenario had other than exactly one success or left an event without its
 * appointment, or — with `--calendar-latency-ms` — made its losers wait (p99) more than three
 * uncontended bookings: holding the slot in the store first refuses them without waiting for the
 * calendar. The bench lives here rather than in core: core depends on no store.
 */
import { parseArgs } from 'node:util';
import { systemClock, type Clock, type LockPort, type Store } from '@sdr/core';
import {
  createInMemoryCalendar,
  createInMemoryLock,
  createInMemoryStore,
  injectFaults,
  percentile,
  runBookingContention,
  type BookingContentionResult,
  type BookingContentionScenario,
} from '@sdr/core/testing';
import { openPglite } from '../src/database/open-pglite.js';
import { createPostgresLock } from '../src/lock/postgres-lock.js';
import { migrate } from '../src/migrations/migrate.js';
import { createPostgresStore } from '../src/store/postgres-store.js';
import { benchPool, createBenchDatabase } from './bench-support.js';

interface StoreMode {
  readonly store: Store;
  readonly lock: LockPort;
  close(): Promise<void>;
}

type Latency = () => number;

/** How each `--store` is built, with the lock that goes with it. */
const storeModes: Record<string, (clock: Clock, latency: Latency) => Promise<StoreMode>> = {
  memory: (clock, latency) => {
    const { port, faults } = injectFaults(createInMemoryStore({ clock }), { clock });
    // A database round trip per transaction, so that the store is not infinitely fast.
    faults.delay('transaction', latency);
    return Promise.resolve({ store: port, lock: createInMemoryLock({ clock }), close: () => Promise.resolve() });
  },
  postgres: async (clock) => {
    const database = await createBenchDatabase('sdr_bench_booking');
    const pool = benchPool(database.url, 20);
    return {
      store: createPostgresStore({ db: pool, clock }),
      lock: createPostgresLock({ db: pool, clock }),
      close: async () => {
        await pool.end();
        await database.drop();
      },
    };
  },
  pglite: async (clock) => {
    const pglite = await openPglite();
    await migrate({ db: pglite });
    return {
      store: createPostgresStore({ db: pglite, clock }),
      lock: createPostgresLock({ db: pglite, clock }),
      close: () => pglite.close(),
    };
  },
};

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'memory' },
    attempts: { type: 'string', default: '100' },
    'max-latency-ms': { type: 'string', default: '20' },
    'calendar-latency-ms': { type: 'string' },
  },
});
const mode = values.store;
const attempts = Number(values.attempts);
const maxLatencyMs = Number(values['max-latency-ms']);
const calendarLatencyMs = values['calendar-latency-ms'] === undefined ? undefined : Number(values['calendar-latency-ms']);
const buildStore = storeModes[mode];
if (
  buildStore === undefined ||
  !Number.isInteger(attempts) ||
  attempts < 2 ||
  !(maxLatencyMs >= 1) ||
  (calendarLatencyMs !== undefined && !(calendarLatencyMs >= 0))
) {
  console.error(
    `usage: pnpm bench booking [--store ${Object.keys(storeModes).join('|')}] [--attempts N>=2] [--max-latency-ms N>=1] [--calendar-latency-ms N>=0]`,
  );
  process.exit(2);
}

const clock = systemClock;
const latency: Latency = () => 1 + Math.random() * (maxLatencyMs - 1);
const calendarLatency: Latency = calendarLatencyMs === undefined ? latency : () => calendarLatencyMs;
const results: BookingContentionResult[] = [];
for (const scenario of ['same-slot', 'overlapping-slots'] satisfies BookingContentionScenario[]) {
  const storeMode = await buildStore(clock, latency);
  const { port: calendar, faults } = injectFaults(createInMemoryCalendar({ clock }), { clock });
  for (const method of ['freeBusy', 'createEvent', 'getEvent', 'deleteEvent', 'listEvents'] as const) faults.delay(method, calendarLatency);
  try {
    const result = await runBookingContention({
      store: storeMode.store,
      calendar,
      lock: storeMode.lock,
      clock,
      attempts,
      scenario,
      now: () => performance.now(),
      measureUncontended: true,
    });
    results.push(result);
    console.log(
      `booking-contention[${scenario}]: store=${mode} attempts=${result.attempts} succeeded=${result.succeeded} conflicts=${result.conflicts}` +
        ` lock_timeouts=${result.lockTimeouts} failures=${result.failures} orphan_events=${result.orphanEvents}` +
        ` missing_events=${result.missingEvents} p50_ms=${result.p50Ms.toFixed(1)} p99_ms=${result.p99Ms.toFixed(1)}` +
        ` losers_p99_ms=${losersP99(result).toFixed(1)} uncontended_ms=${(result.uncontendedMs ?? 0).toFixed(1)}`,
    );
    for (const message of result.errors) console.log(`  failure: ${message}`);
  } finally {
    await storeMode.close();
  }
}

/** The losers' 99th percentile: what the slowest refused caller waited. */
function losersP99(result: BookingContentionResult): number {
  return percentile(result.conflictLatenciesMs, 99);
}

// The headline is the same-slot scenario: a sum over both scenarios would read `succeeded=2`,
// which looks like a double booking to anyone scanning for the summary line.
const [headline] = results;
if (headline) {
  const latencies = [...headline.latenciesMs].sort((a, b) => a - b);
  console.log(
    `booking-contention: attempts=${headline.attempts} succeeded=${headline.succeeded} conflicts=${headline.conflicts}` +
      ` p50_ms=${percentile(latencies, 50).toFixed(1)} p99_ms=${percentile(latencies, 99).toFixed(1)}` +
      ` uncontended_ms=${(headline.uncontendedMs ?? 0).toFixed(1)}`,
  );
}
const broken = results.some(
  (result) =>
    result.succeeded !== 1 ||
    result.orphanEvents > 0 ||
    result.missingEvents > 0 ||
    result.failures > 0 ||
    // With Google-like latency the losers must not wait for the calendar: hold first refuses them at once.
    (calendarLatencyMs !== undefined && losersP99(result) > 3 * (result.uncontendedMs ?? Infinity)),
);
process.exit(broken ? 1 : 0);
