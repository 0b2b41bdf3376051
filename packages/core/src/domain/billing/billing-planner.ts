/**
 * The billing planner (SPEC §4.5), a pure function: from a cycle's due date, the tenant's steps,
 * send time and business hours, and the tenant-local date of today, it decides when each
 * reminder goes out — or why it does not — picks its template variation, renders its text, and
 * explains every decision.
 *
 * Rules:
 * - Step `D+k` is sent on `dueDate + k` at the tenant's send time (default 10:00 local), moved to
 *   the next business-hours opening when the business is closed then.
 * - A step whose (moved) date is before today is past. The most recent past step is still sent,
 *   today at the send time (moved into business hours) — unless another step falls today;
 *   older past steps are `skipped` as `stale`, so a late import never floods the customer.
 * - Two steps landing on the same local day send only the later one (the earlier is `superseded`).
 * - An opted-out recipient gets nothing: every step is `skipped` as `opted_out`.
 *
 * The plan depends on the local date of today, not on the instant: a dry run and the import
 * that applies it later the same day yield the same plan. A step due earlier today is planned at
 * its time today; the dispatcher sends it at once, at the next opening.
 */
import { ValidationError } from '../../errors/index.js';
import type { SkipReason } from '../model/scheduled-message.js';
import type { ResolvedTemplate } from '../templates/resolve-template.js';
import type { BusinessCalendar } from '../time/business-calendar.js';
import { addLocalDays, localParts, toZonedIso, zonedInstant } from '../time/local-time.js';
import { dueDateRangeProblem } from './billing-batch.js';
import { renderBillingMessage } from './billing-render.js';

/** One configured step: days from the due date and, optionally, its own template key. */
export interface BillingStepConfig {
  readonly offsetDays: number;
  readonly templateKey?: string | undefined;
}

/** The generic billing template, used when a step has no template of its own. */
export const genericBillingTemplateKey = 'billing_step';

/** The label of the step `offsetDays` from the due date: `D-3`, `D0`, `D+3`. */
export function billingStepLabel(offsetDays: number): string {
  if (offsetDays === 0) return 'D0';
  return offsetDays > 0 ? `D+${offsetDays}` : `D${offsetDays}`;
}

/** The template key a step asks for: its configured key, else `billing_d-3`, `billing_d0`, `billing_d+3`… */
export function billingStepTemplateKey(step: BillingStepConfig): string {
  return step.templateKey ?? `billing_${billingStepLabel(step.offsetDays).toLowerCase()}`;
}

/** Throws a `ValidationError` naming `billing.steps` when two steps share an offset (their labels and messages would collide). */
export function assertDistinctStepOffsets(steps: readonly BillingStepConfig[]): void {
  const seen = new Set<number>();
  for (const step of steps) {
    if (seen.has(step.offsetDays)) throw ValidationError.forField('billing.steps', `has two steps with offsetDays ${step.offsetDays}`);
    seen.add(step.offsetDays);
  }
}

/** Why a step is planned as it is; JSON, stored with the scheduled message for `explain`. */
export type BillingStepExplanation = {
  readonly rule: 'billing.step';
  readonly step: string;
  readonly offsetDays: number;
  readonly dueDate: string;
  readonly stepDate: string;
  readonly today: string;
  readonly sendTime: string;
  readonly timeZone: string;
  /** The send time on the step date, before any shift. */
  readonly nominalAt: string;
  readonly sendAt: string;
  /** Each move applied, in order (business hours, catch-up). */
  readonly shifts: readonly string[];
  readonly decision: string;
};

/** One step of the plan. */
export interface PlannedBillingStep {
  readonly step: string;
  readonly offsetDays: number;
  readonly stepDate: string;
  readonly sendAt: Date;
  /** The key the step asked for (`billing_d-3`); the dispatcher resolves it again when sending. */
  readonly requestedTemplateKey: string;
  /** The template actually used (the requested one, or the generic fallback). */
  readonly templateKey: string;
  readonly templateLocale: string;
  readonly variationId: string;
  readonly text: string;
  readonly status: 'scheduled' | 'skipped';
  readonly skipReason: SkipReason | null;
  readonly explanation: BillingStepExplanation;
}

/** Everything the plan of one cycle depends on. */
export interface PlanBillingStepsInput {
  /** Seeds the variation choice (`<cycleId>:<step>`). */
  readonly billingCycleId: string;
  readonly dueDate: string;
  /** Today in the tenant's zone, `YYYY-MM-DD`. */
  readonly today: string;
  readonly timeZone: string;
  /** `HH:MM` local. */
  readonly sendTime: string;
  readonly steps: readonly BillingStepConfig[];
  readonly calendar: BusinessCalendar;
  readonly recipientOptedOut: boolean;
  /** The resolved template of every requested key (`billingStepTemplateKey`). */
  readonly templates: Readonly<Record<string, ResolvedTemplate>>;
  /** Values of the billing variables (`billingMessageVariables`). */
  readonly variables: Readonly<Record<string, string>>;
}

interface Draft {
  readonly config: BillingStepConfig;
  readonly step: string;
  readonly stepDate: string;
  readonly nominalAt: Date;
  sendAt: Date;
  readonly shifts: string[];
  status: 'scheduled' | 'skipped';
  skipReason: SkipReason | null;
  decision: string;
}

