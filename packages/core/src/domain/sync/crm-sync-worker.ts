/**
 * The CRM sync worker (SPEC §4.7): applies the `crm` outbox to each tenant's CRM, so that the
 * reply path never waits for the CRM and the CRM still ends up showing what the store holds.
 *
 * A pass claims the pending entries of up to `batchLeads` leads (all of a lead's entries at once,
 * in order: that is the coalescing), groups them by tenant, and per tenant projects each lead's
 * desired CRM state from the store, diffs it against the state last synced and applies only the
 * difference — batched per call (`sync-tenant-pass.ts`); the CRM paces its own requests under the
 * account's limit. Tenants run concurrently; the calls of one tenant run one after the other.
 *
 * An account with an open `crm_blocked` alert is not called at all: its entries are held (not
 * lost) and looked at again every `blockedRecheckMs` until an operator resolves the alert.
 *
 * An account that failed transiently (down, 5xx) is backed off **as a whole**: until its next
 * probe, none of its leads is tried, whichever pass claims them — so an outage costs one request
 * per backoff interval, not one per lead, and every lead of the account resumes together.
 *
 * **Virtual time.** A CRM pacing its requests waits on the clock for their tokens; on a
 * `VirtualClock` a pass then stays pending until the clock is advanced (a driver advances it to
 * `clock.nextTimerAt()` until the pass settles).
 */
import { ConflictError, ProviderUnavailableError } from '../../errors/index.js';
import { describeError } from '../dispatch/emit-safely.js';
import { createPassLoop, type PassLoopStopOptions, type PassSignals } from '../workers/pass-loop.js';
import type { CrmPort } from '../../ports/crm/crm-port.js';
import type { OutboxEntry } from '../model/outbox.js';
import { decideRetry } from '../retry/retry-policy.js';
import { crmAccountKey, isAccountBlocked } from './crm-account.js';
import { createCrmRequester } from './crm-requester.js';
import { resolveCrmSyncSettings, type CrmSyncSettings, type CrmSyncWorkerOptions } from './crm-sync-options.js';
import { loadLeadSyncWork, settleLeadSyncWork, type LeadSyncWork } from './lead-sync-work.js';
import { runTenantPass } from './sync-tenant-pass.js';

/** What one pass did. */
export interface CrmSyncRunReport {
  /** Entries claimed. */
  readonly claimed: number;
  /** Leads those entries belong to. */
  readonly leads: number;
  /** Leads whose entries were applied (or had nothing to apply). */
  readonly synced: number;
  /** Leads whose entries wait for another attempt (CRM down, account blocked, pass stopped). */
  readonly retried: number;
  /** Entries dead-lettered: permanent failures and entries that cannot be applied. */
  readonly dead: number;
  /** CRM port calls made, refused ones included (the CRM may send several requests for one call). */
  readonly calls: number;
  readonly notesCreated: number;
  /** Accounts found or newly marked blocked in this pass. */
  readonly blockedAccounts: readonly string[];
  /** Entries of dead workers returned to pending before the claim. */
  readonly recovered: number;
}

const emptyReport: CrmSyncRunReport = Object.freeze({
  claimed: 0,
  leads: 0,
  synced: 0,
  retried: 0,
  dead: 0,
  calls: 0,
  notesCreated: 0,
  blockedAccounts: [],
  recovered: 0,
});

/** The running worker. */
export interface CrmSyncWorker {
  readonly workerId: string;
  /** One pass (stuck recovery when due, claim, apply, settle). Throws only when the claim itself fails. */
  runOnce(): Promise<CrmSyncRunReport>;
  /** Starts the loop: passes back to back while they claim full batches, `pollIntervalMs` apart otherwise. */
  start(): void;
  /**
   * Stops: no new claims; the pass in progress stops before its next request and releases what
   * it had not finished (its entries are available again at once). Resolves when it has, or when
   * `deadlineMs` (default 30 s, on the clock) has passed: the pass is then abandoned, and what it
   * still holds returns when its lease expires.
   */
  stop(options?: PassLoopStopOptions): Promise<void>;
  /** When a pass last completed: a heartbeat for health checks; `null` before the first. */
  readonly lastHeartbeatAt: Date | null;
}

