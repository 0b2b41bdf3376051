/**
 * The sandbox descriptors build the sandbox adapters from an empty configuration and the plugin
 * deps — on PGlite and PostgreSQL: the CRM is the tenant's own board and paces itself with the
 * deps' limiter.
 */
import { randomUUID } from 'node:crypto';
import {
  PhoneNumber,
  ValidationError,
  VirtualClock,
  calendarEventIdFor,
  noopLogger,
  pluginKinds,
  upsertCrmLead,
  validatePluginConfig,
  type PluginDeps,
} from '@sdr/core';
import { awaitOnVirtualClock, createInMemoryCredentialStore, createInMemoryLock, createInMemoryRateLimiter } from '@sdr/core/testing';
import { buildPhoneNumber } from '@sdr/testkit';
import { expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createSandboxCrm } from './sandbox-crm.js';
import { createSandboxPlugins } from './sandbox-plugins.js';

const start = '2030-01-01T00:00:00.000Z';

function pluginDeps(clock: VirtualClock): PluginDeps & { readonly rateLimiter: ReturnType<typeof createInMemoryRateLimiter> } {
  return {
    tenantId: randomUUID(),
    clock,
    logger: noopLogger,
    lock: createInMemoryLock({ clock }),
    rateLimiter: createInMemoryRateLimiter({ clock }),
    credentials: createInMemoryCredentialStore({ clock }),
  };
}

describeEachDriver('sandbox plugins', (database) => {
  it('one descriptor per kind the sandbox implements, provider sandbox, contract v1', () => {
    const plugins = createSandboxPlugins({ db: database().database });
    expect(Object.values(plugins).map((plugin) => [plugin.kind, plugin.provider, plugin.contractVersion])).toEqual([
      ['crm', 'sandbox', 'v1'],
      ['calendar', 'sandbox', 'v1'],
      ['whatsapp', 'sandbox', 'v1'],
    ]);
    for (const plugin of Object.values(plugins)) expect(pluginKinds).toContain(plugin.kind);
  });

  it('the configuration is empty: {} is valid, any key is a ValidationError naming config', () => {
    const { crm } = createSandboxPlugins({ db: database().database });
    expect(validatePluginConfig(crm, {})).toEqual({});
    let error: unknown;
    try {
      validatePluginConfig(crm, { token: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.isInstance(error) && error.fieldErrors.map((field) => field.field)).toEqual(['config']);
  });

  it('the CRM it builds is the tenant’s own board, pacing itself with the deps’ limiter', async () => {
    const clock = new VirtualClock(start);
    const deps = pluginDeps(clock);
    const crm = await createSandboxPlugins({ db: database().database }).crm.create({}, deps);
    const { lead } = await upsertCrmLead(crm, { phone: PhoneNumber.parse('+5511987650001'), name: 'Plugin Lead' });
    const board = await createSandboxCrm({ db: database().database, clock, account: deps.tenantId }).board({ limit: 10 });
    expect(board.map((card) => card.leadId)).toEqual([lead.leadId]);
    // The account's bucket is the one the CRM took its token from: drained, the next call waits on it.
    expect((await deps.rateLimiter.consume(`crm:sandbox:${deps.tenantId}`, { ratePerSecond: 7, burst: 1 })).allowed).toBe(false);
    let settled = false;
    const listed = crm.listPipelines().finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(await awaitOnVirtualClock(clock, listed)).toHaveLength(1);
  });

  it('the calendar and the channel it builds work on the server’s tables', async () => {
    const clock = new VirtualClock(start);
    const deps = pluginDeps(clock);
    const plugins = createSandboxPlugins({ db: database().database });
    const calendar = await plugins.calendar.create({}, deps);
    const eventId = calendarEventIdFor(randomUUID());
    const event = await calendar.createEvent({
      calendarId: `plugin-${randomUUID()}`,
      eventId,
      start: new Date('2030-01-02T13:00:00Z'),
      end: new Date('2030-01-02T13:30:00Z'),
      summary: 'Plugin meeting',
    });
    expect(event).toMatchObject({ eventId, status: 'confirmed' });
    const whatsapp = await plugins.whatsapp.create({}, deps);
    const sent = await whatsapp.sendText({
      instance: `plugin-${randomUUID()}`,
      to: buildPhoneNumber(),
      text: 'Oi',
      idempotencyKey: randomUUID(),
    });
    expect(sent.providerMessageId.length).toBeGreaterThan(0);
  });
});
