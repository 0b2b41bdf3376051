/**
 * A tenant whose stages and fields are mapped to an in-memory CRM with Kommo's constraints, the
 * conversation and follow-up services, and a CRM sync worker — on the in-memory store and a
 * virtual clock, with every domain event recorded. What the sync, inbound, reconciliation and
 * handoff tests share.
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../../ports/clock/clock.js';
import type { CrmPort } from '../../../ports/crm/crm-port.js';
import { createInMemoryCrm, type InMemoryCrm, type InMemoryCrmOptions } from '../../../testing/crm/in-memory-crm.js';
import { awaitOnVirtualClock } from '../../../testing/clock/await-on-virtual-clock.js';
import { createInMemoryRateLimiter } from '../../../ports/rate-limiter/in-memory-rate-limiter.js';
import { createInMemoryStore, type InMemoryStore } from '../../../memory/store/in-memory-store.js';
import { createConversationService, type ConversationService } from '../../conversation/conversation-service.js';
import { createDomainEvents, type DomainEventName, type DomainEvents } from '../../events/domain-events.js';
import { createFollowUpService, type FollowUpService } from '../../follow-up/follow-up-service.js';
import type { Lead } from '../../model/lead.js';
import { parseOrThrow } from '../../model/parse.js';
import { tenantSchema, type Tenant, type TenantConfigInput } from '../../model/tenant.js';
import { createCrmInboundService, type CrmInboundService } from '../crm-inbound-service.js';
import { createCrmReconciler, type CrmReconciler } from '../crm-reconciler.js';
import type { CrmSyncWorkerOptions } from '../crm-sync-options.js';
import { createCrmSyncWorker, type CrmSyncRunReport, type CrmSyncWorker } from '../crm-sync-worker.js';

/** CRM custom-field ids of the account, and the lead fields mapped to them. */
export const fieldIds = { budget: '900001', city: '900002', product: '900003' } as const;

/** Every stage but `new` mapped to its status of the default in-memory pipeline. */
export function defaultStageMapping(crm: InMemoryCrm): NonNullable<TenantConfigInput['stageMapping']> {
  return {
    qualifying: crm.stageRef('Qualificando'),
    meeting_scheduled: crm.stageRef('Reunião agendada'),
    not_interested: crm.stageRef('Não interessado'),
    human_handoff: crm.stageRef('Atendimento humano'),
    won: crm.stageRef('Venda ganha'),
    lost: crm.stageRef('Venda perdida'),
  };
}

/** Everything a sync test works with. */
export interface SyncWorld {
  readonly clock: VirtualClock;
  readonly store: InMemoryStore;
  readonly crm: InMemoryCrm;
  readonly events: DomainEvents;
  /** Every domain event emitted, in order. */
  readonly heard: Array<readonly [DomainEventName, Record<string, unknown>]>;
  readonly tenant: Tenant;
  readonly followUp: FollowUpService;
  readonly conversation: ConversationService;
  readonly inbound: CrmInboundService;
  readonly worker: CrmSyncWorker;
  /** Talks to the same CRM (and its account's bucket) as the worker. */
  readonly reconciler: CrmReconciler;
  /** A lead created through the conversation service (with its `lead.created` entry). */
  newLead(phone: string, name?: string): Promise<Lead>;
  /** Awaits `promise`, advancing the virtual clock timer by timer while it waits on it. */
  drive<T>(promise: Promise<T>): Promise<T>;
  /** Runs passes (driven) until one claims nothing; returns their reports. */
  syncAll(): Promise<CrmSyncRunReport[]>;
  /** The lead as stored now. */
  reload(lead: Pick<Lead, 'id'>): Promise<Lead>;
}

/** A São Paulo tenant mapped to the default in-memory Kommo pipeline. */
export async function syncWorld(
  options: {
    readonly start?: string;
    readonly tenant?: Partial<TenantConfigInput>;
    readonly crm?: Partial<InMemoryCrmOptions>;
    /** The CRM paces its requests with a rate limiter (default true); `false` leaves the account's 429s to the worker. */
    readonly paced?: boolean;
    readonly worker?: Partial<CrmSyncWorkerOptions>;
    /** Wraps the CRM the worker talks to (fault injection); the world's `crm` stays the raw double. */
    readonly wrapCrm?: (crm: InMemoryCrm) => CrmPort;
  } = {},
): Promise<SyncWorld> {
  const clock = new VirtualClock(options.start ?? '2026-03-02T13:00:00Z');
  const store = createInMemoryStore({ clock });
  // The CRM paces its own requests (the port's contract); the worker and the reconciler share its account's bucket.
  const rateLimiter = createInMemoryRateLimiter({ clock });
  const crm = createInMemoryCrm({
    clock,
    customFieldIds: Object.values(fieldIds),
    account: '31337',
    ...(options.paced === false ? {} : { rateLimiter }),
    ...options.crm,
  });
  const events = createDomainEvents();
  const heard: Array<readonly [DomainEventName, Record<string, unknown>]> = [];
  for (const name of [
    'crm.sync_blocked',
    'crm.reconciled',
    'alert.raised',
    'handoff.requested',
    'handoff.resumed',
    'stage.changed',
  ] as const)
    events.on(name, (event: object) => heard.push([name, { ...event }]));
  const now = clock.now();
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme',
      timeZone: 'America/Sao_Paulo',
      stageMapping: options.tenant?.stageMapping ?? defaultStageMapping(crm),
      crm: { accountId: '31337', fieldMapping: { ...fieldIds } },
      createdAt: now,
      updatedAt: now,
      version: 0,
      ...options.tenant,
    }),
  );
  const followUp = createFollowUpService({ store, clock, events });
  const conversation = createConversationService({ store, clock, followUp, events });
  const inbound = createCrmInboundService({ store, clock, followUp, events });
  const port = options.wrapCrm ? options.wrapCrm(crm) : crm;
  const reconciler = createCrmReconciler({ store, clock, crmFor: () => port, inbound, events });
  const worker = createCrmSyncWorker({
    store,
    clock,
    crmFor: () => port,
    events,
    workerId: 'crm-sync-test',
    random: () => 0.5,
    ...options.worker,
  });

  const drive = <T>(promise: Promise<T>): Promise<T> => awaitOnVirtualClock(clock, promise);

  return {
    clock,
    store,
    crm,
    events,
    heard,
    tenant,
    followUp,
    conversation,
    inbound,
    worker,
    reconciler,
    newLead: async (phone, name = 'Ana Souza') => (await conversation.findOrCreateLead({ tenant, from: phone, name })).lead,
    drive,
    async syncAll() {
      const reports: CrmSyncRunReport[] = [];
      for (;;) {
        const report = await drive(worker.runOnce());
        reports.push(report);
        if (report.claimed === 0) return reports;
        if (reports.length > 100) throw new Error('syncAll: the outbox never drained');
      }
    },
    async reload(lead) {
      const stored = await store.leads.get(tenant.id, lead.id);
      if (stored === null) throw new Error(`lead ${lead.id} is gone`);
      return stored;
    },
  };
}
