/**
 * The public result of a billing import or dry run — per item its status, errors and planned
 * messages, a summary, and the plan hash — and the projection of a decision that the hash (and
 * the check of `applyPlan`) is computed over.
 */
import type { FieldError } from '../../errors/index.js';
import type { JsonValue } from '../model/common.js';
import type { SkipReason } from '../model/scheduled-message.js';
import type { ResolvedTemplate } from '../templates/resolve-template.js';
import type { BillingItemDecision, BillingItemStatus, BillingImportContext } from './billing-evaluate.js';
import type { BillingStepExplanation, PlannedBillingStep } from './billing-planner.js';
import { canonicalHash } from './canonical-json.js';

/** One message of the plan. */
export interface BillingPlanMessage {
  /** `D-3`, `D0`, `D+3`. */
  readonly step: string;
  readonly offsetDays: number;
  readonly sendAt: Date;
  /** The recipient's phone, masked (`+55119****4321`). */
  readonly recipient: string;
  /** The template used (the step's own, or the generic `billing_step`). */
  readonly templateKey: string;
  readonly variationId: string;
  readonly text: string;
  readonly status: 'scheduled' | 'skipped';
  readonly skipReason: SkipReason | null;
  readonly explanation: BillingStepExplanation;
}

/** The outcome of one item of the batch. */
export interface BillingImportItemResult {
  /** Position in the batch (0-based). */
  readonly index: number;
  readonly externalBillingId: string | null;
  readonly status: BillingItemStatus;
  /** Field errors of an `invalid` item; the reason of a `duplicate`. */
  readonly errors: readonly FieldError[];
  readonly billingCycleId: string | null;
  /** The recipient's phone, masked; `null` for an invalid item. */
  readonly recipient: string | null;
  /** The plan of a `created` cycle; the kept plan of an `updated` one; empty otherwise. */
  readonly messages: readonly BillingPlanMessage[];
}

/** Counts over the items; `messages` and `skipped` count the steps this import plans for new cycles. */
export interface BillingImportSummary {
  readonly created: number;
  readonly updated: number;
  readonly duplicate: number;
  readonly invalid: number;
  readonly messages: number;
  readonly skipped: number;
}

/** What an import or a dry run returns. */
export interface BillingImportResult {
  /** SHA-256 (hex) of everything the plan is made of: pass it to `applyPlan` to write exactly this plan. */
  readonly planHash: string;
  readonly dryRun: boolean;
  /** The tenant-local date the plan was made for. */
  readonly today: string;
  readonly summary: BillingImportSummary;
  readonly items: readonly BillingImportItemResult[];
}

/** The public result of one decision. */
export function toItemResult(decision: BillingItemDecision): BillingImportItemResult {
  switch (decision.status) {
    case 'invalid':
      return { ...base(decision), externalBillingId: decision.externalBillingId, billingCycleId: null, recipient: null, messages: [] };
    case 'duplicate':
      return {
        ...base(decision),
        externalBillingId: decision.externalBillingId,
        billingCycleId: decision.billingCycleId,
        recipient: decision.recipient.masked(),
        messages: [],
      };
    case 'created':
    case 'updated': {
      const recipient = decision.contact.contact.phone.masked();
      return {
        ...base(decision),
        externalBillingId: decision.item.externalBillingId,
        billingCycleId: decision.cycle.id,
        recipient,
        messages: decision.steps.map((step) => toPlanMessage(step, recipient)),
      };
    }
  }
}

function base(decision: BillingItemDecision): { index: number; status: BillingItemStatus; errors: readonly FieldError[] } {
  return { index: decision.index, status: decision.status, errors: 'errors' in decision ? decision.errors : [] };
}

function toPlanMessage(step: PlannedBillingStep, recipient: string): BillingPlanMessage {
  return {
    step: step.step,
    offsetDays: step.offsetDays,
    sendAt: step.sendAt,
    recipient,
    templateKey: step.templateKey,
    variationId: step.variationId,
    text: step.text,
    status: step.status,
    skipReason: step.skipReason,
    explanation: step.explanation,
  };
}

/** Counts of a list of decisions. */
export function summarize(decisions: readonly BillingItemDecision[]): BillingImportSummary {
  const count = (status: BillingItemStatus) => decisions.filter((decision) => decision.status === status).length;
  const planned = decisions.flatMap((decision) => (decision.status === 'created' ? decision.steps : []));
  return {
    created: count('created'),
    updated: count('updated'),
    duplicate: count('duplicate'),
    invalid: count('invalid'),
    messages: planned.filter((step) => step.status === 'scheduled').length,
    skipped: planned.filter((step) => step.status === 'skipped').length,
  };
}

/**
 * Everything a decision writes or reports, without the instants of the write (`createdAt`):
 * two decisions with the same projection write the same rows.
 */
export function projectDecision(decision: BillingItemDecision): JsonValue {
  switch (decision.status) {
    case 'invalid':
      return toJson({ ...decision });
    case 'duplicate':
      return toJson({ ...decision, recipient: decision.recipient.e164 });
    case 'created':
    case 'updated': {
      const { createdAt: _createdAt, updatedAt: _updatedAt, ...cycle } = decision.cycle;
      const { createdAt: _contactCreatedAt, updatedAt: _contactUpdatedAt, version: _version, ...contact } = decision.contact.contact;
      return toJson({
        index: decision.index,
        status: decision.status,
        cycle,
        cycleChanged: decision.cycleChanged,
        contact: { action: decision.contact.action, ...contact },
        steps: decision.steps,
      });
    }
  }
}

/** The plan hash: the tenant settings that shape plans, today, the templates used and every decision. */
export function computePlanHash(input: {
  readonly context: BillingImportContext;
  readonly templatesUsed: ReadonlyMap<string, ResolvedTemplate>;
  readonly decisions: readonly BillingItemDecision[];
}): string {
  const { tenant } = input.context;
  return canonicalHash({
    format: 'sdr.billing-plan/1',
    tenant: {
      id: tenant.id,
      name: tenant.name,
      timeZone: tenant.timeZone,
      locale: tenant.locale,
      defaultCountry: tenant.defaultCountry,
      businessHours: tenant.businessHours,
      holidays: tenant.holidays,
      billing: tenant.billing,
    },
    today: input.context.today,
    templates: [...input.templatesUsed.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    items: input.decisions.map(projectDecision),
  });
}

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
