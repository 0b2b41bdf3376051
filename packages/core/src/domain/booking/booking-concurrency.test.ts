/**
 * K concurrent attempts at overlapping slots ⇒ exactly one succeeds (SPEC §4.3), with adapter
 * latency randomised on a virtual clock — and still exactly one when the lock does nothing at
 * all, because the store refuses overlapping scheduled appointments by itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotUnavailableError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { runBookingContention, type BookingContentionScenario } from '../../testing/booking/booking-contention.js';
import { createInMemoryCalendar } from '../../testing/calendar/in-memory-calendar.js';
import { injectFaults } from '../../testing/faults/inject-faults.js';
import { createInMemoryLock } from '../../ports/lock/in-memory-lock.js';
import { createInMemoryStore } from '../../memory/store/in-memory-store.js';
import { bookingWorld, noLock, saoPaulo, settleWithClock } from './__fixtures__/booking-world.js';

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

  it('exactly one succeeds without any lock: the store refuses the overlapping holds before any calendar write', async () => {
    const { clock, faults, ...ports } = adapters(scenario === 'same-slot' ? 3 : 4, { lock: 'none' });
    const result = await settleWithClock(clock, runBookingContention({ ...ports, clock, scenario, attempts: 100 }), 5);
    expect(result).toMatchObject({ succeeded: 1, conflicts: 99, failures: 0, orphanEvents: 0, missingEvents: 0 });
    // Hold first: the store refused every other hold, so only the winner ever wrote to the calendar.
    expect(faults.calls('createEvent')).toHaveLength(1);
    expect(faults.calls('deleteEvent')).toEqual([]);
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
