/**
 * The core's CRM sync worker talking to a fake Kommo through this adapter: an in-memory store, a
 * tenant whose stages are resolved by name against the fake's pipeline, and the conversation and
 * follow-up services that produce the outbox entries. Shared by the resilience tests and the bench
 * (no test framework imported here).
 */
import { randomUUID } from 'node:crypto';
import {
  appendCrmNoteEntry,
  createConversationService,
  createCrmSyncWorker,
  createFollowUpService,
  parseOrThrow,
  tenantSchema,
  type Clock,
  type CrmSyncWorker,
  type FollowUpService,
  type ConversationService,
  type Lead,
  type RateLimiter,
  type RetryPolicy,
  type Tenant,
} from '@sdr/core';
import { createInMemoryStore, type InMemoryStore } from '@sdr/core/testing';
import { createKommoCrm, type KommoCrm } from '../kommo-crm.js';
import { resolveKommoStages } from '../kommo-stages.js';
import type { FakeKommo } from '../testing/index.js';

/** The fake's text fields the tenant maps its lead fields to. */
export const kommoFieldMapping = { budget: '800001', city: '800002' } as const;

export interface KommoSyncWorld {
  readonly store: InMemoryStore;
  readonly crm: KommoCrm;
  readonly tenant: Tenant;
  readonly followUp: FollowUpService;
  readonly conversation: ConversationService;
  readonly worker: CrmSyncWorker;
  newLead(phone: string, name: string): Promise<Lead>;
  addNote(leadId: string, key: string, text: string): Promise<void>;
}

export async function kommoSyncWorld(input: {
  readonly fake: FakeKommo;
  /** Where the adapter reaches the fake (msw: the fake's own URL; a server: its loopback URL). */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  readonly requestTimeoutMs?: number;
  readonly batchLeads?: number;
  readonly retryPolicy?: RetryPolicy;
}): Promise<KommoSyncWorld> {
  const { clock, fake } = input;
  const store = createInMemoryStore({ clock });
  const stageNames = {
    pipeline: 'Funil de vendas',
    stages: {
      qualifying: 'Qualificando',
      meeting_scheduled: 'Reunião agendada',
      not_interested: 'Não interessado',
      human_handoff: 'Atendimento humano',
    },
  } as const;
  const crm = createKommoCrm({
    subdomain: 'acme',
    baseUrl: input.baseUrl,
    auth: { type: 'long_lived', token: fake.token },
    rateLimiter: input.rateLimiter,
    clock,
    stageNames,
    requestTimeoutMs: input.requestTimeoutMs ?? 5_000,
  });
  const { stageMapping } = resolveKommoStages(
    fake.pipelines.map((pipeline) => ({
      pipelineId: String(pipeline.id),
      name: pipeline.name,
      statuses: pipeline.statuses.map((status) => ({ statusId: String(status.id), name: status.name })),
    })),
    stageNames,
  );
  const now = clock.now();
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme',
      timeZone: 'America/Sao_Paulo',
      stageMapping,
      crm: { accountId: String(fake.accountId), fieldMapping: { ...kommoFieldMapping } },
      createdAt: now,
      updatedAt: now,
      version: 0,
    }),
  );
  const followUp = createFollowUpService({ store, clock });
  const conversation = createConversationService({ store, clock, followUp });
  const worker = createCrmSyncWorker({
    store,
    clock,
    crmFor: () => crm,
    workerId: 'kommo-sync',
    random: () => 0.5,
    ...(input.batchLeads === undefined ? {} : { batchLeads: input.batchLeads }),
    ...(input.retryPolicy === undefined ? {} : { retryPolicy: input.retryPolicy }),
  });
  return {
    store,
    crm,
    tenant,
    followUp,
    conversation,
    worker,
    newLead: async (phone, name) => (await conversation.findOrCreateLead({ tenant, from: phone, name })).lead,
    addNote: async (leadId, key, text) => {
      await store.transaction((tx) => appendCrmNoteEntry(tx, { tenantId: tenant.id, leadId, note: { key, text } }));
    },
  };
}
