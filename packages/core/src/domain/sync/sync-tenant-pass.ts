/**
 * One tenant's share of a sync pass, in three steps over all its claimed leads, so that every
 * request carries as many leads as the CRM allows:
 * 1. **link** — leads the CRM does not know yet are created (or found by phone), up to
 *    `maxBatchSize` per `upsertLeads` call, and their CRM ids stored on the leads;
 * 2. **patch** — the difference between what the CRM holds and the projection, up to
 *    `maxBatchSize` leads per `updateLeads` request;
 * 3. **notes** — up to `maxBatchSize` notes per `addNotes` request.
 * Per lead the order is always link, patch, notes; a lead that failed a step skips the next ones.
 * The CRM paces its own requests; the pass hands it the requester's call options, which abort
 * when the worker stops or the claim's lease is about to end.
 *
 * Failures: a suspected IP block stops the account (alert) and holds every lead; a transient
 * failure (the CRM down, 5xx, 429 beyond the waits) stops the tenant's pass and retries its
 * leads with backoff — sending more requests to a CRM that just failed helps nobody; a permanent
 * failure of a batch is retried lead by lead to find the culprit, which alone is dead-lettered
 * (or, when its CRM lead was deleted, linked anew on the next pass). A part of a lead's patch the
 * CRM refuses (a tag, a field) is isolated instead: left out, reported and alerted, while the
 * rest of the lead's change is sent (`crm-refusals.ts`).
 */
