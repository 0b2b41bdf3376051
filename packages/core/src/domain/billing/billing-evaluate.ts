/**
 * What an import does with one item, decided against the stored state: `invalid` (field
 * errors), `duplicate` (nothing written), `created` (a new cycle and its plan) or `updated` (an
 * active cycle with the same `externalBillingId` takes the item's new amount, currency,
 * metadata or customer data; its schedule is kept).
 *
 * The same decision is made for a dry run — against the committed store plus what the earlier
 * items of the batch would write — and inside each chunk's transaction when writing, so a dry
 * run shows exactly what the import writes.
 */
import type { FieldError } from '../../errors/index.js';
import type { PhoneNumber } from '../identity/phone-number.js';
import type { BillingCycle, BillingPlanStep, Contact } from '../model/billing.js';
import { skipReasonSchema } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import type { ResolvedTemplate } from '../templates/resolve-template.js';
import type { BusinessCalendar } from '../time/business-calendar.js';
import { addLocalDays, toZonedIso } from '../time/local-time.js';
import type { BillingItem, BillingItemParseResult } from './billing-batch.js';
import { upsertContact, type ContactWrite } from './billing-contacts.js';
import { billingCycleIdFor, billingStepMessageIdFor } from './billing-ids.js';
import { billingStepTemplateKey, planBillingSteps, type PlannedBillingStep } from './billing-planner.js';
import { billingMessageVariables, renderBillingMessage } from './billing-render.js';
import { canonicalJson } from './canonical-json.js';

/** The result status of an item. */
export type BillingItemStatus = 'created' | 'updated' | 'duplicate' | 'invalid';

/** The decision for one item; see the module comment. */
export type BillingItemDecision =
  | {
      readonly status: 'invalid';
      readonly index: number;
      readonly externalBillingId: string | null;
      readonly errors: readonly FieldError[];
    }
  | {
      readonly status: 'duplicate';
      readonly index: number;
      readonly externalBillingId: string;
      readonly errors: readonly FieldError[];
      /** The active cycle it duplicates, when stored (`null`: an earlier item of the batch). */
      readonly billingCycleId: string | null;
      readonly recipient: PhoneNumber;
    }
  | {
      readonly status: 'created' | 'updated';
      readonly index: number;
      readonly item: BillingItem;
      readonly contact: ContactWrite;
      /** The cycle as it is written (for `updated`: with the stored version the update expects). */
      readonly cycle: BillingCycle;
      /** `updated` only: whether the cycle itself changed (not only its contact). */
      readonly cycleChanged: boolean;
      readonly steps: readonly PlannedBillingStep[];
    };

/** Reads of the state an item is decided against. */
export interface BillingStateReader {
  contactByPhone(phone: PhoneNumber): Promise<Contact | null>;
  activeCycle(externalBillingId: string): Promise<BillingCycle | null>;
  cycleIdTaken(id: string): Promise<boolean>;
}

/** Resolves (once per import) the template of a requested key, falling back to the generic one. */
type BillingTemplateSource = (key: string) => Promise<ResolvedTemplate>;

/** What every item of one import is decided with. */
export interface BillingImportContext {
  readonly tenant: Tenant;
  readonly now: Date;
  /** Today in the tenant's zone. */
  readonly today: string;
  readonly calendar: BusinessCalendar;
  /** The resolved template of each configured step key. */
  readonly stepTemplates: Readonly<Record<string, ResolvedTemplate>>;
  readonly templates: BillingTemplateSource;
}

/**
 * Decides one item. `claims` maps each `externalBillingId` already taken by an earlier valid
 * item of the batch to that item's index; this call adds its own claim. An invalid item claims
 * nothing, so a corrected repeat later in the batch is still imported.
 */
export async function evaluateBillingItem(
  parsed: BillingItemParseResult,
  options: { readonly context: BillingImportContext; readonly reader: BillingStateReader; readonly claims: Map<string, number> },
): Promise<BillingItemDecision> {
  if (!parsed.ok) return { status: 'invalid', index: parsed.index, externalBillingId: parsed.externalBillingId, errors: parsed.errors };
  const { item } = parsed;
  const { context, reader, claims } = options;
  const earlier = claims.get(item.externalBillingId);
  if (earlier !== undefined && earlier !== item.index) {
    return duplicate(item, null, [{ field: 'externalBillingId', message: `repeats item ${earlier} of this batch` }]);
  }
  claims.set(item.externalBillingId, item.index);

  const contact = upsertContact(
    await reader.contactByPhone(item.customer.phone),
    { tenantId: context.tenant.id, phone: item.customer.phone, name: item.customer.name, email: item.customer.email },
    context.now,
  );
  const active = await reader.activeCycle(item.externalBillingId);
  if (active) return compareWithActive(item, active, contact, context);

  const billingCycleId = await freeCycleId(context.tenant.id, item.externalBillingId, reader);
  const steps = planBillingSteps({
    billingCycleId,
    dueDate: item.dueDate,
    today: context.today,
    timeZone: context.tenant.timeZone,
    sendTime: context.tenant.billing.sendTime,
    steps: context.tenant.billing.steps,
    calendar: context.calendar,
    recipientOptedOut: contact.contact.optedOut,
    templates: context.stepTemplates,
    variables: variablesFor(item, context.tenant),
  });
  const cycle: BillingCycle = {
    id: billingCycleId,
    tenantId: context.tenant.id,
    externalBillingId: item.externalBillingId,
    contactId: contact.contact.id,
    amount: item.amount,
    currency: item.currency,
    dueDate: item.dueDate,
    status: 'active',
    steps: steps.map((step) => toStoredStep(billingCycleId, step)),
    metadata: { ...item.metadata },
    createdAt: context.now,
    updatedAt: context.now,
    version: 0,
  };
  return { status: 'created', index: item.index, item, contact, cycle, cycleChanged: true, steps };
}

