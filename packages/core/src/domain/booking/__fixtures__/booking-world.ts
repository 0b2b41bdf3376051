/**
 * A São Paulo tenant (Mon–Fri 09:00–12:00 and 13:00–18:00) with two leads, the in-memory
 * doubles behind fault injection, a recording observer and a recorder of domain events, on a
 * virtual clock set to Monday 2026-03-02 08:00 local time.
 */
import { createDomainEvents, type DomainEventMap, type DomainEventName } from '../../events/domain-events.js';
import type { Appointment } from '../../model/appointment.js';
import type { Lead } from '../../model/lead.js';
import type { Tenant } from '../../model/tenant.js';
import { VirtualClock } from '../../../ports/clock/clock.js';
import type { CalendarPort } from '../../../ports/calendar/calendar-port.js';
import type { LockPort } from '../../../ports/lock/lock-port.js';
import type { Store } from '../../../ports/repositories/repositories.js';
import { buildLead, buildTenant } from '../../../testing/__fixtures__/entities.js';
import { createInMemoryCalendar, type InMemoryCalendar } from '../../../testing/calendar/in-memory-calendar.js';
import { injectFaults, type FaultController } from '../../../testing/faults/inject-faults.js';
import { createInMemoryLock, type InMemoryLock } from '../../../ports/lock/in-memory-lock.js';
import { createInMemoryStore, type InMemoryStore } from '../../../memory/store/in-memory-store.js';
import type { AppointmentChange, AppointmentObserver } from '../appointment-observer.js';
import type { BookingServiceOptions } from '../booking-context.js';
import { BookingService } from '../booking-service.js';

/** Monday 2026-03-02 08:00 in São Paulo (UTC−3). */
export const mondayMorning = '2026-03-02T11:00:00.000Z';

/** The instant of a São Paulo wall-clock time `HH:MM` on a day of March 2026. */
export function saoPaulo(day: number, time: string): Date {
  return new Date(`2026-03-${String(day).padStart(2, '0')}T${time}:00-03:00`);
}

const weekdayHours = (): [string, string][] => [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];

/**
 * An observer that records every change, writes a scheduled message through the transaction and
 * defers an effect past the commit (as the follow-up engine defers its domain events).
 */
export interface RecordingObserver extends AppointmentObserver {
  readonly changes: AppointmentChange[];
  /** One entry per deferred effect that ran; `committed`: the appointment was visible outside the transaction by then. */
  readonly afterCommitRuns: { readonly type: AppointmentChange['type']; readonly committed: boolean }[];
}

/** See `RecordingObserver`; the scheduled message proves the observer's writes share the unit of work. */
export function recordingObserver(store: InMemoryStore): RecordingObserver {
  const changes: AppointmentChange[] = [];
  const afterCommitRuns: RecordingObserver['afterCommitRuns'] = [];
  return {
    changes,
    afterCommitRuns,
    async onAppointmentChange(change, context) {
      changes.push(change);
      context.afterCommit?.(() => {
        const stored = store.dump().appointments.find((appointment) => appointment.id === change.appointment.id);
        afterCommitRuns.push({ type: change.type, committed: stored?.status === change.appointment.status });
      });
      await context.tx.scheduledMessages.schedule({
        tenantId: change.appointment.tenantId,
        leadId: change.appointment.leadId,
        kind: 'reminder_2h',
        dedupeKey: `reminder_2h:${change.appointment.id}:${change.type}`,
        dueAt: new Date(change.appointment.start.getTime() - 2 * 3_600_000),
      });
    },
  };
}

/** An observer that fails, to prove the whole unit rolls back. */
export function throwingObserver(): AppointmentObserver {
  return {
    onAppointmentChange: () => Promise.reject(new Error('observer exploded')),
  };
}

/** A lock that grants every request: the store's invariant is then all that stands. */
export const noLock: LockPort = {
  contractVersion: 'v1',
  provider: 'none',
  acquire: (key) => Promise.resolve({ key, owner: crypto.randomUUID(), fencingToken: 1, expiresAt: new Date(8.64e15) }),
  extend: (lease) => Promise.resolve(lease),
  release: () => Promise.resolve(true),
};

