/**
 * The sandbox adapters on a real database (PGlite always, PostgreSQL when `DATABASE_URL` is set):
 * each passes its port's `@sdr/testkit` conformance suite, and what is specific to the sandbox —
 * state shared through the database, the tenant-scoped list of sends, the board, the shared
 * virtual clock — is proven here.
 */
import { randomUUID } from 'node:crypto';
import {
  PhoneNumber,
  ProviderUnavailableError,
  ValidationError,
  VirtualClock,
  addCrmNote,
  getCrmLead,
  maxTagLength,
  moveCrmStage,
  updateCrmLead,
  upsertCrmLead,
} from '@sdr/core';
import { createInMemoryRateLimiter } from '@sdr/core/testing';
import { buildPhoneNumber, expectSdrError, runCalendarConformance, runCrmConformance, runMessagingConformance } from '@sdr/testkit';
import { describe, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { migrateServer, serverMigrations } from '../database/server-database.js';
import { createSandboxCalendar } from './sandbox-calendar.js';
import { createSandboxClock, maxSandboxAdvanceMs } from './sandbox-clock.js';
import { createSandboxCrm } from './sandbox-crm.js';
import { sandboxStageMapping } from './sandbox-crm-pipeline.js';
import { createSandboxMessaging } from './sandbox-messaging.js';

const start = '2030-01-01T00:00:00.000Z';

describeEachDriver('sandbox adapters', (database) => {
  runMessagingConformance({
    name: 'sandbox',
    create: async () => {
      const clock = new VirtualClock(start);
      const messaging = createSandboxMessaging({ db: database().database, clock });
      const unreachableRecipient = buildPhoneNumber();
      const downInstance = `down-${randomUUID()}`;
      await messaging.markNotOnWhatsApp(unreachableRecipient);
      await messaging.setInstanceHealth(downInstance, 'down');
      return { messaging, clock, instance: `sales-${randomUUID()}`, unreachableRecipient, downInstance };
    },
    inspect: {
      deliveries: ({ messaging: _messaging }, idempotencyKey) =>
        database().sql<{ to: string }>('SELECT recipient AS to FROM sdr_server.sandbox_messages WHERE idempotency_key = $1', [
          idempotencyKey,
        ]),
    },
  });

  runCrmConformance({
    name: 'sandbox (an account per test, pacing itself on a virtual clock)',
    create: () => {
      const clock = new VirtualClock(start);
      const customFieldIds = ['budget', 'company'];
      const account = randomUUID();
      const rateLimiter = createInMemoryRateLimiter({ clock });
      const crm = createSandboxCrm({ db: database().database, clock, account, customFieldIds, rateLimiter });
      return { crm, clock, customFieldIds, pacing: { rateLimiter, key: `crm:sandbox:${account}` } };
    },
    inspect: {
      notes: (_subject, leadId) =>
        database().sql<{ idempotencyKey: string }>(
          'SELECT idempotency_key AS "idempotencyKey" FROM sdr_server.sandbox_crm_notes WHERE lead_id = $1::bigint',
          [leadId],
        ),
    },
  });

  runCalendarConformance({
    name: 'sandbox',
    create: () => {
      const clock = new VirtualClock(start);
      return { calendar: createSandboxCalendar({ db: database().database, clock }), clock };
    },
    inspect: {
      eventsWithId: (_subject, calendarId, eventId) =>
        database().sql<{ eventId: string; status: string }>(
          'SELECT event_id AS "eventId", status FROM sdr_server.sandbox_calendar_events WHERE calendar_id = $1 AND event_id = $2',
          [calendarId, eventId],
        ),
    },
  });

  it('migrateServer is idempotent: a process starting on a migrated database applies nothing', async () => {
    const again = await migrateServer(database().db);
    expect(again).toEqual({ applied: [], version: serverMigrations().length });
    const tables = await database().sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'sdr_server' AND table_name LIKE 'sandbox_%' ORDER BY table_name`,
    );
    expect(tables.map((table) => table.table_name)).toEqual([
      'sandbox_calendar_events',
      'sandbox_channel_instances',
      'sandbox_crm_contacts',
      'sandbox_crm_leads',
      'sandbox_crm_notes',
      'sandbox_messages',
      'sandbox_unreachable_numbers',
    ]);
  });

  describe('sandbox messaging', () => {
    it('a second process (another port on the same database) sees the first one’s sends and instance health', async () => {
      const clock = new VirtualClock(start);
      const api = createSandboxMessaging({ db: database().database, clock });
      const worker = createSandboxMessaging({ db: database().database, clock });
      const instance = `shared-${randomUUID()}`;
      const to = buildPhoneNumber();
      const key = randomUUID();
      const sent = await worker.sendText({ instance, to, text: 'Oi! Ainda tem interesse?', idempotencyKey: key });
      expect(await api.list({ instance, limit: 10 })).toEqual([
        expect.objectContaining({
          providerMessageId: sent.providerMessageId,
          idempotencyKey: key,
          to: to.e164,
          text: 'Oi! Ainda tem interesse?',
        }),
      ]);
      await api.setInstanceHealth(instance, 'down', 'unplugged by the operator');
      expect(await worker.health({ instance })).toMatchObject({ status: 'down', detail: 'unplugged by the operator' });
      await expectSdrError(worker.sendText({ instance, to, text: 'again', idempotencyKey: randomUUID() }), ProviderUnavailableError);
      await api.setInstanceHealth(instance, 'up');
      expect((await worker.health({ instance })).status).toBe('up');
    });

    it('list filters by tenant through the store’s scheduled messages, by recipient and by time, newest first', async () => {
      const clock = new VirtualClock(start);
      const messaging = createSandboxMessaging({ db: database().database, clock });
      const instance = `list-${randomUUID()}`;
      const to = buildPhoneNumber();
      const first = await messaging.sendText({ instance, to, text: 'first', idempotencyKey: randomUUID() });
      await clock.advance(60_000);
      await messaging.sendMedia({
        instance,
        to,
        idempotencyKey: randomUUID(),
        media: { contentType: 'application/pdf', data: new Uint8Array([1, 2, 3]), fileName: 'boleto.pdf' },
        caption: 'boleto',
      });
      const listed = await messaging.list({ to, limit: 10 });
      expect(listed.map((message) => message.text)).toEqual(['boleto', 'first']);
      expect(listed[0]?.media).toEqual({ contentType: 'application/pdf', fileName: 'boleto.pdf', size: 3 });
      expect((await messaging.list({ to, after: first.acceptedAt, limit: 10 })).map((message) => message.text)).toEqual(['boleto']);
      expect(await messaging.list({ to, tenantId: randomUUID(), limit: 10 })).toEqual([]);
      await expectSdrError(messaging.list({ limit: 0 }), ValidationError);
    });
  });

  describe('sandbox CRM', () => {
    it('accounts are separate boards: one account’s leads are not found from another', async () => {
      const clock = new VirtualClock(start);
      const acme = createSandboxCrm({ db: database().database, clock, account: `acme-${randomUUID()}` });
      const globex = createSandboxCrm({ db: database().database, clock, account: `globex-${randomUUID()}` });
      const phone = buildPhoneNumber();
      const { lead } = await upsertCrmLead(acme, { phone, name: 'Ana', stage: sandboxStageMapping.qualifying });
      expect(await globex.findLeadByPhone(phone)).toBeNull();
      expect(await getCrmLead(globex, lead.leadId)).toBeNull();
      expect(await globex.board({ limit: 10 })).toEqual([]);
      await expect(updateCrmLead(globex, { leadId: lead.leadId, tagsToAdd: ['x'] })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('counts tag lengths in code points, as the domain does, and declares its limit: 60 emoji fit, 101 code points do not', async () => {
      const clock = new VirtualClock(start);
      const crm = createSandboxCrm({ db: database().database, clock, account: randomUUID() });
      expect(crm.capabilities.maxTagLength).toBe(maxTagLength);
      const { lead } = await upsertCrmLead(crm, { phone: buildPhoneNumber(), name: 'Ana' });
      const emoji = '😀'.repeat(60);
      await updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: [emoji] });
      expect((await getCrmLead(crm, lead.leadId))?.tags).toEqual([emoji]);
      const error = await expectSdrError(updateCrmLead(crm, { leadId: lead.leadId, tagsToAdd: ['😀'.repeat(101)] }), ValidationError);
      expect(error.fieldErrors).toEqual([{ field: 'tagsToAdd.0', message: 'must be at most 100 characters' }]);
    });

    it('the board shows stage names, fields, tags and notes newest first', async () => {
      const clock = new VirtualClock(start);
      const crm = createSandboxCrm({ db: database().database, clock, account: randomUUID() });
      const { lead } = await upsertCrmLead(crm, { phone: PhoneNumber.parse('+5511987654321'), name: 'Bruno', tags: ['whatsapp'] });
      await updateCrmLead(crm, { leadId: lead.leadId, stage: sandboxStageMapping.meeting_scheduled, fields: { company: 'ACME' } });
      await addCrmNote(crm, { leadId: lead.leadId, text: 'first note', idempotencyKey: 'note-1' });
      await clock.advance(1000);
      await addCrmNote(crm, { leadId: lead.leadId, text: 'second note', idempotencyKey: 'note-2' });
      const [card] = await crm.board({ limit: 10 });
      expect(card).toMatchObject({
        leadId: lead.leadId,
        name: 'Bruno',
        phone: '+5511987654321',
        stage: { pipelineId: 'sandbox', statusId: 'meeting_scheduled', name: 'Reunião agendada' },
        fields: { company: 'ACME' },
        tags: ['whatsapp'],
      });
      expect(card?.notes.map((note) => note.text)).toEqual(['second note', 'first note']);
      const error = await expectSdrError(
        moveCrmStage(crm, { leadId: lead.leadId, stage: { pipelineId: 'sandbox', statusId: 'closed' } }),
        ValidationError,
      );
      expect(error.message).toContain('closed');
    });
  });

  describe('sandbox CRM batches', () => {
    it('concurrent upserts of overlapping phones in opposite orders neither deadlock nor duplicate a lead', async () => {
      const clock = new VirtualClock(start);
      const crm = createSandboxCrm({ db: database().database, clock, account: randomUUID() });
      const phones = Array.from({ length: 6 }, () => buildPhoneNumber());
      const [forward, backward] = await Promise.all([
        crm.upsertLeads(phones.map((phone) => ({ phone }))),
        crm.upsertLeads([...phones].reverse().map((phone) => ({ phone }))),
      ]);
      const ids = (results: typeof forward) => results.map((result) => result.lead.leadId);
      expect(ids(forward)).toEqual([...ids(backward)].reverse());
      expect([...forward, ...backward].filter((result) => result.created)).toHaveLength(6);
      expect(await crm.board({ limit: 50 })).toHaveLength(6);
    });
  });

  describe('sandbox clock', () => {
    it('runs ahead of its base by an offset every process shares; advances add up', async () => {
      const base = new VirtualClock(start);
      const schema = `clock_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await database().sql(`CREATE SCHEMA ${schema}`);
      await database().sql(`CREATE TABLE ${schema}.settings (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL)`);
      const api = createSandboxClock({ db: database().database, schema, base });
      const worker = createSandboxClock({ db: database().database, schema, base });
      expect(api.now().toISOString()).toBe(start);
      expect(await api.advance(30 * 60_000)).toBe(30 * 60_000);
      expect(api.now().toISOString()).toBe('2030-01-01T00:30:00.000Z');
      expect(worker.offsetMs).toBe(0);
      await Promise.all([worker.advance(1000), api.advance(2000)]);
      expect(await worker.refresh()).toBe(30 * 60_000 + 3000);
      expect(await api.refresh()).toBe(30 * 60_000 + 3000);
      const [row] = await database().sql<{ value: unknown }>(`SELECT value FROM ${schema}.settings WHERE key = 'sandbox.clock_offset_ms'`);
      expect(Number(row?.value)).toBe(30 * 60_000 + 3000);
    });

    it('a started clock picks up another process’s advance on its next refresh; stop ends the loop', async () => {
      const base = new VirtualClock(start);
      const api = createSandboxClock({ db: database().database, base });
      const worker = createSandboxClock({ db: database().database, base, refreshMs: 500 });
      await worker.start();
      const before = worker.offsetMs;
      await api.advance(5 * 60_000);
      expect(worker.offsetMs).toBe(before);
      await base.advance(500);
      await expect.poll(() => worker.offsetMs).toBe(api.offsetMs);
      await worker.stop();
      await api.advance(60_000);
      await base.advance(2000);
      expect(worker.offsetMs).toBe(api.offsetMs - 60_000);
    });

    it('advance accepts 1 ms to 400 days, and refuses anything else naming ms', async () => {
      const clock = createSandboxClock({ db: database().database, base: new VirtualClock(start) });
      for (const ms of [0, -5, 1.5, maxSandboxAdvanceMs + 1, Number.NaN]) {
        const error = await expectSdrError(clock.advance(ms), ValidationError);
        expect(error.fieldErrors.map((field) => field.field)).toEqual(['ms']);
      }
      expect(() => createSandboxClock({ db: database().database, refreshMs: 0 })).toThrow(/refreshMs/);
    });
  });
});