/**
 * An active cycle has this `externalBillingId`. Same schedule inputs (due date, customer) ⇒ an
 * exact re-import is `duplicate`, a corrected amount, currency, metadata or customer name/email
 * is `updated`. A different due date or phone would need a new schedule — possibly after
 * reminders already went out — which an import does not guess: `duplicate`, with the reason.
 */
async function compareWithActive(
  item: BillingItem,
  active: BillingCycle,
  contact: ContactWrite,
  context: BillingImportContext,
): Promise<BillingItemDecision> {
  const conflicts: FieldError[] = [];
  if (active.dueDate !== item.dueDate) {
    conflicts.push({
      field: 'dueDate',
      message: `differs from the active cycle of this externalBillingId (due ${active.dueDate}); cancel that cycle to import a new schedule`,
    });
  }
  if (active.contactId !== contact.contact.id) {
    conflicts.push({
      field: 'customer.phone',
      message: 'differs from the phone of the active cycle of this externalBillingId; cancel that cycle to import it for another contact',
    });
  }
  if (conflicts.length > 0) return duplicate(item, active.id, conflicts);
  const cycleChanged =
    active.amount !== item.amount || active.currency !== item.currency || canonicalJson(active.metadata) !== canonicalJson(item.metadata);
  if (!cycleChanged && contact.action === 'none') {
    return duplicate(item, active.id, [
      { field: 'externalBillingId', message: 'an active billing cycle with this id and the same data exists' },
    ]);
  }
  const cycle: BillingCycle = cycleChanged
    ? { ...active, amount: item.amount, currency: item.currency, metadata: { ...item.metadata }, updatedAt: context.now }
    : active;
  const variables = variablesFor(item, context.tenant);
  const steps: PlannedBillingStep[] = [];
  for (const stored of active.steps) steps.push(await keptStep({ stored, cycle, variables, context }));
  return { status: 'updated', index: item.index, item, contact, cycle, cycleChanged, steps };
}

/** A step of an active cycle, as planned at its import, rendered with the updated values. */
async function keptStep(input: {
  readonly stored: BillingPlanStep;
  readonly cycle: BillingCycle;
  readonly variables: Readonly<Record<string, string>>;
  readonly context: BillingImportContext;
}): Promise<PlannedBillingStep> {
  const { stored, cycle, context } = input;
  const template = await context.templates(stored.templateKey);
  const rendered = renderBillingMessage({
    template,
    seed: `${cycle.id}:${stored.step}`,
    variables: input.variables,
    variationId: stored.variationId,
  });
  const sendAt = toZonedIso(stored.sendAt, context.tenant.timeZone);
  const stepDate = addLocalDays(cycle.dueDate, stored.offsetDays);
  const skipReason = skipReasonSchema.safeParse(stored.skipReason);
  return {
    step: stored.step,
    offsetDays: stored.offsetDays,
    stepDate,
    sendAt: stored.sendAt,
    requestedTemplateKey: stored.templateKey,
    templateKey: template.key,
    templateLocale: template.locale,
    variationId: rendered.variationId,
    text: rendered.text,
    status: stored.status,
    skipReason: skipReason.success ? skipReason.data : null,
    explanation: {
      rule: 'billing.step',
      step: stored.step,
      offsetDays: stored.offsetDays,
      dueDate: cycle.dueDate,
      stepDate,
      today: context.today,
      sendTime: context.tenant.billing.sendTime,
      timeZone: context.tenant.timeZone,
      nominalAt: sendAt,
      sendAt,
      shifts: [],
      decision: 'kept from the plan of the active cycle: the update changed its amount or customer data, not its schedule',
    },
  };
}

function duplicate(item: BillingItem, billingCycleId: string | null, errors: readonly FieldError[]): BillingItemDecision {
  return {
    status: 'duplicate',
    index: item.index,
    externalBillingId: item.externalBillingId,
    errors,
    billingCycleId,
    recipient: item.customer.phone,
  };
}

/** The first generation of this charge's id not taken by an earlier (paid, cancelled, completed) cycle. */
async function freeCycleId(tenantId: string, externalBillingId: string, reader: BillingStateReader): Promise<string> {
  for (let generation = 0; ; generation += 1) {
    const id = billingCycleIdFor({ tenantId, externalBillingId, generation });
    if (!(await reader.cycleIdTaken(id))) return id;
  }
}

function variablesFor(item: BillingItem, tenant: Tenant): Record<string, string> {
  return billingMessageVariables({
    customerName: item.customer.name,
    businessName: tenant.name,
    amount: item.amount,
    currency: item.currency,
    dueDate: item.dueDate,
    externalBillingId: item.externalBillingId,
    locale: tenant.locale,
  });
}

function toStoredStep(billingCycleId: string, step: PlannedBillingStep): BillingPlanStep {
  return {
    step: step.step,
    offsetDays: step.offsetDays,
    sendAt: step.sendAt,
    templateKey: step.requestedTemplateKey,
    variationId: step.variationId,
    status: step.status,
    skipReason: step.skipReason,
    scheduledMessageId: step.status === 'scheduled' ? billingStepMessageIdFor({ billingCycleId, step: step.step }) : null,
  };
}

/** The template keys the tenant's steps ask for. */
export function stepTemplateKeys(tenant: Tenant): string[] {
  return [...new Set(tenant.billing.steps.map((step) => billingStepTemplateKey(step)))];
}
