/**
 * `pnpm bench crm-sync-memory [leads]`: the CRM sync against the in-memory CRM with Kommo's constraints
 * (50 items per batch, 7 requests per second enforced with 429s; the CRM paces its own requests
 * with a rate limiter, as the port's contract asks), all on the virtual clock. Every lead is first
 * created and linked (50 per `upsertLeads` call, which costs a phone search per lead and one
 * write); then each lead is handed off (stage `human_handoff` and a handoff note), gets two
 * fields and a tag, and the worker syncs the lot. The last line is the measured change phase:
 * API calls, the busiest sliding second the CRM saw, virtual seconds, and notes written twice.
 * The run fails when any lead's CRM card does not show what the store says.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  VirtualClock,
  createConversationService,
  createCrmSyncWorker,
  createFollowUpService,
  createHandoffService,
  parseOrThrow,
  projectCrmState,
  tenantSchema,
  type CrmSyncWorker,
} from '@sdr/core';
import { awaitOnVirtualClock, createInMemoryCrm, createInMemoryRateLimiter, createInMemoryStore } from '@sdr/core/testing';

const leadCount = Number(process.argv[2] ?? 1000);
const clock = new VirtualClock('2031-03-05T14:00:00Z');
const store = createInMemoryStore({ clock });
const crm = createInMemoryCrm({
  clock,
  customFieldIds: ['900001', '900002'],
  maxBatchSize: 50,
  requestsPerSecond: 7,
  rateLimiter: createInMemoryRateLimiter({ clock }),
  account: 'bench',
});
const tenant = await store.tenants.create(
  parseOrThrow(tenantSchema, {
    id: randomUUID(),
    name: 'Bench',
    timeZone: 'America/Sao_Paulo',
    stageMapping: { qualifying: crm.stageRef('Qualificando'), human_handoff: crm.stageRef('Atendimento humano') },
    crm: { accountId: 'bench', requestsPerSecond: 7, fieldMapping: { budget: '900001', city: '900002' } },
    createdAt: clock.now(),
    updatedAt: clock.now(),
    version: 0,
  }),
);
const followUp = createFollowUpService({ store, clock });
const conversation = createConversationService({ store, clock, followUp });
const handoff = createHandoffService({ store, clock, followUp });
const worker = createCrmSyncWorker({ store, clock, crmFor: () => crm, random: () => 0.5 });

/** Runs passes until the outbox is drained, advancing the virtual clock while a pass waits on it. */
async function drain(sync: CrmSyncWorker): Promise<void> {
  while ((await awaitOnVirtualClock(clock, sync.runOnce())).claimed > 0);
}

function phase(
  name: string,
  startedAt: number,
  wallStarted: number,
): { apiCalls: number; maxRps: number; virtualSeconds: number; wallMs: number } {
  const figures = {
    apiCalls: crm.requests.length,
    maxRps: crm.maxRequestsPerSecond(),
    virtualSeconds: (clock.now().getTime() - startedAt) / 1000,
    wallMs: Math.round(performance.now() - wallStarted),
  };
  const refused = crm.requests.filter((request) => request.status !== 200).length;
  console.log(
    `${name}: api_calls=${figures.apiCalls} refused=${refused} max_rps=${figures.maxRps} virtual_seconds=${figures.virtualSeconds} wall_ms=${figures.wallMs}`,
  );
  return figures;
}

const leads = [];
for (let index = 0; index < leadCount; index += 1) {
  const phone = `+55 11 9${String(60_000_000 + index).padStart(8, '0')}`;
  leads.push((await conversation.findOrCreateLead({ tenant, from: phone, name: `Lead ${index}` })).lead);
}
let startedAt = clock.now().getTime();
let wallStarted = performance.now();
await drain(worker);
phase('crm-sync link (setup)', startedAt, wallStarted);
crm.clearRequests();

for (const [index, lead] of leads.entries()) {
  await handoff.requestHandoff({ tenant, leadId: lead.id, reason: 'Pediu para falar com uma pessoa', requestedBy: 'lead' });
  await conversation.updateFields({ tenant, leadId: lead.id, fields: { budget: 1000 + index, city: 'São Paulo' } });
  await conversation.updateTags({ tenant, leadId: lead.id, add: ['bench'] });
}
startedAt = clock.now().getTime();
wallStarted = performance.now();
await drain(worker);
const figures = phase('crm-sync changes', startedAt, wallStarted);

const board = new Map(crm.leads().map((crmLead) => [crmLead.leadId, crmLead]));
let notes = 0;
let uniqueNotes = 0;
let wrong = 0;
for (const lead of await Promise.all(leads.map((candidate) => store.leads.get(tenant.id, candidate.id)))) {
  const crmLead = lead?.crmLeadId ? board.get(lead.crmLeadId) : undefined;
  if (!lead || !crmLead) {
    wrong += 1;
    continue;
  }
  const desired = projectCrmState(lead, tenant);
  const sameStage = crmLead.stage?.statusId === desired.stageRef?.statusId;
  const sameFields = Object.entries(desired.fields).every(([fieldId, value]) => crmLead.fields[fieldId] === value);
  const sameTags = desired.tags.every((tag) => crmLead.tags.includes(tag));
  if (!sameStage || !sameFields || !sameTags || crmLead.noteKeys.length !== 1) wrong += 1;
  const keys = crm.notes(crmLead.leadId).map((note) => note.idempotencyKey);
  notes += keys.length;
  uniqueNotes += new Set(keys).size;
}
const dead = (await store.outbox.stats({ topic: 'crm' })).dead;
if (wrong > 0 || dead > 0) {
  console.error(`crm-sync: ${wrong} leads do not show what the store says; ${dead} entries dead`);
  process.exitCode = 1;
}
console.log(
  `crm-sync: leads=${leadCount} api_calls=${figures.apiCalls} max_rps=${figures.maxRps} virtual_seconds=${figures.virtualSeconds} notes_duplicated=${notes - uniqueNotes}`,
);