/** Creates the worker; bad options are a `ValidationError`. */
export function createCrmSyncWorker(options: CrmSyncWorkerOptions): CrmSyncWorker {
  const settings = resolveCrmSyncSettings(options);
  const { store, clock } = options;
  const { workerId, logger } = settings;
  const outages = new Map<string, AccountOutage>();
  let lastRecoveryAt: number | null = null;

  const runPass = async ({ signal }: PassSignals): Promise<CrmSyncRunReport> => {
    let recovered = 0;
    if (lastRecoveryAt === null || clock.now().getTime() - lastRecoveryAt >= settings.stuckRecoveryIntervalMs) {
      recovered = await store.outbox.recoverStuck({ now: clock.now() });
      lastRecoveryAt = clock.now().getTime();
      if (recovered > 0) logger.warn({ workerId, recovered }, 'recovered CRM outbox entries whose lease expired');
    }
    // A stop that arrived during recovery must not be followed by a claim.
    if (signal.aborted) return { ...emptyReport, recovered };
    const claimedAt = clock.now();
    const entries = await store.outbox.claim({
      topic: 'crm',
      now: claimedAt,
      workerId,
      leaseMs: settings.leaseMs,
      maxAggregates: settings.batchLeads,
    });
    // Stop taking work with a tenth of the lease left, so that settling happens while it holds.
    const deadline = claimedAt.getTime() + Math.floor(settings.leaseMs * 0.9);
    const byTenant = groupByTenant(entries);
    const reports = await Promise.all(
      [...byTenant].map(([tenantId, groups]) => syncTenant({ tenantId, groups, signal, deadline, options, settings, outages })),
    );
    return {
      claimed: entries.length,
      leads: reports.reduce((sum, report) => sum + report.leads, 0),
      synced: reports.reduce((sum, report) => sum + report.synced, 0),
      retried: reports.reduce((sum, report) => sum + report.retried, 0),
      dead: reports.reduce((sum, report) => sum + report.dead, 0),
      calls: reports.reduce((sum, report) => sum + report.calls, 0),
      notesCreated: reports.reduce((sum, report) => sum + report.notesCreated, 0),
      blockedAccounts: [...new Set(reports.flatMap((report) => (report.blockedAccount === null ? [] : [report.blockedAccount])))],
      recovered,
    };
  };

  const loop = createPassLoop<CrmSyncRunReport>({
    name: 'CRM sync worker',
    clock,
    pass: runPass,
    intervalMs: settings.pollIntervalMs,
    more: (report) => report.leads >= settings.batchLeads,
    logger,
    logFields: { workerId },
  });

  return {
    workerId,
    runOnce: () => loop.runOnce(),
    start() {
      if (loop.running) return;
      const lastRecovery = lastRecoveryAt;
      lastRecoveryAt = null;
      try {
        loop.start();
      } catch (error) {
        lastRecoveryAt = lastRecovery;
        throw error;
      }
    },
    stop: (stopOptions) => loop.stop(stopOptions),
    get lastHeartbeatAt() {
      return loop.lastHeartbeatAt;
    },
  };
}

/** An account that failed transiently: how many passes in a row, and when it may be tried again. */
interface AccountOutage {
  readonly failures: number;
  readonly until: number;
}

type TenantReport = Pick<CrmSyncRunReport, 'leads' | 'synced' | 'retried' | 'dead' | 'calls' | 'notesCreated'> & {
  readonly blockedAccount: string | null;
};

