/**
 * Runs a billing import (SPEC §4.5) in one of three modes:
 * - `dry_run`: decides every item against the committed store and returns the full plan and
 *   its hash; writes nothing.
 * - `import`: decides and writes, in chunks of 100 items, each chunk in its own transaction
 *   (contacts, cycles and their scheduled messages stand or fall together).
 * - `apply`: recomputes the dry run, refuses with a `ConflictError` unless its hash is the given
 *   one, then writes — checking, inside each chunk's transaction, that every item still decides
 *   exactly as planned.
 *
 * Duplicates are decided by reading, and guaranteed by the store: when a concurrent import wins
 * the race between the read and the write, the store's `DuplicateError` makes the item decided
 * again, and it comes back `duplicate`.
 */
import { ConflictError, DuplicateError, NotFoundError, VersionConflictError } from '../../errors/index.js';
import type { Contact } from '../model/billing.js';
import type { Tenant } from '../model/tenant.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { deferred, emitCommitted, writeEventsWithin, type DeferredEvent } from '../events/after-commit.js';
import type { DomainEvents } from '../events/domain-events.js';
import { resolveTemplate, type ResolvedTemplate } from '../templates/resolve-template.js';
import { BusinessCalendar } from '../time/business-calendar.js';
import { localParts } from '../time/local-time.js';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import {
  billingImportChunkSize,
  billingItemSchema,
  parseBillingBatch,
  parseBillingItem,
  type BillingItemParseResult,
} from './billing-batch.js';
import { contactAfter } from './billing-contacts.js';
import {
  evaluateBillingItem,
  stepTemplateKeys,
  type BillingImportContext,
  type BillingItemDecision,
  type BillingStateReader,
} from './billing-evaluate.js';
import { assertDistinctStepOffsets, genericBillingTemplateKey } from './billing-planner.js';
import { computePlanHash, projectDecision, summarize, toItemResult, type BillingImportResult } from './billing-plan-result.js';
import { writeBillingDecision } from './billing-write.js';
import { canonicalJson } from './canonical-json.js';

/** What an import needs. */
export interface BillingImportDependencies {
  readonly store: Store;
  readonly clock: Clock;
  /** Receives `billing.cycle_created` and `scheduled.created` after each chunk commits. */
  readonly events?: DomainEvents | undefined;
  readonly logger?: Logger | undefined;
}

/** See the module comment. */
export type BillingImportMode =
  | { readonly kind: 'dry_run' }
  | { readonly kind: 'import' }
  | { readonly kind: 'apply'; readonly planHash: string };

/** Runs an import of `batch` (`{ items: [...] }`) for a tenant; see the module comment. */
export async function runBillingImport(
  dependencies: BillingImportDependencies,
  input: { readonly tenantId: string; readonly batch: unknown; readonly mode: BillingImportMode },
): Promise<BillingImportResult> {
  const { store } = dependencies;
  const logger = dependencies.logger ?? noopLogger;
  const tenant = await store.tenants.get(input.tenantId);
  if (!tenant) throw new NotFoundError('tenant', input.tenantId);
  const envelope = parseBillingBatch(input.batch);
  assertDistinctStepOffsets(tenant.billing.steps);

  const now = dependencies.clock.now();
  const today = localParts(now, tenant.timeZone).date;
  const templatesUsed = new Map<string, ResolvedTemplate>();
  const templates = templateSource(store, tenant, templatesUsed);
  const stepTemplates: Record<string, ResolvedTemplate> = {};
  for (const key of stepTemplateKeys(tenant)) stepTemplates[key] = await templates(key);
  const context: BillingImportContext = {
    tenant,
    now,
    today,
    calendar: BusinessCalendar.fromTenant(tenant, { logger }),
    stepTemplates,
    templates,
  };
  const schema = billingItemSchema({ defaultCountry: tenant.defaultCountry, today });
  const parsed = envelope.items.map((raw, index) => parseBillingItem(raw, { index, schema }));

  let expected: readonly BillingItemDecision[] | undefined;
  if (input.mode.kind !== 'import') {
    const planned = await planItems(context, parsed, store);
    const planHash = computePlanHash({ context, templatesUsed, decisions: planned });
    if (input.mode.kind === 'dry_run') return resultOf({ planHash, dryRun: true, today, decisions: planned });
    if (planHash !== input.mode.planHash) {
      throw new ConflictError(
        `the billing plan changed since it was made: plan hash ${input.mode.planHash} was given, the same batch now plans ${planHash} ` +
          "(the items, the tenant's settings or templates, today's date, or the stored cycles and contacts differ) — run the dry run again",
        { details: { expectedPlanHash: input.mode.planHash, actualPlanHash: planHash } },
      );
    }
    expected = planned;
  }

  const decisions = await writeItems({ dependencies, context, parsed, expected });
  const planHash = computePlanHash({ context, templatesUsed, decisions });
  const result = resultOf({ planHash, dryRun: false, today, decisions });
  logger.info({ tenantId: tenant.id, ...result.summary, planHash }, 'billing batch imported');
  return result;
}

function resultOf(input: {
  readonly planHash: string;
  readonly dryRun: boolean;
  readonly today: string;
  readonly decisions: readonly BillingItemDecision[];
}): BillingImportResult {
  return {
    planHash: input.planHash,
    dryRun: input.dryRun,
    today: input.today,
    summary: summarize(input.decisions),
    items: input.decisions.map(toItemResult),
  };
}