/**
 * Plans the steps of one cycle, in step order. Throws a `ValidationError` when the due date is
 * more than a year from today or two steps share an offset.
 */
export function planBillingSteps(input: PlanBillingStepsInput): PlannedBillingStep[] {
  const rangeProblem = dueDateRangeProblem(input.dueDate, input.today);
  if (rangeProblem) throw ValidationError.forField('dueDate', rangeProblem);
  assertDistinctStepOffsets(input.steps);
  const configs = [...input.steps].sort((a, b) => a.offsetDays - b.offsetDays);

  const iso = (at: Date) => toZonedIso(at, input.timeZone);
  const localDate = (at: Date) => localParts(at, input.timeZone).date;
  const intoBusinessHours = (at: Date, shifts: string[]): Date => {
    const opening = input.calendar.nextOpening(at);
    if (opening.getTime() !== at.getTime())
      shifts.push(`outside business hours: moved from ${iso(at)} to the next opening, ${iso(opening)}`);
    return opening;
  };

  const drafts: Draft[] = configs.map((config) => {
    const stepDate = addLocalDays(input.dueDate, config.offsetDays);
    const nominalAt = zonedInstant(stepDate, input.sendTime, input.timeZone);
    const shifts: string[] = [];
    const sendAt = intoBusinessHours(nominalAt, shifts);
    return {
      config,
      step: billingStepLabel(config.offsetDays),
      stepDate,
      nominalAt,
      sendAt,
      shifts,
      status: 'scheduled',
      skipReason: null,
      decision: `sent on the step date ${stepDate} at the send time ${input.sendTime}`,
    };
  });

  applyPastRule(drafts, {
    today: input.today,
    localDate,
    catchUpAt: (shifts) => intoBusinessHours(zonedInstant(input.today, input.sendTime, input.timeZone), shifts),
  });
  applySameDayRule(drafts, localDate);
  if (input.recipientOptedOut) {
    for (const draft of drafts) {
      draft.status = 'skipped';
      draft.skipReason = 'opted_out';
      draft.decision = 'the contact opted out: nothing is sent';
    }
  }

  return drafts.map((draft) => {
    const requestedTemplateKey = billingStepTemplateKey(draft.config);
    const template = input.templates[requestedTemplateKey];
    if (!template) throw ValidationError.forField('templates', `no resolved template for ${requestedTemplateKey}`);
    const rendered = renderBillingMessage({ template, seed: `${input.billingCycleId}:${draft.step}`, variables: input.variables });
    return {
      step: draft.step,
      offsetDays: draft.config.offsetDays,
      stepDate: draft.stepDate,
      sendAt: draft.sendAt,
      requestedTemplateKey,
      templateKey: template.key,
      templateLocale: template.locale,
      variationId: rendered.variationId,
      text: rendered.text,
      status: draft.status,
      skipReason: draft.skipReason,
      explanation: {
        rule: 'billing.step',
        step: draft.step,
        offsetDays: draft.config.offsetDays,
        dueDate: input.dueDate,
        stepDate: draft.stepDate,
        today: input.today,
        sendTime: input.sendTime,
        timeZone: input.timeZone,
        nominalAt: iso(draft.nominalAt),
        sendAt: iso(draft.sendAt),
        shifts: draft.shifts,
        decision: draft.decision,
      },
    };
  });
}

/** Past steps: the most recent one is sent today unless a step falls today; the older ones are stale. */
function applyPastRule(
  drafts: Draft[],
  rule: { readonly today: string; readonly localDate: (at: Date) => string; readonly catchUpAt: (shifts: string[]) => Date },
): void {
  const isPast = (draft: Draft) => rule.localDate(draft.sendAt) < rule.today;
  const past = drafts.filter(isPast);
  const latest = past[past.length - 1];
  const stepToday = drafts.find((draft) => !isPast(draft) && rule.localDate(draft.sendAt) === rule.today);
  for (const draft of past) {
    draft.status = 'skipped';
    if (draft !== latest) {
      draft.skipReason = 'stale';
      draft.decision = `the step date ${draft.stepDate} is past and a later step is more recent: a stale reminder is not sent`;
    } else if (stepToday) {
      draft.skipReason = 'superseded';
      draft.decision = `the step date ${draft.stepDate} is past and step ${stepToday.step} is sent today instead`;
    } else {
      draft.sendAt = rule.catchUpAt(draft.shifts);
      draft.shifts.push(`past step: sent today (${rule.today}) at the send time instead of ${draft.stepDate}`);
      draft.status = 'scheduled';
      draft.decision = `the most recent past step: sent today, ${rule.today}, at the next opening`;
    }
  }
}

/** Two scheduled steps on one local day: only the later one goes out. */
function applySameDayRule(drafts: Draft[], localDate: (at: Date) => string): void {
  const scheduled = drafts.filter((draft) => draft.status === 'scheduled').sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime());
  for (let index = 0; index + 1 < scheduled.length; index += 1) {
    const current = scheduled[index];
    const next = scheduled[index + 1];
    if (!current || !next || localDate(current.sendAt) < localDate(next.sendAt)) continue;
    current.status = 'skipped';
    current.skipReason = 'superseded';
    current.decision = `lands on ${localDate(current.sendAt)}, the same day as step ${next.step}: only the later step is sent`;
  }
}
