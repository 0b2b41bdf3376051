/**
 * A tenant, a lead and the follow-up engine on the in-memory store and a virtual clock, with
 * every domain event recorded — the arrangement the service, handler and conversation tests share.
 */
import { randomUUID } from 'node:crypto';
import { PhoneNumber } from '../../identity/phone-number.js';
import { createDomainEvents, type DomainEventName, type DomainEvents } from '../../events/domain-events.js';
import { appointmentSchema, type Appointment } from '../../model/appointment.js';
import type { Lead } from '../../model/lead.js';
import { parseOrThrow } from '../../model/parse.js';
import { tenantSchema, type Tenant, type TenantConfigInput } from '../../model/tenant.js';
import { VirtualClock } from '../../../ports/clock/clock.js';
import { buildLead } from '../../../testing/__fixtures__/entities.js';
import { createInMemoryStore, type InMemoryStore } from '../../../memory/store/in-memory-store.js';
import { createFollowUpService, type FollowUpService } from '../follow-up-service.js';

/** Everything a follow-up test works with. */
export interface FollowUpWorld {
  readonly clock: VirtualClock;
  readonly store: InMemoryStore;
  readonly events: DomainEvents;
  /** Every domain event emitted, in order, as `[name, event]`. */
  readonly heard: Array<readonly [DomainEventName, Record<string, unknown>]>;
  readonly tenant: Tenant;
  readonly lead: Lead;
  readonly followUp: FollowUpService;
}

const listened: readonly DomainEventName[] = [
  'lead.created',
  'lead.opted_out',
  'message.received',
  'message.sent',
  'stage.changed',
  'automation.changed',
  'handoff.requested',
  'handoff.resumed',
  'scheduled.created',
  'scheduled.cancelled',
];

/** A São Paulo tenant (always open unless configured) and one active lead named Ana Souza. */
export async function followUpWorld(
  options: { readonly start?: string; readonly tenant?: Partial<TenantConfigInput>; readonly lead?: Partial<Lead> } = {},
): Promise<FollowUpWorld> {
  const clock = new VirtualClock(options.start ?? '2026-03-02T13:00:00Z');
  const store = createInMemoryStore({ clock });
  const events = createDomainEvents();
  const heard: Array<readonly [DomainEventName, Record<string, unknown>]> = [];
  for (const name of listened) events.on(name, (event: object) => heard.push([name, { ...event }]));
  const now = clock.now();
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme',
      timeZone: 'America/Sao_Paulo',
      createdAt: now,
      updatedAt: now,
      version: 0,
      ...options.tenant,
    }),
  );
  const lead = await store.leads.create(
    buildLead({
      tenantId: tenant.id,
      phone: PhoneNumber.parse('+55 11 98765-4321'),
      name: 'Ana Souza',
      stage: 'qualifying',
      createdAt: now,
      updatedAt: now,
      ...options.lead,
    }),
  );
  const followUp = createFollowUpService({ store, clock, events });
  return { clock, store, events, heard, tenant, lead, followUp };
}

/** Names of the events heard so far. */
export function heardNames(world: Pick<FollowUpWorld, 'heard'>): DomainEventName[] {
  return world.heard.map(([name]) => name);
}

/** A scheduled 30-minute appointment of the world's lead (not stored). */
export function newAppointment(world: Pick<FollowUpWorld, 'clock' | 'tenant' | 'lead'>, start: string): Appointment {
  const startAt = new Date(start);
  return parseOrThrow(appointmentSchema, {
    id: randomUUID(),
    tenantId: world.tenant.id,
    leadId: world.lead.id,
    calendarId: 'primary',
    start: startAt,
    end: new Date(startAt.getTime() + 30 * 60_000),
    status: 'scheduled',
    calendarEventId: null,
    rescheduledFromId: null,
    createdAt: world.clock.now(),
    updatedAt: world.clock.now(),
    version: 0,
  });
}