/** Syncs the claimed leads of one tenant and settles their entries, whatever happened. */
async function syncTenant(input: {
  readonly tenantId: string;
  readonly groups: readonly OutboxEntry[][];
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly options: CrmSyncWorkerOptions;
  readonly settings: CrmSyncSettings;
  readonly outages: Map<string, AccountOutage>;
}): Promise<TenantReport> {
  const { options, settings, groups } = input;
  const { store, clock } = options;
  const settle = (works: readonly LeadSyncWork[]) => settleLeadSyncWork(works, { store, clock, ...settings });
  const tenant = await store.tenants.get(input.tenantId);
  if (tenant === null) {
    // Nothing can be synced for a tenant that is gone; its entries are dead-lettered, not retried forever.
    const works = groups.map((entries) => heldWork(entries, { kind: 'done' }, `tenant ${input.tenantId} does not exist`));
    const counts = await settle(works);
    return { leads: groups.length, ...counts, calls: 0, notesCreated: 0, blockedAccount: null };
  }
  let crm: CrmPort;
  try {
    crm = options.crmFor(tenant);
  } catch (error) {
    // A tenant whose CRM cannot be built (missing credentials): its leads wait, with backoff.
    settings.logger.error({ tenantId: tenant.id, error: describeError(error) }, 'no CRM for the tenant');
    const counts = await settle(groups.map((entries) => heldWork(entries, { kind: 'retry', error, code: 'crm_unavailable' })));
    return { leads: groups.length, ...counts, calls: 0, notesCreated: 0, blockedAccount: null };
  }
  const account = crmAccountKey(tenant, crm);
  if (await isAccountBlocked(store, tenant.id, account)) {
    const at = new Date(clock.now().getTime() + settings.blockedRecheckMs);
    const error = new ConflictError(`CRM account ${account} is blocked until an operator resolves its crm_blocked alert`);
    const counts = await settle(groups.map((entries) => heldWork(entries, { kind: 'retry', error, at, code: 'crm_blocked' })));
    return { leads: groups.length, ...counts, calls: 0, notesCreated: 0, blockedAccount: account };
  }
  const outage = input.outages.get(account);
  if (outage !== undefined && outage.until > clock.now().getTime()) {
    const error = new ProviderUnavailableError({
      provider: crm.provider,
      operation: 'sync',
      message: 'waiting for the next probe of the account',
    });
    const at = new Date(outage.until);
    const counts = await settle(groups.map((entries) => heldWork(entries, { kind: 'retry', error, at, code: 'crm_unavailable' })));
    return { leads: groups.length, ...counts, calls: 0, notesCreated: 0, blockedAccount: null };
  }
  const works = await Promise.all(groups.map((entries) => loadLeadSyncWork(store, tenant, entries)));
  const requester = createCrmRequester({
    clock,
    account,
    maxThrottleWaits: settings.maxThrottleWaits,
    logger: settings.logger,
    signal: input.signal,
    deadline: input.deadline,
  });
  const result = await runTenantPass(works, {
    tenant,
    account,
    crm,
    requester,
    store,
    clock,
    events: options.events,
    logger: settings.logger,
    blockedRecheckMs: settings.blockedRecheckMs,
  });
  if (result.unavailable === undefined) input.outages.delete(account);
  else holdAccount({ account, works, error: result.unavailable, outages: input.outages, settings, now: clock.now() });
  const counts = await settle(works);
  return {
    leads: groups.length,
    ...counts,
    calls: requester.calls,
    notesCreated: result.notesCreated,
    blockedAccount: result.blocked ? account : null,
  };
}

/**
 * Backs the account off after a transient failure: the next probe is the policy's backoff after
 * this many failures in a row, and every lead of this pass waiting for a retry waits for it.
 */
function holdAccount(input: {
  readonly account: string;
  readonly works: readonly LeadSyncWork[];
  readonly error: unknown;
  readonly outages: Map<string, AccountOutage>;
  readonly settings: CrmSyncSettings;
  readonly now: Date;
}): void {
  const failures = (input.outages.get(input.account)?.failures ?? 0) + 1;
  const { retryPolicy, random } = input.settings;
  const decision = decideRetry({
    error: input.error,
    attemptsMade: failures,
    policy: { ...retryPolicy, maxAttempts: Number.POSITIVE_INFINITY },
    random,
  });
  const until = input.now.getTime() + (decision.retry ? decision.delayMs : retryPolicy.maxDelayMs);
  input.outages.set(input.account, { failures, until });
  for (const work of input.works) {
    if (work.outcome.kind === 'retry' && work.outcome.at === undefined) work.outcome = { ...work.outcome, at: new Date(until) };
  }
}

/** A lead whose entries are settled without being looked at: held for later, or — with `invalidReason` — dead-lettered. */
function heldWork(entries: readonly OutboxEntry[], outcome: LeadSyncWork['outcome'], invalidReason?: string): LeadSyncWork {
  return {
    leadId: entries[0]?.aggregateId ?? '',
    entries: invalidReason === undefined ? entries : [],
    invalid: invalidReason === undefined ? [] : entries.map((entry) => ({ entry, reason: invalidReason })),
    lead: null,
    stored: null,
    desired: null,
    refused: [],
    known: null,
    knownChanged: false,
    notes: [],
    outcome,
  };
}

/** Claimed entries per tenant, then per lead, each lead's in sequence order. */
function groupByTenant(entries: readonly OutboxEntry[]): Map<string, OutboxEntry[][]> {
  const leads = new Map<string, { readonly tenantId: string; readonly entries: OutboxEntry[] }>();
  for (const entry of [...entries].sort((a, b) => a.sequence - b.sequence)) {
    const key = `${entry.tenantId}\u0000${entry.aggregateType}\u0000${entry.aggregateId}`;
    const group = leads.get(key);
    if (group) group.entries.push(entry);
    else leads.set(key, { tenantId: entry.tenantId, entries: [entry] });
  }
  const tenants = new Map<string, OutboxEntry[][]>();
  for (const { tenantId, entries: group } of leads.values()) {
    const groups = tenants.get(tenantId);
    if (groups) groups.push(group);
    else tenants.set(tenantId, [group]);
  }
  return tenants;
}
