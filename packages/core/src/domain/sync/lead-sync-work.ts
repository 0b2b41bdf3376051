/**
 * One lead's share of a sync pass: its claimed entries, what the store says the CRM should show,
 * what the sync knows the CRM shows, and how the pass ended for it. Loading reads the lead and
 * its synced state (outside any transaction: nothing is held while the CRM is called); settling
 * saves the synced state, then completes, retries or dead-letters the lead's entries.
 */
import { classifyError, VersionConflictError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { describeError } from '../dispatch/emit-safely.js';
import type { Lead } from '../model/lead.js';
import type { OutboxEntry, SyncState } from '../model/outbox.js';
import type { StoredError } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import { decideRetry, type RetryPolicy } from '../retry/retry-policy.js';
import { foldCrmEntries, type CrmNote } from './crm-outbox-entries.js';
import { projectCrmState } from './crm-projection.js';
import type { RefusedCrmPart } from './crm-refusals.js';
import { syncedStateFromJson, syncedStateToJson, type CrmProjection, type SyncedCrmState } from './crm-sync-state.js';

/** How a lead's pass ended. `retry` at `at`, or — without `at` — after the policy's backoff. */
type LeadSyncOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly error: unknown; readonly at?: Date; readonly code?: string }
  | { readonly kind: 'dead'; readonly error: unknown };

/** A lead being synced in this pass. */
export interface LeadSyncWork {
  readonly leadId: string;
  /** The entries this pass applies, in sequence order. */
  readonly entries: readonly OutboxEntry[];
  /** Entries that cannot be applied: dead-lettered whatever else happens. */
  readonly invalid: readonly { readonly entry: OutboxEntry; readonly reason: string }[];
  lead: Lead | null;
  readonly stored: SyncState | null;
  /** What the CRM should show; parts the CRM cannot take are taken out by the pass (`refused`). */
  desired: CrmProjection | null;
  /** Parts of the lead's changes the CRM refused (or cannot take): left out, reported, alerted. */
  readonly refused: RefusedCrmPart[];
  /** What the CRM holds, as far as the sync knows; updated as requests succeed. */
  known: SyncedCrmState | null;
  knownChanged: boolean;
  readonly notes: readonly CrmNote[];
  outcome: LeadSyncOutcome;
}

/** Reads the lead and its synced state, and what its entries say. A lead that is gone has nothing to sync. */
export async function loadLeadSyncWork(store: Store, tenant: Tenant, entries: readonly OutboxEntry[]): Promise<LeadSyncWork> {
  const leadId = entries[0]?.aggregateId ?? '';
  const [lead, stored] = await Promise.all([store.leads.get(tenant.id, leadId), store.syncStates.get(tenant.id, leadId)]);
  // A state written for another CRM lead (the lead was linked anew) says nothing about this one.
  const linked = lead !== null && lead.crmLeadId !== null && stored !== null && stored.crmLeadId === lead.crmLeadId;
  const before = linked ? syncedStateFromJson(stored.state) : null;
  const folded = foldCrmEntries(entries, before);
  const invalidIds = new Set(folded.invalid.map(({ entry }) => entry.id));
  return {
    leadId,
    entries: entries.filter((entry) => !invalidIds.has(entry.id)),
    invalid: folded.invalid,
    lead,
    stored,
    desired: lead === null ? null : projectCrmState(lead, tenant),
    refused: [],
    known: folded.known,
    knownChanged: folded.known !== before,
    notes: folded.notes,
    outcome: lead === null ? { kind: 'done' } : { kind: 'pending' },
  };
}

/** What settling needs. */
interface SettleDependencies {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly workerId: string;
  readonly retryPolicy: RetryPolicy;
  readonly random: () => number;
}

/** Per outcome, how many leads (and dead entries) settling counted. */
interface SettledCounts {
  synced: number;
  retried: number;
  dead: number;
}

/**
 * Saves what the sync now knows the CRM holds, then writes every lead's outcome on its
 * entries. The synced state is saved first, even for a lead that failed later in the pass: a
 * patch that went through must not be sent again.
 */
