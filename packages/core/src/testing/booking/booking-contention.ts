/**
 * `runBookingContention`: many leads try to book the same time at once through the real
 * `BookingService`, on whatever store, calendar and lock it is given — the in-memory doubles
 * here, PostgreSQL and a real lock elsewhere. Exactly one may succeed; every other attempt must
 * be refused with `SlotUnavailableError`, and no calendar event may be left without its
 * appointment (the consistency check runs afterwards and counts orphans).
 *
 * Two scenarios: `same-slot` (every attempt at one 30-minute slot) and `overlapping-slots`
 * (starts 5 minutes apart, 45 to 120 minutes long, all sharing one instant).
 */
import { LockNotAcquiredError, SlotUnavailableError, classifyError } from '../../errors/index.js';
import { BookingService } from '../../domain/booking/booking-service.js';
import { checkCalendarConsistency } from '../../domain/booking/calendar-consistency.js';
import { PhoneNumber } from '../../domain/identity/phone-number.js';
import { leadSchema, newLead, type Lead } from '../../domain/model/lead.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import { tenantSchema, type Tenant } from '../../domain/model/tenant.js';
import { addLocalDays, localParts, zonedInstant } from '../../domain/time/local-time.js';
import type { CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { LockPort } from '../../ports/lock/lock-port.js';
import type { Store } from '../../ports/repositories/repositories.js';

/** The two contention scenarios. */
export type BookingContentionScenario = 'same-slot' | 'overlapping-slots';

/** Options of `runBookingContention`. */
export interface BookingContentionOptions {
  readonly store: Store;
  readonly calendar: CalendarPort;
  readonly lock: LockPort;
  readonly clock: Clock;
  /** Concurrent `book` calls (default 100). */
  readonly attempts?: number;
  /** Default `same-slot`. */
  readonly scenario?: BookingContentionScenario;
  /** How long an attempt waits for the calendar lock (default 120 s: contention, not lock timeouts, is measured). */
  readonly lockWaitMs?: number;
  /** Also book one slot alone afterwards and time it (`uncontendedMs`; default false). */
  readonly measureUncontended?: boolean;
  /** Milliseconds on a fine-grained clock for latencies (default: `clock.now()`). */
  readonly now?: () => number;
}

/** What happened, attempt by attempt, summed up. */
export interface BookingContentionResult {
  readonly scenario: BookingContentionScenario;
  readonly attempts: number;
  readonly succeeded: number;
  /** Refused with `SlotUnavailableError`. */
  readonly conflicts: number;
  /** Gave up waiting for the lock (`LockNotAcquiredError`). */
  readonly lockTimeouts: number;
  /** Failed any other way; the messages of the first few are in `errors`. */
  readonly failures: number;
  readonly errors: readonly string[];
  /** Latency of each attempt, in milliseconds, sorted. */
  readonly latenciesMs: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Latency of each attempt refused with `SlotUnavailableError`, in milliseconds, sorted. */
  readonly conflictLatenciesMs: readonly number[];
  /**
   * With `measureUncontended`, one booking alone, timed after the contention on the same ports:
   * a free slot a day later, by a lead of its own — what a loser's wait is compared with.
   */
  readonly uncontendedMs: number | null;
  /** Events of ours without a scheduled appointment, after the run. */
  readonly orphanEvents: number;
  /** Scheduled appointments without their event, after the run. */
  readonly missingEvents: number;
}

const minuteMs = 60_000;

/** Runs one scenario on a fresh tenant of `options.store`; see the module comment. */
export async function runBookingContention(options: BookingContentionOptions): Promise<BookingContentionResult> {
  const attempts = options.attempts ?? 100;
  const scenario = options.scenario ?? 'same-slot';
  const now = options.now ?? (() => options.clock.now().getTime());
  const tenant = await options.store.tenants.create(contentionTenant(options.clock.now()));
  const leads: Lead[] = [];
  for (let index = 0; index < attempts; index += 1) leads.push(await options.store.leads.create(contentionLead(tenant, index)));
  const service = new BookingService({
    store: options.store,
    calendar: options.calendar,
    lock: options.lock,
    clock: options.clock,
    lockWaitMs: options.lockWaitMs ?? 120_000,
    lockTtlMs: 60_000,
  });
  const base = zonedInstant(addLocalDays(localParts(options.clock.now(), tenant.timeZone).date, 1), '10:00', tenant.timeZone);
  const outcomes = await Promise.all(
    leads.map(async (lead, index) => {
      const request = requestOf(scenario, base, index);
      const startedAt = now();
      try {
        await service.book({ tenantId: tenant.id, leadId: lead.id, actor: { kind: 'lead', leadId: lead.id }, ...request });
        return { kind: 'succeeded' as const, latencyMs: now() - startedAt };
      } catch (error) {
        const latencyMs = now() - startedAt;
        if (SlotUnavailableError.isInstance(error)) return { kind: 'conflict' as const, latencyMs };
        if (LockNotAcquiredError.isInstance(error)) return { kind: 'lockTimeout' as const, latencyMs };
        return { kind: 'failure' as const, latencyMs, message: classifyError(error).message };
      }
    }),
  );
  const uncontendedMs = options.measureUncontended === true ? await timeOneBooking({ ...options, service, tenant, base, now }) : null;
  const report = await checkCalendarConsistency({
    store: options.store,
    calendar: options.calendar,
    clock: options.clock,
    tenantId: tenant.id,
    calendarId: tenant.booking.calendarId,
    from: new Date(base.getTime() - 3 * 60 * minuteMs),
    to: new Date(base.getTime() + 30 * 60 * minuteMs),
  });
  const latenciesMs = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
  const count = (kind: (typeof outcomes)[number]['kind']) => outcomes.filter((outcome) => outcome.kind === kind).length;
  return {
    scenario,
    attempts,
    succeeded: count('succeeded'),
    conflicts: count('conflict'),
    lockTimeouts: count('lockTimeout'),
    failures: count('failure'),
    errors: outcomes.flatMap((outcome) => (outcome.kind === 'failure' ? [outcome.message] : [])).slice(0, 5),
    latenciesMs,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    conflictLatenciesMs: outcomes.flatMap((outcome) => (outcome.kind === 'conflict' ? [outcome.latencyMs] : [])).sort((a, b) => a - b),
    uncontendedMs,
    orphanEvents: report.orphanEvents.length,
    missingEvents: report.missingEvents.length,
  };
}

/** Books one slot a day after `base` for a lead of its own, and returns how long it took. */
async function timeOneBooking(input: {
  readonly store: Store;
  readonly service: BookingService;
  readonly tenant: Tenant;
  readonly base: Date;
  readonly now: () => number;
  readonly attempts?: number;
}): Promise<number> {
  const lead = await input.store.leads.create(contentionLead(input.tenant, input.attempts ?? 100));
  const startedAt = input.now();
  await input.service.book({
    tenantId: input.tenant.id,
    leadId: lead.id,
    actor: { kind: 'lead', leadId: lead.id },
    start: new Date(input.base.getTime() + 24 * 60 * minuteMs),
    durationMinutes: 30,
  });
  return input.now() - startedAt;
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], rank: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/** Attempt `index`'s slot: all the same, or overlapping ones of different lengths that share 10:25–10:45. */
function requestOf(scenario: BookingContentionScenario, base: Date, index: number): { start: Date; durationMinutes: number } {
  if (scenario === 'same-slot') return { start: base, durationMinutes: 30 };
  const lengths = [45, 60, 90, 120] as const;
  return { start: new Date(base.getTime() + (index % 6) * 5 * minuteMs), durationMinutes: lengths[index % lengths.length] ?? 45 };
}

/** A tenant open around the clock, so that the slot is bookable whatever the day. */
function contentionTenant(now: Date): Tenant {
  return parseOrThrow(tenantSchema, {
    id: globalThis.crypto.randomUUID(),
    name: 'Booking contention',
    timeZone: 'America/Sao_Paulo',
    createdAt: now,
    updatedAt: now,
    version: 0,
  });
}

function contentionLead(tenant: Tenant, index: number): Lead {
  return parseOrThrow(
    leadSchema,
    newLead({
      id: globalThis.crypto.randomUUID(),
      tenantId: tenant.id,
      phone: PhoneNumber.fromE164(`+551199${String(1_000_000 + index).padStart(7, '0')}`),
      name: `Lead ${index + 1}`,
      stage: 'qualifying',
      now: tenant.createdAt,
    }),
  );
}
