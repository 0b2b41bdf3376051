/**
 * `pnpm bench crm-sync [leads]`: the core's CRM sync worker through the Kommo adapter against the
 * fake Kommo behind a real loopback HTTP server (enforcing 7 requests per second with HTML 429s),
 * measured at the fake: the requests to link the leads, the requests to sync a change of each
 * (stage, two fields, a tag and a note) while every 10th note request times out after Kommo stored
 * it, the busiest second, and the notes written twice. The last line is the summary.
 */
import { systemClock } from '@sdr/core';
import { createInMemoryRateLimiter } from '@sdr/core/testing';
import { kommoSyncWorld, type KommoSyncWorld } from '../src/__fixtures__/kommo-sync-world.js';
import { noteKeyOf } from '../src/map-kommo-lead.js';
import { createFakeKommo, startFakeKommoServer, type FakeKommo } from '../src/testing/index.js';

const leadCount = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(leadCount) || leadCount < 1)
  throw new Error(`leads must be a whole number, 1 or more (got ${process.argv[2] ?? ''})`);

const fake = createFakeKommo({ rateLimitPerSecond: 7 });
const server = await startFakeKommoServer(fake);

/** Passes until every entry is done (or dead), pausing briefly while entries wait out a backoff. */
async function drain(world: KommoSyncWorld): Promise<void> {
  for (;;) {
    const report = await world.worker.runOnce();
    const open = world.store.dump().outbox.filter((entry) => entry.status === 'pending' || entry.status === 'processing');
    if (open.length === 0) return;
    if (report.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Most requests the fake received within any one second. */
function busiestSecond(kommo: FakeKommo): number {
  const times = kommo.requests.map((request) => request.at.getTime()).sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= 1000) first += 1;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

try {
  const world = await kommoSyncWorld({
    fake,
    baseUrl: server.baseUrl,
    clock: systemClock,
    rateLimiter: createInMemoryRateLimiter({ clock: systemClock }),
    requestTimeoutMs: 1_000,
    batchLeads: 250,
    retryPolicy: { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 200, maxDelayMs: 2_000, factor: 2 },
  });
  const leads = [];
  for (let index = 0; index < leadCount; index += 1) {
    leads.push(await world.newLead(`+55 11 9${String(70_000_000 + index)}`, `Lead ${index}`));
  }

  let started = performance.now();
  await drain(world);
  const linkCalls = fake.requests.length;
  console.log(`link: ${leadCount} leads, ${linkCalls} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  for (const [index, lead] of leads.entries()) {
    await world.followUp.handle({ tenant: world.tenant, leadId: lead.id, event: { type: 'crm_stage_changed', to: 'qualifying' } });
    await world.conversation.updateFields({ tenant: world.tenant, leadId: lead.id, fields: { budget: 1000 + index, city: 'Recife' } });
    await world.conversation.updateTags({ tenant: world.tenant, leadId: lead.id, add: ['hot'] });
    await world.addNote(lead.id, `bench-note-${index}`, `Nota ${index}`);
  }
  fake.failEvery('notes.add', 10, { kind: 'accept_then_stall' });
  started = performance.now();
  await drain(world);
  const syncCalls = fake.requests.length - linkCalls;
  console.log(`sync: ${leadCount} changed leads, ${syncCalls} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const keys = fake.notes.map((note) => noteKeyOf(note.text));
  const duplicated = keys.length - new Set(keys).size;
  const byOperation = new Map<string, number>();
  for (const request of fake.requests) byOperation.set(request.operation, (byOperation.get(request.operation) ?? 0) + 1);
  console.log(`requests by operation: ${[...byOperation].map(([operation, count]) => `${operation}=${count}`).join(' ')}`);
  console.log(
    `crm-sync: leads=${leadCount} link_calls=${linkCalls} api_calls=${syncCalls} max_rps=${busiestSecond(fake)} notes_duplicated=${duplicated}`,
  );
} finally {
  await server.close();
}
