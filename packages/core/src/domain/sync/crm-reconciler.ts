/**
 * Reconciliation (SPEC §4.7): reads back, from the CRM, the leads changed in a window, reports
 * how they drifted from what the store says (`detectCrmDrift`) and repairs them:
 * - a card a person moved without us hearing of it (a lost webhook) is adopted through the
 *   inbound service, exactly as if the webhook had arrived;
 * - everything else (fields, tags, the name, missing notes) is handed to the sync worker: the
 *   synced state is corrected to what the CRM really holds and a `lead.resync` entry is written
 *   (missing notes are written again under their own keys), in one unit of work — so the repair
 *   is batched, rate-limited and ordered with the lead's other changes, and the worker stays the
 *   only writer;
 * - a lead linked to a CRM lead that no longer exists is unlinked, to be created again; a lead
 *   never linked and with nothing pending gets a `lead.resync` so that the worker links it.
 * Leads with entries still pending are skipped: their drift is the sync's work in progress.
 */
import { AbortedError, VersionConflictError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { CrmLeadSnapshot, CrmPort } from '../../ports/crm/crm-port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { describeError, emitSafely } from '../dispatch/emit-safely.js';
import type { DomainEvents } from '../events/domain-events.js';
import { appendLeadCrmEntry } from './lead-crm-outbox.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import { crmAccountKey, isAccountBlocked } from './crm-account.js';
import type { CrmInboundService } from './crm-inbound-service.js';
import { detectCrmDrift, type CrmDriftFinding } from './crm-drift.js';
import { appendCrmNoteEntry, foldCrmEntries, type CrmNote } from './crm-outbox-entries.js';
import { projectCrmState } from './crm-projection.js';
import { createCrmRequester } from './crm-requester.js';
import { syncedStateFromJson, syncedStateToJson } from './crm-sync-state.js';

/** Options of `createCrmReconciler`. */
export interface CrmReconcilerOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The CRM of a tenant; it paces its own requests (reads count against the account's budget too). */
  readonly crmFor: (tenant: Tenant) => CrmPort;
  /** Adopts stage moves a person made that no webhook reported. */
  readonly inbound: CrmInboundService;
  /** Receives `crm.reconciled` (one per tenant and run). */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  /** 429s in a row waited out before a read fails the tenant's run (default 3). */
  readonly maxThrottleWaits?: number;
}

/** One drift found, with its lead and what was done about it. */
export interface CrmDrift extends CrmDriftFinding {
  readonly tenantId: string;
  readonly leadId: string;
  readonly crmLeadId: string | null;
  /** `resync`: handed to the sync worker; `adopted`: a person's stage move taken over; `none`: not repaired this run. */
  readonly repair: 'resync' | 'adopted' | 'none';
}

/** What a reconciliation run found and did. */
export interface CrmReconciliationReport {
  readonly from: Date;
  readonly to: Date;
  /** Leads read back and compared. */
  readonly checked: number;
  /** Leads with at least one drift. */
  readonly drifted: number;
  /** Leads whose repair was written. */
  readonly repaired: number;
  readonly skipped: {
    /** Entries still pending: the sync is on it. */
    readonly inFlight: number;
    /** Their account is blocked. */
    readonly blocked: number;
    /** The CRM could not be read (its error is logged), or the run was aborted; tried again next run. */
    readonly unreadable: number;
  };
  readonly drifts: readonly CrmDrift[];
}

/** Reconciliation of the CRM with the store. */
export interface CrmReconciler {
  /**
   * Reconciles the leads updated within `window` (the last `window` milliseconds, or `[from, to)`),
   * of every tenant or of `tenantIds`. Emits `crm.reconciled` per tenant. `signal` (a shutdown) is
   * passed to the CRM: once it aborts no more reads start, and the leads not read yet count as
   * `unreadable` — the next run sees them.
   */
  runOnce(input: {
    readonly window: number | { readonly from: Date; readonly to: Date };
    readonly tenantIds?: readonly string[];
    readonly signal?: AbortSignal;
  }): Promise<CrmReconciliationReport>;
}

/** A lead linked to a CRM lead. */
type LinkedLead = Lead & { readonly crmLeadId: string };

/** Creates the reconciler. */
export function createCrmReconciler(options: CrmReconcilerOptions): CrmReconciler {
  const { store, clock } = options;
  const logger = options.logger ?? noopLogger;

  const tenantsOf = async (tenantIds: readonly string[] | undefined): Promise<Tenant[]> => {
    if (tenantIds !== undefined)
      return (await Promise.all(tenantIds.map((id) => store.tenants.get(id)))).filter((tenant) => tenant !== null);
    const tenants: Tenant[] = [];
    for (let cursor: string | null = null; ; ) {
      const page = await store.tenants.list({ cursor, limit: 500 });
      tenants.push(...page.items);
      if (page.nextCursor === null) return tenants;
      cursor = page.nextCursor;
    }
  };

  const leadsUpdated = async (tenant: Tenant, from: Date, to: Date): Promise<Lead[]> => {
    const leads: Lead[] = [];
    for (let cursor: string | null = null; ; ) {
      const page = await store.leads.listUpdatedBetween(tenant.id, from, to, { cursor, limit: 500 });
      leads.push(...page.items);
      if (page.nextCursor === null) return leads;
      cursor = page.nextCursor;
    }
  };

  const inFlight = async (lead: Lead): Promise<boolean> =>
    (
      await store.outbox.list({
        tenantId: lead.tenantId,
        topic: 'crm',
        aggregateId: lead.id,
        statuses: ['pending', 'processing'],
        limit: 1,
      })
    ).length > 0;

  /** The notes the sync wrote, or gave up writing, for the lead. */
  const expectedNotes = async (lead: Lead): Promise<CrmNote[]> => {
    const entries = await store.outbox.list({ tenantId: lead.tenantId, topic: 'crm', aggregateId: lead.id, statuses: ['done', 'dead'] });
    return [
      ...foldCrmEntries(
        entries.filter((entry) => entry.type === 'lead.note_added'),
        null,
      ).notes,
    ];
  };

  /** Writes the resync of a lead (and whatever goes with it) in one unit of work; `false` when the worker got there first. */
  const resync = async (lead: Lead, work: (tx: Repositories) => Promise<void>): Promise<boolean> => {
    try {
      await store.transaction(async (tx) => {
        await work(tx);
        await appendLeadCrmEntry(tx, {
          tenantId: lead.tenantId,
          leadId: lead.id,
          type: 'lead.resync',
          payload: { reason: 'reconciliation' },
        });
      });
      return true;
    } catch (error) {
      if (VersionConflictError.isInstance(error)) return false;
      throw error;
    }
  };

  const reconcileTenant = async (tenant: Tenant, from: Date, to: Date, signal: AbortSignal | undefined) => {
    const drifts: CrmDrift[] = [];
    const counts = { checked: 0, drifted: 0, repaired: 0, inFlight: 0, blocked: 0, unreadable: 0 };
    const leads = await leadsUpdated(tenant, from, to);
    const crm = options.crmFor(tenant);
    const account = crmAccountKey(tenant, crm);
    if (leads.length === 0) return { drifts, counts };
    if (await isAccountBlocked(store, tenant.id, account)) {
      counts.blocked = leads.length;
      return { drifts, counts };
    }
    const candidates: LinkedLead[] = [];
    for (const lead of leads) {
      if (await inFlight(lead)) counts.inFlight += 1;
      else if (lead.crmLeadId !== null) candidates.push({ ...lead, crmLeadId: lead.crmLeadId });
      else {
        // Never linked and nothing pending: its `lead.created` entry was lost or dead-lettered.
        counts.checked += 1;
        counts.drifted += 1;
        const repaired = await resync(lead, () => Promise.resolve());
        if (repaired) counts.repaired += 1;
        drifts.push({
          tenantId: tenant.id,
          leadId: lead.id,
          crmLeadId: null,
          kind: 'missing_lead',
          key: null,
          expected: 'linked',
          actual: 'not linked',
          repair: repaired ? 'resync' : 'none',
        });
      }
    }
    const requester = createCrmRequester({
      clock,
      account,
      maxThrottleWaits: options.maxThrottleWaits ?? 3,
      logger,
      ...(signal === undefined ? {} : { signal }),
    });
    const size = Math.max(1, crm.capabilities.maxBatchSize);
    for (let index = 0; index < candidates.length; index += size) {
      const chunk = candidates.slice(index, index + size);
      let snapshots: Map<string, CrmLeadSnapshot>;
      try {
        const read = await requester.send('getLeads', (callOptions) =>
          crm.getLeads(
            chunk.map((lead) => lead.crmLeadId),
            callOptions,
          ),
        );
        snapshots = new Map(read.map((snapshot) => [snapshot.leadId, snapshot]));
      } catch (error) {
        logger.warn(
          { tenantId: tenant.id, error: describeError(error) },
          AbortedError.isInstance(error)
            ? 'reconciliation was aborted; the rest waits for the next run'
            : 'reconciliation could not read the CRM; the rest waits for the next run',
        );
        counts.unreadable += candidates.length - index;
        break;
      }
      for (const lead of chunk) {
        counts.checked += 1;
        const found = await reconcileLead(tenant, lead, snapshots.get(lead.crmLeadId) ?? null);
        if (found.length === 0) continue;
        counts.drifted += 1;
        if (found.some((drift) => drift.repair !== 'none')) counts.repaired += 1;
        drifts.push(...found);
      }
    }
    return { drifts, counts };
  };

  const reconcileLead = async (tenant: Tenant, lead: LinkedLead, snapshot: CrmLeadSnapshot | null): Promise<CrmDrift[]> => {
    const base = { tenantId: tenant.id, leadId: lead.id, crmLeadId: lead.crmLeadId };
    if (snapshot === null) {
      // The CRM lead is gone: unlink, and the worker creates (or finds by phone) it again.
      const repaired = await resync(lead, async (tx) => {
        await tx.leads.update({ ...lead, crmLeadId: null, crmContactId: null });
      });
      return [{ ...base, kind: 'missing_lead', key: null, expected: lead.crmLeadId, actual: null, repair: repaired ? 'resync' : 'none' }];
    }
    const stored = await store.syncStates.get(tenant.id, lead.id);
    const known = stored !== null && stored.crmLeadId === lead.crmLeadId ? syncedStateFromJson(stored.state) : null;
    const report = detectCrmDrift({
      lead,
      desired: projectCrmState(lead, tenant),
      known,
      snapshot,
      expectedNotes: await expectedNotes(lead),
      config: tenant,
    });
    const stageFindings = report.findings.filter((finding) => finding.kind === 'stage');
    const otherFindings = report.findings.filter((finding) => finding.kind !== 'stage');
    if (report.adoptStage !== null) {
      await options.inbound.handleStageChange({ tenantId: tenant.id, crmLeadId: lead.crmLeadId, ...report.adoptStage });
    }
    let repaired = false;
    if (otherFindings.length > 0) {
      repaired = await resync(lead, async (tx) => {
        await tx.syncStates.save({
          tenantId: tenant.id,
          leadId: lead.id,
          crmLeadId: lead.crmLeadId,
          state: syncedStateToJson(report.observed),
          syncedAt: clock.now(),
          version: stored?.version ?? 0,
        });
        for (const note of report.missingNotes) await appendCrmNoteEntry(tx, { tenantId: tenant.id, leadId: lead.id, note });
      });
    }
    return [
      ...stageFindings.map((finding) => ({ ...base, ...finding, repair: 'adopted' as const })),
      ...otherFindings.map((finding) => ({ ...base, ...finding, repair: repaired ? ('resync' as const) : ('none' as const) })),
    ];
  };

  return {
    async runOnce(input) {
      // "The last `window` ms" includes this very millisecond: the repository's window is half-open.
      const to = typeof input.window === 'number' ? new Date(clock.now().getTime() + 1) : input.window.to;
      const from = typeof input.window === 'number' ? new Date(to.getTime() - input.window) : input.window.from;
      const drifts: CrmDrift[] = [];
      const totals = { checked: 0, drifted: 0, repaired: 0, inFlight: 0, blocked: 0, unreadable: 0 };
      for (const tenant of await tenantsOf(input.tenantIds)) {
        const result = await reconcileTenant(tenant, from, to, input.signal);
        drifts.push(...result.drifts);
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result.counts[key];
        const { checked, drifted, repaired } = result.counts;
        if (checked > 0) {
          emitSafely({ events: options.events, logger }, 'crm.reconciled', {
            tenantId: tenant.id,
            at: clock.now(),
            checked,
            drifted,
            repaired,
          });
          logger.info({ tenantId: tenant.id, checked, drifted, repaired }, 'CRM reconciled');
        }
      }
      const { checked, drifted, repaired, inFlight, blocked, unreadable } = totals;
      return { from, to, checked, drifted, repaired, skipped: { inFlight, blocked, unreadable }, drifts };
    },
  };
}
