/**
 * The text of a billing message: the variables a billing template can use, filled from the
 * cycle, its contact and the tenant (amount in the tenant's locale and the cycle's currency),
 * and rendered so that no raw `{{placeholder}}` can ever reach a customer.
 */
import { ValidationError } from '../../errors/index.js';
import { formatLocalDate, formatMoney } from '../templates/format.js';
import { renderResolved, type ResolvedTemplate } from '../templates/resolve-template.js';

/** What a billing message talks about. */
export interface BillingMessageFacts {
  readonly customerName: string | null;
  readonly businessName: string;
  /** Minor units. */
  readonly amount: number;
  readonly currency: string;
  /** `YYYY-MM-DD`. */
  readonly dueDate: string;
  readonly externalBillingId: string;
  /** The tenant's locale: amounts and dates are written the way its customers read them. */
  readonly locale: string;
}

/** The values of every billing variable (`billingVariables`), ready to render. */
export function billingMessageVariables(facts: BillingMessageFacts): Record<string, string> {
  return {
    customerName: plainText(facts.customerName ?? ''),
    businessName: plainText(facts.businessName),
    amount: formatMoney(facts.amount, facts.currency, facts.locale),
    dueDate: formatLocalDate(facts.dueDate, facts.locale),
    externalBillingId: plainText(facts.externalBillingId),
  };
}

/**
 * Picks the variation for `seed` (`<cycleId>:<step>`) — or `variationId` when it is still an
 * active variation of the template, so a message keeps the variation it was planned with — and
 * renders it.
 */
export function renderBillingMessage(input: {
  readonly template: ResolvedTemplate;
  readonly seed: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly variationId?: string | null | undefined;
}): { readonly text: string; readonly variationId: string } {
  const planned = input.template.variations.find((variation) => variation.active && variation.id === input.variationId);
  const template = planned ? { ...input.template, variations: [planned] } : input.template;
  const rendered = renderResolved(template, input.seed, input.variables);
  // Saved templates cannot contain stray braces and values are stripped of them, so this never
  // fires; it is the last guard of the promise that a customer never sees a placeholder.
  if (/\{\{|\}\}/.test(rendered.text)) {
    throw ValidationError.forField('template', `variation ${rendered.variationId} of ${input.template.key} rendered a placeholder`);
  }
  return rendered;
}

/** Values come from customers' spreadsheets: braces in them could forge a placeholder, so they go. */
function plainText(value: string): string {
  return value.replace(/[{}]/g, '');
}
