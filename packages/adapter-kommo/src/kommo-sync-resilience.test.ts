/**
 * A Kommo that answers 429 for a minute, or is down for an hour, loses nothing: the core's sync
 * worker, through this adapter, lands every change afterwards — in order, once — on the fake.
 */
import { VirtualClock } from '@sdr/core';
import { awaitOnVirtualClock, createInMemoryRateLimiter } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { useFakeKommo } from './__fixtures__/msw-kommo.js';
import { kommoFieldMapping, kommoSyncWorld, type KommoSyncWorld } from './__fixtures__/kommo-sync-world.js';
import { noteKeyOf } from './map-kommo-lead.js';
import type { FakeKommo, FakeKommoFault } from './testing/index.js';

const clock = new VirtualClock('2030-01-01T12:00:00.000Z');
const fake = useFakeKommo({ clock });

async function world(): Promise<KommoSyncWorld> {
  return kommoSyncWorld({ fake, baseUrl: fake.baseUrl, clock, rateLimiter: createInMemoryRateLimiter({ clock }) });
}

/** Runs passes for `durationMs` of virtual time (a pass, then the clock to the next timer or a second on). */
async function runFor(w: KommoSyncWorld, durationMs: number): Promise<void> {
  const end = clock.now().getTime() + durationMs;
  while (clock.now().getTime() < end) {
    await awaitOnVirtualClock(clock, w.worker.runOnce());
    await clock.advance(Math.min(5_000, Math.max(1, end - clock.now().getTime())));
  }
}

/** Passes until the outbox is drained (with the clock moving past every backoff). */
async function drain(w: KommoSyncWorld): Promise<void> {
  for (let pass = 0; pass < 500; pass += 1) {
    await awaitOnVirtualClock(clock, w.worker.runOnce());
    const pending = w.store.dump().outbox.filter((entry) => entry.status !== 'done' && entry.status !== 'dead');
    if (pending.length === 0) return;
    await clock.advance(60_000);
  }
  throw new Error('the outbox never drained');
}

/** Three leads with a stage, fields, a tag and two notes each, the second stage after the first. */
async function changes(w: KommoSyncWorld) {
  const leads = [];
  for (let index = 0; index < 3; index += 1) leads.push(await w.newLead(`+55 11 9${String(71000000 + index)}`, `Lead ${index}`));
  for (const [index, lead] of leads.entries()) {
    await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'crm_stage_changed', to: 'qualifying' } });
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 1000 + index, city: 'Recife' } });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['hot'] });
    await w.addNote(lead.id, `first-${index}`, `Primeira nota ${index}`);
    await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'crm_stage_changed', to: 'meeting_scheduled' } });
    await w.addNote(lead.id, `second-${index}`, `Segunda nota ${index}`);
  }
  return leads;
}

function expectLanded(kommo: FakeKommo): void {
  const leads = [...kommo.leads.values()];
  expect(leads).toHaveLength(3);
  for (const lead of leads) {
    expect(lead.status_id).toBe(70013);
    expect(lead.tags).toEqual(['hot']);
    expect(lead.custom_fields_values.map((field) => field.field_id).sort()).toEqual(Object.values(kommoFieldMapping).map(Number).sort());
    const keys = kommo.notes.filter((note) => note.entity_id === lead.id).map((note) => noteKeyOf(note.text));
    expect(keys.map((key) => key?.split('-')[0])).toEqual(['first', 'second']);
  }
  expect(new Set(kommo.notes.map((note) => noteKeyOf(note.text))).size).toBe(kommo.notes.length);
}

async function survives(fault: FakeKommoFault, durationMs: number): Promise<void> {
  const w = await world();
  await changes(w);
  fake.setOutage(fault);
  await runFor(w, durationMs);
  expect(fake.leads.size).toBe(0);
  fake.setOutage(null);
  await drain(w);
  expectLanded(fake);
}

describe('nothing is lost', () => {
  it('while Kommo answers 429 (HTML body) for a minute', async () => {
    await survives({ kind: 'respond', status: 429, raw: '<html>Too Many Requests</html>' }, 60_000);
  }, 60_000);

  it('while Kommo is down (503) for an hour', async () => {
    await survives({ kind: 'respond', status: 503, raw: 'Service Unavailable' }, 3_600_000);
  }, 60_000);

  it('while note requests time out after Kommo stored them (no note written twice)', async () => {
    const w = await kommoSyncWorld({
      fake,
      baseUrl: fake.baseUrl,
      clock,
      rateLimiter: createInMemoryRateLimiter({ clock }),
      requestTimeoutMs: 200,
    });
    await changes(w);
    fake.failNext('notes.add', { kind: 'accept_then_stall' });
    fake.failNext('notes.add', { kind: 'accept_then_stall' });
    await drain(w);
    expectLanded(fake);
  }, 60_000);
});
