/**
 * K concurrent attempts at overlapping slots ⇒ exactly one succeeds (SPEC §4.3), with adapter
 * latency randomised on a virtual clock — and still exactly one when the lock does nothing at
 * all, because the store refuses overlapping scheduled appointments by itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotUnavailableError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import type { LockPort } from '../../ports/lock/lock-port.js';
import { runBookingContention, type BookingContentionScenario } from '../../testing/booking/booking-contention.js';
import { createInMemoryCalendar } from '../../testing/calendar/in-memory-calendar.js';
import { injectFaults } from '../../testing/faults/inject-faults.js';
import { createInMemoryLock } from '../../testing/lock/in-memory-lock.js';
import { createInMemoryStore } from '../../testing/store/in-memory-store.js';
import { bookingWorld, saoPaulo, settleWithClock } from './__fixtures__/booking-world.js';

/** A lock that grants every request: the store's invariant is then all that stands. */
const noLock: LockPort = {
  contractVersion: 'v1',
  provider: 'none',
  acquire: (key) => Promise.resolve({ key, owner: crypto.randomUUID(), fencingToken: 1, expiresAt: new Date(8.64e15) }),
  extend: (lease) => Promise.resolve(lease),
  release: () => Promise.resolve(true),
};

/** The in-memory adapters behind randomised latency (a seeded generator keeps runs reproducible). */
function adapters(seed: number, options: { readonly lock?: 'in-memory' | 'none' } = {}) {
  const clock = new VirtualClock('2026-03-02T11:00:00Z');
  const random = fc.sample(fc.integer({ min: 0, max: 20 }), { seed, numRuns: 10_000 });
  let draw = 0;
  const latency = () => random[draw++ % random.length] ?? 0;
  const { port: calendar, faults } = injectFaults(createInMemoryCalendar({ clock }), { clock });
  for (const method of ['freeBusy', 'createEvent', 'getEvent', 'deleteEvent'] as const) faults.delay(method, latency);
  const store = createInMemoryStore({ clock });
  const lock = options.lock === 'none' ? noLock : createInMemoryLock({ clock });
  return { clock, store, calendar, faults, lock };
}

describe.each<BookingContentionScenario>(['same-slot', 'overlapping-slots'])('100 concurrent attempts, %s', (scenario) => {
  it('exactly one succeeds, the others are refused, and no event is left without its appointment', async () => {
    const { clock, ...ports } = adapters(scenario === 'same-slot' ? 1 : 2);
    const result = await settleWithClock(clock, runBookingContention({ ...ports, clock, scenario, attempts: 100 }), 5);
    expect(result).toMatchObject({
      attempts: 100,
      succeeded: 1,
      conflicts: 99,
      lockTimeouts: 0,
      failures: 0,
      orphanEvents: 0,
      missingEvents: 0,
    });
    expect(ports.store.dump().appointments.filter((appointment) => appointment.status === 'scheduled')).toHaveLength(1);
  });

  it('exactly one succeeds without any lock: the store refuses the overlaps and the losers’ events are deleted', async () => {
    const { clock, faults, ...ports } = adapters(scenario === 'same-slot' ? 3 : 4, { lock: 'none' });
    const result = await settleWithClock(clock, runBookingContention({ ...ports, clock, scenario, attempts: 100 }), 5);
    expect(result).toMatchObject({ succeeded: 1, conflicts: 99, failures: 0, orphanEvents: 0, missingEvents: 0 });
    // Every attempt got past free/busy before any had persisted: the store alone settled it.
    expect(faults.calls('createEvent').length).toBeGreaterThan(1);
    expect(faults.calls('deleteEvent')).toHaveLength(faults.calls('createEvent').length - 1);
  });
});

describe('concurrent attempts report alternatives', () => {
  it('every loser gets SlotUnavailableError with free alternatives next to the taken slot', async () => {
    const world = await bookingWorld();
    const leads = [world.lead, world.otherLead];
    const attempts = Promise.allSettled(
      leads.map((lead) =>
        world.service.book({
          tenantId: world.tenant.id,
          leadId: lead.id,
          actor: { kind: 'lead', leadId: lead.id },
          start: saoPaulo(3, '10:00'),
        }),
      ),
    );
    const outcomes = await settleWithClock(world.clock, attempts);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const [loser] = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(SlotUnavailableError.isInstance(loser)).toBe(true);
    expect((loser as SlotUnavailableError).alternatives.map((slot) => slot.start.toISOString())).toEqual([
      saoPaulo(3, '09:30').toISOString(),
      saoPaulo(3, '10:30').toISOString(),
      saoPaulo(3, '09:00').toISOString(),
    ]);
  });
});