/** Everything a booking test needs. */
export interface BookingWorld {
  readonly clock: VirtualClock;
  readonly store: InMemoryStore;
  /** The store the service uses: `store` behind fault injection. */
  readonly faultyStore: Store;
  readonly storeFaults: FaultController<InMemoryStore>;
  readonly calendar: InMemoryCalendar;
  /** The calendar the service uses: `calendar` behind fault injection. */
  readonly faultyCalendar: CalendarPort;
  readonly calendarFaults: FaultController<InMemoryCalendar>;
  readonly lock: InMemoryLock;
  readonly tenant: Tenant;
  readonly lead: Lead;
  readonly otherLead: Lead;
  readonly observer: RecordingObserver;
  readonly emitted: { readonly name: DomainEventName; readonly event: DomainEventMap[DomainEventName] }[];
  readonly service: BookingService;
  /** A second service over the same ports, with other options. */
  serviceWith(options: Partial<BookingServiceOptions>): BookingService;
}

/** Builds a world; `tenant` overrides the tenant's settings, `booking` some of its booking settings. */
export async function bookingWorld(
  options: { readonly tenant?: Partial<Tenant>; readonly booking?: Partial<Tenant['booking']>; readonly now?: string } = {},
): Promise<BookingWorld> {
  const clock = new VirtualClock(options.now ?? mondayMorning);
  const store = createInMemoryStore({ clock });
  const calendar = createInMemoryCalendar({ clock });
  const lock = createInMemoryLock({ clock });
  const { port: faultyStore, faults: storeFaults } = injectFaults(store, { clock });
  const { port: faultyCalendar, faults: calendarFaults } = injectFaults(calendar, { clock });
  const defaults = buildTenant({
    businessHours: { mon: weekdayHours(), tue: weekdayHours(), wed: weekdayHours(), thu: weekdayHours(), fri: weekdayHours() },
    ...options.tenant,
  });
  const tenant = await store.tenants.create({ ...defaults, booking: { ...defaults.booking, ...options.booking } });
  const lead = await store.leads.create(buildLead({ tenantId: tenant.id, name: 'Maria Silva' }));
  const otherLead = await store.leads.create(buildLead({ tenantId: tenant.id, name: 'João Souza' }));
  const observer = recordingObserver(store);
  const events = createDomainEvents();
  const emitted: BookingWorld['emitted'] = [];
  for (const name of ['appointment.booked', 'appointment.rescheduled', 'appointment.cancelled'] as const) {
    events.on(name, (event) => emitted.push({ name, event }));
  }
  const serviceWith = (overrides: Partial<BookingServiceOptions>) =>
    new BookingService({ store: faultyStore, calendar: faultyCalendar, lock, clock, observers: [observer], events, ...overrides });
  return {
    clock,
    store,
    faultyStore,
    storeFaults,
    calendar,
    faultyCalendar,
    calendarFaults,
    lock,
    tenant,
    lead,
    otherLead,
    observer,
    emitted,
    service: serviceWith({}),
    serviceWith,
  };
}

/** A world where the lead has booked Tuesday 10:00; the observer and event records start empty. */
export async function bookedWorld(): Promise<BookingWorld & { readonly booked: Appointment }> {
  const world = await bookingWorld();
  const { appointment } = await world.service.book({
    tenantId: world.tenant.id,
    leadId: world.lead.id,
    actor: { kind: 'lead', leadId: world.lead.id },
    start: saoPaulo(3, '10:00'),
  });
  world.observer.changes.length = 0;
  world.observer.afterCommitRuns.length = 0;
  world.emitted.length = 0;
  return { ...world, booked: appointment };
}

/** Advances the virtual clock in steps until `promise` settles (lock waiters sleep on it). */
export async function settleWithClock<T>(clock: VirtualClock, promise: Promise<T>, stepMs = 25): Promise<T> {
  // Set by the `finally` below: widened so that TypeScript does not keep it narrowed to `false`.
  let settled = false as boolean;
  const observed = promise.finally(() => {
    settled = true;
  });
  // The outcome is read through `observed` below; this only keeps an early rejection from being unhandled.
  observed.catch(() => undefined);
  for (let steps = 0; !settled && steps < 100_000; steps += 1) await clock.advance(stepMs);
  return observed;
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
