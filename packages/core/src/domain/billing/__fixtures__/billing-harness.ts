/**
 * A billing tenant on the in-memory doubles, for the billing tests: store, virtual clock, lock,
 * events (recorded), messaging, the billing and template services, item builders, and the real
 * dispatcher driving the `billing_step` handler.
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../../ports/clock/clock.js';
import { createInMemoryLock } from '../../../ports/lock/in-memory-lock.js';
import { createInMemoryMessaging } from '../../../testing/messaging/in-memory-messaging.js';
import { createInMemoryStore } from '../../../memory/store/in-memory-store.js';
import { injectFaults } from '../../../testing/faults/inject-faults.js';
import { createDispatcher, type Dispatcher } from '../../dispatch/dispatcher.js';
import { createDomainEvents, type DomainEventMap, type DomainEventName } from '../../events/domain-events.js';
import { parseOrThrow } from '../../model/parse.js';
import { tenantSchema, type TenantConfigInput } from '../../model/tenant.js';
import { createTemplateService } from '../../templates/template-service.js';
import { createBillingDispatchHandler } from '../billing-dispatch-handler.js';
import { createBillingService } from '../billing-service.js';

/** Monday 2 March 2026, 09:00 in São Paulo. */
export const mondayMorning = '2026-03-02T12:00:00Z';

/** Mon–Fri 09:00–12:00 and 13:00–18:00. */
export const officeHours: NonNullable<TenantConfigInput['businessHours']> = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => [
    day,
    [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
  ]),
);

/** A recorded domain event. */
export interface RecordedEvent {
  readonly name: DomainEventName;
  readonly event: DomainEventMap[DomainEventName];
}

const recordedEvents: readonly DomainEventName[] = [
  'billing.cycle_created',
  'billing.cycle_paid',
  'billing.cycle_cancelled',
  'billing.cycle_completed',
  'scheduled.created',
  'scheduled.cancelled',
];

/** A fresh tenant (São Paulo, pt-BR, BRL, always open unless `config` says otherwise) and everything around it. */
export async function billingHarness(
  options: { readonly now?: string; readonly tenantId?: string; readonly config?: Partial<TenantConfigInput> } = {},
) {
  const clock = new VirtualClock(options.now ?? mondayMorning);
  const store = createInMemoryStore({ clock });
  const lock = createInMemoryLock({ clock });
  const messaging = createInMemoryMessaging({ clock });
  const events = createDomainEvents();
  const recorded: RecordedEvent[] = [];
  for (const name of recordedEvents) events.on(name, (event: DomainEventMap[DomainEventName]) => recorded.push({ name, event }));
  const tenant = parseOrThrow(tenantSchema, {
    id: options.tenantId ?? randomUUID(),
    name: 'Acme Cobranças',
    timeZone: 'America/Sao_Paulo',
    createdAt: clock.now(),
    updatedAt: clock.now(),
    version: 0,
    ...options.config,
  });
  await store.tenants.create(tenant);
  const billing = createBillingService({ store, clock, lock, events });
  const templates = createTemplateService({ store, clock });
  const handler = createBillingDispatchHandler({ events });

  // The real dispatcher, one per worker id, with the billing handler only; no pacing, so a pass
  // never waits on the virtual clock. Sends go through `channel`, on which faults can be armed.
  const { port: channel, faults } = injectFaults(messaging, { clock });
  const dispatchers = new Map<string, Dispatcher>();
  const dispatchDue = (workerId = 'worker-1') => {
    const dispatcher =
      dispatchers.get(workerId) ??
      createDispatcher({ store, messaging: channel, clock, handlers: [handler], workerId, pacing: false, events, random: () => 0.5 });
    dispatchers.set(workerId, dispatcher);
    return dispatcher.runOnce();
  };

  return { clock, store, lock, messaging, faults, events, recorded, tenant, billing, templates, handler, dispatchDue };
}

let phoneSequence = 0;

/** A fresh São Paulo mobile in national format with the 9th digit, e.g. `(11) 98000-0001`. */
export function nextPhone(): string {
  phoneSequence += 1;
  const digits = String(80_000_000 + phoneSequence);
  return `(11) 9${digits.slice(0, 4)}-${digits.slice(4)}`;
}

/** A valid batch item (due 10 March 2026, R$ 1.234,56); every field overridable. */
export function billingItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalBillingId: `INV-${randomUUID().slice(0, 8)}`,
    customer: { name: 'Ana Souza', phone: nextPhone() },
    amount: 123_456,
    currency: 'BRL',
    dueDate: '2026-03-10',
    ...overrides,
  };
}

/** `count` valid items with distinct ids and phones. */
export function billingItems(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => billingItem({ externalBillingId: `INV-${String(index).padStart(5, '0')}` }));
}