export async function settleLeadSyncWork(works: readonly LeadSyncWork[], deps: SettleDependencies): Promise<SettledCounts> {
  const counts: SettledCounts = { synced: 0, retried: 0, dead: 0 };
  for (const work of works) if (work.knownChanged) await saveKnown(work, deps);
  const now = deps.clock.now();
  const done = works.filter((work) => work.outcome.kind === 'done' || work.outcome.kind === 'pending');
  const completed = done.flatMap((work) => work.entries.map((entry) => entry.id));
  if (completed.length > 0) await deps.store.outbox.complete({ ids: completed, workerId: deps.workerId, now });
  counts.synced = done.length;
  for (const work of works) {
    if (work.invalid.length > 0) {
      counts.dead += work.invalid.length;
      deps.logger.error({ leadId: work.leadId, reasons: work.invalid.map(({ reason }) => reason) }, 'CRM outbox entries cannot be applied');
      await deps.store.outbox.fail({
        ids: work.invalid.map(({ entry }) => entry.id),
        workerId: deps.workerId,
        now,
        error: {
          code: 'invalid_entry',
          message: work.invalid
            .map(({ reason }) => reason)
            .join('; ')
            .slice(0, 2000),
          transient: false,
          at: now,
        },
        retryAt: null,
      });
    }
    const outcome = work.outcome;
    if (outcome.kind !== 'retry' && outcome.kind !== 'dead') continue;
    const retryAt = outcome.kind === 'retry' ? (outcome.at ?? backoff(work, outcome.error, deps, now)) : null;
    if (retryAt === null) counts.dead += work.entries.length;
    else counts.retried += 1;
    const error = storedErrorOf(outcome.error, now, outcome.kind === 'retry' ? outcome.code : undefined);
    deps.logger[retryAt === null ? 'error' : 'warn'](
      { leadId: work.leadId, entries: work.entries.length, error: error.message, retryAt: retryAt?.toISOString() ?? null },
      retryAt === null ? 'CRM sync of a lead failed for good' : 'CRM sync of a lead failed; it will be retried',
    );
    await deps.store.outbox.fail({ ids: work.entries.map((entry) => entry.id), workerId: deps.workerId, now, error, retryAt });
  }
  return counts;
}

/** When the lead's entries are tried again, or `null` when the failure is permanent. */
function backoff(work: LeadSyncWork, error: unknown, deps: SettleDependencies, now: Date): Date | null {
  const attemptsMade = Math.max(0, ...work.entries.map((entry) => entry.attempts)) + 1;
  const decision = decideRetry({ error, attemptsMade, policy: deps.retryPolicy, random: deps.random });
  return decision.retry ? new Date(now.getTime() + decision.delayMs) : null;
}

/**
 * Saves the synced state. A concurrent save (reconciliation) is overwritten: this pass has just
 * talked to the CRM, so what it knows is the freshest there is.
 */
async function saveKnown(work: LeadSyncWork, deps: SettleDependencies): Promise<void> {
  const { lead, known } = work;
  if (lead === null || known === null || lead.crmLeadId === null) return;
  let version = work.stored?.version ?? 0;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      await deps.store.syncStates.save({
        tenantId: lead.tenantId,
        leadId: lead.id,
        crmLeadId: lead.crmLeadId,
        state: syncedStateToJson(known),
        syncedAt: deps.clock.now(),
        version,
      });
      return;
    } catch (error) {
      if (!VersionConflictError.isInstance(error) || attempt === 3) {
        deps.logger.error({ leadId: lead.id, error: describeError(error) }, 'could not save the CRM sync state');
        return;
      }
      version = (await deps.store.syncStates.get(lead.tenantId, lead.id))?.version ?? 0;
    }
  }
}

/** A failure as stored on an outbox entry: classified, personal data masked, bounded. */
export function storedErrorOf(error: unknown, at: Date, code?: string): StoredError {
  const classification = classifyError(error);
  return { code: code ?? classification.code, message: classification.message.slice(0, 2000), transient: classification.transient, at };
}