/** Templates resolved once per import (tenant's own, else generic, else built-in); each one used is recorded for the hash. */
function templateSource(store: Store, tenant: Tenant, used: Map<string, ResolvedTemplate>): (key: string) => Promise<ResolvedTemplate> {
  return async (key) => {
    const known = used.get(key);
    if (known) return known;
    const resolved = await resolveTemplate({
      templates: store.templates,
      tenantId: tenant.id,
      key,
      fallbackKey: genericBillingTemplateKey,
      locale: tenant.locale,
    });
    used.set(key, resolved);
    return resolved;
  };
}

/** The dry run: each item decided against the committed store plus what the earlier items would write. */
async function planItems(context: BillingImportContext, parsed: readonly BillingItemParseResult[], store: Repositories) {
  const tenantId = context.tenant.id;
  const contacts = new Map<string, Contact>();
  const cycleIds = new Set<string>();
  const reader: BillingStateReader = {
    contactByPhone: async (phone) =>
      contacts.has(phone.e164) ? (contacts.get(phone.e164) ?? null) : store.contacts.findByPhone(tenantId, phone),
    activeCycle: (externalBillingId) => store.billingCycles.findActiveByExternalId(tenantId, externalBillingId),
    cycleIdTaken: async (id) => cycleIds.has(id) || (await store.billingCycles.get(tenantId, id)) !== null,
  };
  const claims = new Map<string, number>();
  const decisions: BillingItemDecision[] = [];
  for (const entry of parsed) {
    const decision = await evaluateBillingItem(entry, { context, reader, claims });
    if (decision.status === 'created' || decision.status === 'updated') {
      contacts.set(decision.contact.contact.phone.e164, contactAfter(decision.contact));
    }
    if (decision.status === 'created') cycleIds.add(decision.cycle.id);
    decisions.push(decision);
  }
  return decisions;
}

/** Decides and writes chunk by chunk; emits the events of each chunk once it committed. */
async function writeItems(input: {
  readonly dependencies: BillingImportDependencies;
  readonly context: BillingImportContext;
  readonly parsed: readonly BillingItemParseResult[];
  readonly expected: readonly BillingItemDecision[] | undefined;
}): Promise<BillingItemDecision[]> {
  const { dependencies, context } = input;
  const tenantId = context.tenant.id;
  const claims = new Map<string, number>();
  const decisions: BillingItemDecision[] = [];
  for (let start = 0; start < input.parsed.length; start += billingImportChunkSize) {
    const chunk = input.parsed.slice(start, start + billingImportChunkSize);
    const written = await dependencies.store.transaction(async (tx) => {
      const reader: BillingStateReader = {
        contactByPhone: (phone) => tx.contacts.findByPhone(tenantId, phone),
        activeCycle: (externalBillingId) => tx.billingCycles.findActiveByExternalId(tenantId, externalBillingId),
        cycleIdTaken: async (id) => (await tx.billingCycles.get(tenantId, id)) !== null,
      };
      const out: { decision: BillingItemDecision; scheduled: ScheduledMessage[] }[] = [];
      for (const entry of chunk) {
        const result = await decideAndWrite({ tx, entry, context, reader, claims });
        const planned = input.expected?.[result.decision.index];
        if (planned) assertAsPlanned(planned, result.decision);
        out.push(result);
      }
      const events = out.flatMap(({ decision, scheduled }) => writtenEvents({ decision, scheduled, at: context.now, tenantId }));
      await writeEventsWithin(dependencies.events, tx, events);
      return { out, events };
    });
    decisions.push(...written.out.map(({ decision }) => decision));
    emitCommitted(dependencies, written.events);
  }
  return decisions;
}

async function decideAndWrite(input: {
  readonly tx: Repositories;
  readonly entry: BillingItemParseResult;
  readonly context: BillingImportContext;
  readonly reader: BillingStateReader;
  readonly claims: Map<string, number>;
}): Promise<{ decision: BillingItemDecision; scheduled: ScheduledMessage[] }> {
  const decide = () => evaluateBillingItem(input.entry, { context: input.context, reader: input.reader, claims: input.claims });
  const first = await decide();
  try {
    return { decision: first, scheduled: await writeBillingDecision(input.tx, first) };
  } catch (error) {
    if (!DuplicateError.isInstance(error) && !VersionConflictError.isInstance(error)) throw error;
    // A concurrent import wrote this contact or cycle after we read: decide again on what is
    // stored now (the cycle is then found, and the item is a duplicate). A second race fails the chunk.
    const second = await decide();
    return { decision: second, scheduled: await writeBillingDecision(input.tx, second) };
  }
}

function assertAsPlanned(planned: BillingItemDecision, actual: BillingItemDecision): void {
  if (canonicalJson(projectDecision(planned)) === canonicalJson(projectDecision(actual))) return;
  throw new ConflictError(
    `item ${actual.index} no longer matches the plan (planned ${planned.status}, now ${actual.status}): the stored cycles or contacts changed since — run the dry run again`,
    { details: { index: actual.index, planned: planned.status, actual: actual.status } },
  );
}

function writtenEvents(input: {
  readonly decision: BillingItemDecision;
  readonly scheduled: readonly ScheduledMessage[];
  readonly at: Date;
  readonly tenantId: string;
}): DeferredEvent[] {
  const { decision, at, tenantId } = input;
  const created =
    decision.status === 'created'
      ? [
          deferred('billing.cycle_created', {
            tenantId,
            at,
            billingCycleId: decision.cycle.id,
            externalBillingId: decision.item.externalBillingId,
          }),
        ]
      : [];
  return [
    ...created,
    ...input.scheduled.map((message) =>
      deferred('scheduled.created', { tenantId, at, scheduledMessageId: message.id, kind: message.kind, dueAt: message.dueAt }),
    ),
  ];
}
