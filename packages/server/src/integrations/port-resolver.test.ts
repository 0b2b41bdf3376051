/**
 * The per-tenant resolver: two tenants of one process on two different CRM and calendar
 * accounts — every write lands in its own tenant's account — and a configuration change is used
 * from the next call on, while an unchanged one keeps its port.
 */
import { randomUUID } from 'node:crypto';
import {
  PhoneNumber,
  VirtualClock,
  createDomainEvents,
  definePlugin,
  noopLogger,
  parseOrThrow,
  tenantSchema,
  upsertCrmLead,
  type PluginKind,
  type Tenant,
} from '@sdr/core';
import {
  createInMemoryCalendar,
  createInMemoryCredentialStore,
  createInMemoryCrm,
  createInMemoryLock,
  createInMemoryMessaging,
  createInMemoryRateLimiter,
  createInMemoryStore,
  type InMemoryCalendar,
  type InMemoryCrm,
} from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServerServices } from '../runtime/server-services.js';
import { createPluginRegistry, createTenantPortResolver, type ResolvedConfiguration } from './port-resolver.js';

const weekday = [['09:00', '18:00']] as [string, string][];

function world() {
  const clock = new VirtualClock('2026-03-02T12:00:00Z');
  const accounts = { calendars: new Map<string, InMemoryCalendar>(), crms: new Map<string, InMemoryCrm>() };
  const accountSchema = z.strictObject({ account: z.string().min(1) });
  const calendarOf = (account: string) => {
    const calendar = accounts.calendars.get(account) ?? createInMemoryCalendar({ clock });
    accounts.calendars.set(account, calendar);
    return calendar;
  };
  const crmOf = (account: string) => {
    const crm = accounts.crms.get(account) ?? createInMemoryCrm({ clock, requestsPerSecond: 1000 });
    accounts.crms.set(account, crm);
    return crm;
  };
  const created: string[] = [];
  const plugins = createPluginRegistry([
    definePlugin({
      contractVersion: 'v1',
      kind: 'calendar',
      provider: 'memory',
      displayName: 'Memory calendar',
      configSchema: accountSchema,
      create: (config) => {
        created.push(`calendar:${config.account}`);
        return calendarOf(config.account);
      },
    }),
    definePlugin({
      contractVersion: 'v1',
      kind: 'crm',
      provider: 'memory',
      displayName: 'Memory CRM',
      configSchema: accountSchema,
      create: (config) => {
        created.push(`crm:${config.account}`);
        return crmOf(config.account);
      },
    }),
  ]);
  const configurations = new Map<string, ResolvedConfiguration>();
  const configure = (tenantId: string, kind: PluginKind, account: string, version: number) =>
    configurations.set(`${tenantId}|${kind}`, { provider: 'memory', config: { account }, version });
  const defaults = {
    calendar: createInMemoryCalendar({ clock }),
    crm: createInMemoryCrm({ clock }),
    whatsapp: createInMemoryMessaging({ clock }),
  };
  const lock = createInMemoryLock({ clock });
  const resolver = createTenantPortResolver({
    plugins,
    configurationOf: (tenantId, kind) => configurations.get(`${tenantId}|${kind}`) ?? null,
    defaults: { crm: () => defaults.crm, calendar: () => defaults.calendar, whatsapp: () => defaults.whatsapp },
    depsFor: (tenantId) => ({
      tenantId,
      clock,
      logger: noopLogger,
      lock,
      rateLimiter: createInMemoryRateLimiter({ clock }),
      credentials: createInMemoryCredentialStore({ clock }),
    }),
  });
  const store = createInMemoryStore({ clock });
  const events = createDomainEvents();
  const services = createServerServices({ store, calendar: resolver.calendarFor, lock, clock, events });
  const seed = async (name: string): Promise<Tenant> => {
    const now = clock.now();
    return store.tenants.create(
      parseOrThrow(tenantSchema, {
        id: randomUUID(),
        name,
        timeZone: 'America/Sao_Paulo',
        businessHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
        createdAt: now,
        updatedAt: now,
        version: 0,
      }),
    );
  };
  return { clock, accounts, created, configure, defaults, resolver, services, seed };
}

describe('the tenant port resolver', () => {
  it('two tenants on two calendar and CRM accounts: each booking and each CRM write lands in its own tenant’s account', async () => {
    const w = world();
    const [acme, globex] = [await w.seed('Acme'), await w.seed('Globex')];
    w.configure(acme.id, 'calendar', 'acme-google', 1);
    w.configure(acme.id, 'crm', 'acme-kommo', 1);
    w.configure(globex.id, 'calendar', 'globex-google', 1);
    w.configure(globex.id, 'crm', 'globex-kommo', 1);
    const bookFor = async (tenant: Tenant, phone: string) => {
      const inbound = await w.services.conversation.recordInbound({
        tenant,
        from: PhoneNumber.parse(phone),
        channel: 'whatsapp',
        providerMessageId: randomUUID(),
        body: 'Oi',
        at: w.clock.now(),
      });
      if (inbound.outcome !== 'recorded') throw new Error(inbound.outcome);
      await upsertCrmLead(w.resolver.crmFor(tenant), { phone: PhoneNumber.parse(phone), name: tenant.name });
      return w.services.booking.book({
        tenantId: tenant.id,
        leadId: inbound.lead.id,
        actor: { kind: 'operator' },
        start: new Date('2026-03-03T13:00:00Z'),
      });
    };
    const acmeBooking = await bookFor(acme, '+5511987650001');
    const globexBooking = await bookFor(globex, '+5511987650002');

    const eventIds = (account: string) => (w.accounts.calendars.get(account)?.allEvents('primary') ?? []).map((event) => event.eventId);
    expect(eventIds('acme-google')).toEqual([acmeBooking.appointment.calendarEventId]);
    expect(eventIds('globex-google')).toEqual([globexBooking.appointment.calendarEventId]);
    // The same hour, booked by both: neither tenant's calendar blocked the other.
    expect(acmeBooking.appointment.start).toEqual(globexBooking.appointment.start);
    expect(
      w.accounts.crms
        .get('acme-kommo')
        ?.leads()
        .map((lead) => lead.name),
    ).toEqual(['Acme']);
    expect(
      w.accounts.crms
        .get('globex-kommo')
        ?.leads()
        .map((lead) => lead.name),
    ).toEqual(['Globex']);
    expect(w.defaults.calendar.allEvents('primary')).toEqual([]);
    expect(w.defaults.crm.leads()).toEqual([]);
  });

  it('caches a port per tenant and configuration version; a new version is built on its next use', async () => {
    const w = world();
    const tenant = await w.seed('Acme');
    expect(w.resolver.calendarFor(tenant.id)).toBe(w.defaults.calendar);
    w.configure(tenant.id, 'calendar', 'first', 1);
    const first = w.resolver.calendarFor(tenant.id);
    expect(w.resolver.calendarFor(tenant.id)).toBe(first);
    expect(w.created).toEqual(['calendar:first']);
    w.configure(tenant.id, 'calendar', 'second', 2);
    expect(w.resolver.calendarFor(tenant.id)).toBe(w.accounts.calendars.get('second'));
    expect(w.created).toEqual(['calendar:first', 'calendar:second']);
  });

  it('a configured provider the server has no plugin for is a ProviderUnavailableError naming it', async () => {
    const w = world();
    const tenant = await w.seed('Acme');
    w.configure(tenant.id, 'whatsapp', 'x', 1);
    expect(() => w.resolver.messagingFor(tenant.id)).toThrow(/no plugin of kind whatsapp is named memory/);
  });
});