import { AbortedError, classifyError, NotFoundError, SdrError, VersionConflictError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { CrmLead, CrmLeadPatch, CrmNoteInput, CrmPort } from '../../ports/crm/crm-port.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import { blockAccount, isSuspectedBlock } from './crm-account.js';
import { crmUpsertInput, diffCrmState, syncedAfterUpsert, toCrmPatch, type CrmStateDiff } from './crm-diff.js';
import { refusedParts, reportRefusedParts, withinCrmLimits } from './crm-refusals.js';
import type { CrmRequester } from './crm-requester.js';
import { sameSyncedState } from './crm-sync-state.js';
import type { LeadSyncWork } from './lead-sync-work.js';

/** What a tenant's pass works with. */
interface TenantPassContext {
  readonly tenant: Tenant;
  readonly account: string;
  readonly crm: CrmPort;
  readonly requester: CrmRequester;
  readonly store: Store;
  readonly clock: Clock;
  readonly events: DomainEvents | undefined;
  readonly logger: Logger;
  readonly blockedRecheckMs: number;
}

/** What the pass learned beyond each lead's outcome. */
interface TenantPassResult {
  readonly blocked: boolean;
  /** The transient failure that stopped the pass (the CRM down, 5xx, 429 beyond the waits), if any. */
  readonly unavailable: unknown;
  readonly notesCreated: number;
}

/** Runs the three steps over `works`, setting each lead's outcome. */
export async function runTenantPass(works: readonly LeadSyncWork[], context: TenantPassContext): Promise<TenantPassResult> {
  for (const work of works) {
    if (work.desired === null) continue;
    const limited = withinCrmLimits(work.desired, context.crm.capabilities);
    work.desired = limited.desired;
    work.refused.push(...limited.refused);
  }
  const pass = new TenantPass(works, context);
  await pass.link();
  await pass.patch();
  await pass.notes();
  for (const work of works) {
    await reportRefusedParts({ ...context, tenantId: context.tenant.id, leadId: work.leadId, refused: work.refused });
  }
  return { blocked: pass.blocked, unavailable: pass.unavailable, notesCreated: pass.notesCreated };
}

/** How many times one lead's patch is sent again without the parts the CRM refused. */
const maxIsolationRounds = 4;

class TenantPass {
  blocked = false;
  unavailable: unknown = undefined;
  notesCreated = 0;
  private readonly diffs = new Map<LeadSyncWork, CrmStateDiff>();

  constructor(
    private readonly works: readonly LeadSyncWork[],
    private readonly context: TenantPassContext,
  ) {}

  async link(): Promise<void> {
    const { crm, requester } = this.context;
    const linkBatch = async (batch: readonly LeadSyncWork[]) => {
      const inputs = batch.map((work) => {
        if (work.lead === null || work.desired === null) throw new SdrError(`the CRM sync has nothing to link for lead ${work.leadId}`);
        return { lead: work.lead, desired: work.desired, input: crmUpsertInput(work.lead.phone, work.desired) };
      });
      const results = await requester.send('upsertLeads', (options) =>
        crm.upsertLeads(
          inputs.map((item) => item.input),
          options,
        ),
      );
      if (results.length !== batch.length) {
        throw new SdrError(`${crm.provider} upsertLeads answered ${results.length} results for ${batch.length} leads`);
      }
      for (const [index, work] of batch.entries()) {
        const result = results[index];
        const item = inputs[index];
        if (result === undefined || item === undefined) continue;
        work.lead = await this.storeLink(item.lead, result.lead);
        work.known = syncedAfterUpsert(result, item.desired);
        work.knownChanged = true;
      }
    };
    const unlinked = this.pending((candidate) => candidate.lead?.crmLeadId === null && candidate.desired !== null);
    for (const all of chunks(unlinked, crm.capabilities.maxBatchSize)) {
      const chunk = all.filter((work) => work.outcome.kind === 'pending');
      if (chunk.length === 0 || !this.mayRequest(chunk)) continue;
      await this.attempt(
        chunk,
        () => linkBatch(chunk),
        (work) => linkBatch([work]),
      );
    }
  }

  async patch(): Promise<void> {
    const changed: LeadSyncWork[] = [];
    for (const work of this.pending(isLinked)) {
      if (work.desired === null) continue;
      const diff = diffCrmState(work.known, work.desired);
      this.diffs.set(work, diff);
      if (diff.change === null) this.learn(work);
      else changed.push(work);
    }
    const { crm, requester } = this.context;
    const send = async (batch: readonly LeadSyncWork[]) => {
      await requester.send('updateLeads', (options) =>
        crm.updateLeads(
          batch.map((work) => this.patchOf(work)),
          options,
        ),
      );
      for (const work of batch) this.learn(work);
    };
    // Without `batchUpdate` every patch is its own request anyway: one per call tells which lead failed.
    for (const all of chunks(changed, crm.capabilities.batchUpdate ? crm.capabilities.maxBatchSize : 1)) {
      const chunk = all.filter((work) => work.outcome.kind === 'pending');
      if (chunk.length === 0 || !this.mayRequest(chunk)) continue;
      const [only] = chunk;
      await this.attempt(
        chunk,
        () => (chunk.length === 1 && only !== undefined ? this.isolate(only, send) : send(chunk)),
        (work) => this.isolate(work, send),
      );
    }
  }

  /**
   * Sends one lead's patch; when the CRM refuses parts of it by name, sends the rest without them
   * (the refused parts count as written, so they are not sent again until the lead changes them).
   */
  private async isolate(work: LeadSyncWork, send: (batch: readonly LeadSyncWork[]) => Promise<void>): Promise<void> {
    for (let round = 1; ; round += 1) {
      try {
        await send([work]);
        return;
      } catch (error) {
        const diff = this.diffs.get(work);
        const split = diff?.change ? refusedParts(error, diff.change) : null;
        if (diff === undefined || split === null || round >= maxIsolationRounds) throw error;
        work.refused.push(...split.refused);
        const rest = Object.keys(split.rest).length === 0 ? null : split.rest;
        this.diffs.set(work, { change: rest, next: diff.next });
        if (rest === null) {
          this.learn(work);
          return;
        }
      }
    }
  }

  async notes(): Promise<void> {
    const { crm, requester } = this.context;
    const batched = crm.capabilities.batchNotes;
    const send = async (items: readonly NoteItem[]) => {
      const notes = items.flatMap((item) => item.notes);
      // Without `batchNotes` every note is its own request anyway: one call per note, in order.
      for (const batch of batched ? [notes] : notes.map((note) => [note])) {
        const results = await requester.send('addNotes', (options) => crm.addNotes(batch, options));
        this.notesCreated += results.filter((result) => result.created).length;
      }
    };
    const size = batched ? crm.capabilities.maxBatchSize : 1;
    const sendSingly = async (work: LeadSyncWork) => {
      for (const item of noteItems([work], size)) await send([item]);
    };
    for (const batch of noteBatches(this.pending(isLinked), size)) {
      // A lead whose earlier notes failed (or were held back) in this pass must not get its later ones out of order.
      const items = batch.filter((item) => item.work.outcome.kind === 'pending');
      const works = [...new Set(items.map((item) => item.work))];
      if (works.length === 0 || !this.mayRequest(works)) continue;
      await this.attempt(works, () => send(items), sendSingly);
    }
  }

  /** Runs `request` for `works`; on a permanent failure of several leads, tries them one by one. */
  private async attempt(
    works: readonly LeadSyncWork[],
    request: () => Promise<void>,
    single: (work: LeadSyncWork) => Promise<void>,
  ): Promise<void> {
    try {
      await request();
    } catch (error) {
      if (works.length === 1 || classifyError(error).transient || isSuspectedBlock(error)) {
        await this.fail(works, error);
        return;
      }
      for (const work of works) {
        if (work.outcome.kind !== 'pending' || !this.mayRequest([work])) continue;
        try {
          await single(work);
        } catch (singleError) {
          await this.fail([work], singleError);
        }
      }
    }
  }

  /** Records why `works` failed and whether the rest of the tenant's pass goes on. */
  private async fail(works: readonly LeadSyncWork[], error: unknown): Promise<void> {
    const { clock, logger, tenant, requester } = this.context;
    if (AbortedError.isInstance(error)) {
      // The pass stopped calling (stop, or the lease ending): not the CRM's failure, nothing to back off.
      this.release(works, error, requester.stopped() ?? 'stopped');
      return;
    }
    if (isSuspectedBlock(error)) {
      this.blocked = true;
      await blockAccount({ ...this.context, tenantId: tenant.id, error });
      const at = new Date(clock.now().getTime() + this.context.blockedRecheckMs);
      for (const work of [...works, ...this.pending()]) work.outcome = { kind: 'retry', error, at, code: 'crm_blocked' };
      return;
    }
    if (classifyError(error).transient) {
      this.unavailable = error;
      for (const work of works) work.outcome = { kind: 'retry', error };
      // The CRM is failing: the leads not tried yet wait with the ones that failed.
      for (const work of this.pending()) work.outcome = { kind: 'retry', error };
      return;
    }
    for (const work of works) {
      const lead = work.lead;
      if (NotFoundError.isInstance(error) && lead?.crmLeadId) {
        // The CRM lead was deleted: forget the link, and the next pass creates (or finds) it again.
        logger.warn({ tenantId: tenant.id, leadId: work.leadId }, 'the CRM lead is gone: linking the lead again');
        work.lead = await this.storeLink(lead, null).catch(() => lead);
        work.knownChanged = false;
        work.outcome = { kind: 'retry', error, at: clock.now(), code: 'crm_lead_missing' };
      } else work.outcome = { kind: 'dead', error };
    }
  }

  /**
   * Whether a request for `works` may start now. After `stop()`, or once the claim's lease is
   * about to end, it may not: those leads are released — available again at once, to this worker
   * or another — while leads that need no more requests still finish.
   */
  private mayRequest(works: readonly LeadSyncWork[]): boolean {
    const stopped = this.context.requester.stopped();
    if (stopped === null) return true;
    const message = stopped === 'stopped' ? 'the CRM sync was stopped' : 'the claim lease is about to end';
    this.release(works, new AbortedError({ provider: this.context.crm.provider, operation: 'sync', message }), stopped);
    return false;
  }

  private release(works: readonly LeadSyncWork[], error: unknown, code: string): void {
    const at = this.context.clock.now();
    for (const work of works) work.outcome = { kind: 'retry', error, at, code };
  }

  private pending(filter: (work: LeadSyncWork) => boolean = () => true): LeadSyncWork[] {
    return this.works.filter((work) => work.outcome.kind === 'pending' && filter(work));
  }

  private patchOf(work: LeadSyncWork): CrmLeadPatch {
    const change = this.diffs.get(work)?.change;
    if (!work.lead?.crmLeadId || !change) throw new SdrError(`the CRM sync has no patch for lead ${work.leadId}`);
    return toCrmPatch(work.lead.crmLeadId, change);
  }

  /** The CRM now holds the result of the lead's diff. */
  private learn(work: LeadSyncWork): void {
    const diff = this.diffs.get(work);
    if (diff === undefined || (work.known !== null && sameSyncedState(diff.next, work.known))) return;
    work.known = diff.next;
    work.knownChanged = true;
  }

  /** Stores (or, with `null`, clears) the CRM ids on the lead, re-reading it after a concurrent update. */
  private async storeLink(lead: Lead, crmLead: CrmLead | null): Promise<Lead> {
    const { store } = this.context;
    let current = lead;
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Linking is the sync's bookkeeping, not a change of the lead: `updatedAt` stays.
        return await store.leads.update({ ...current, crmLeadId: crmLead?.leadId ?? null, crmContactId: crmLead?.contactId ?? null });
      } catch (error) {
        if (!VersionConflictError.isInstance(error) || attempt >= 3) throw error;
        const fresh = await store.leads.get(lead.tenantId, lead.id);
        if (fresh === null) throw error;
        current = fresh;
      }
    }
  }
}

function isLinked(work: LeadSyncWork): boolean {
  return Boolean(work.lead?.crmLeadId);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/** Notes of one lead that travel together in one request. */
interface NoteItem {
  readonly work: LeadSyncWork;
  readonly notes: readonly CrmNoteInput[];
}

/** A lead's notes as requests of at most `size` notes, in order. */
function noteItems(works: readonly LeadSyncWork[], size: number): NoteItem[] {
  return works.flatMap((work) => {
    const leadId = work.lead?.crmLeadId;
    if (!leadId) return [];
    const notes = work.notes.map((note) => ({ leadId, text: note.text, idempotencyKey: note.key }));
    return chunks(notes, size).map((part) => ({ work, notes: part }));
  });
}

/** Packs the notes of several leads into requests of at most `size` notes, each lead's in order. */
function noteBatches(works: readonly LeadSyncWork[], size: number): NoteItem[][] {
  const batches: NoteItem[][] = [];
  let current: NoteItem[] = [];
  let count = 0;
  for (const item of noteItems(works, size)) {
    if (count + item.notes.length > size) {
      batches.push(current);
      current = [];
      count = 0;
    }
    current.push(item);
    count += item.notes.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
