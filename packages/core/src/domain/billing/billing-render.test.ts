import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResolvedTemplate } from '../templates/resolve-template.js';
import { validateTemplateBodies } from '../templates/template-engine.js';
import { billingVariables } from '../templates/template-catalog.js';
import { billingMessageVariables, renderBillingMessage } from './billing-render.js';

const facts = {
  customerName: 'Ana',
  businessName: 'Acme',
  amount: 123_456,
  currency: 'BRL',
  dueDate: '2026-03-10',
  externalBillingId: 'INV-1',
  locale: 'pt-BR',
};

function template(bodies: readonly string[]): ResolvedTemplate {
  return {
    key: 'billing_d0',
    locale: 'pt-BR',
    source: 'tenant',
    variations: bodies.map((body, index) => ({ id: `v${index}`, body, weight: 1, active: true })),
  };
}

describe('billing message rendering', () => {
  it('fills every billing variable in the tenant locale and the cycle currency', () => {
    expect(billingMessageVariables(facts)).toEqual({
      customerName: 'Ana',
      businessName: 'Acme',
      amount: 'R$ 1.234,56',
      dueDate: '10/03/2026',
      externalBillingId: 'INV-1',
    });
    expect(billingMessageVariables({ ...facts, currency: 'USD', locale: 'en' })).toMatchObject({
      amount: '$1,234.56',
      dueDate: '03/10/2026',
    });
  });

  it('keeps the planned variation while it is active', () => {
    const rendered = renderBillingMessage({
      template: template(['A {{amount}}', 'B {{amount}}', 'C {{amount}}']),
      seed: 'cycle:D0',
      variables: billingMessageVariables(facts),
      variationId: 'v2',
    });
    expect(rendered).toEqual({ text: 'C R$ 1.234,56', variationId: 'v2' });
  });

  it('property: never a raw placeholder, whatever the customer data and the saved bodies', () => {
    const piece = fc.oneof(
      fc.constantFrom(...billingVariables.map((name) => `{{${name}}}`), '{', '}', '{ ', ' }', 'R$', ' '),
      fc.string({ maxLength: 5 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), fc.string(), fc.string(), (pieces, name, id) => {
        const body = pieces.join('') || 'x';
        try {
          validateTemplateBodies({ variations: [{ body }], declared: billingVariables, allowed: billingVariables });
        } catch {
          return; // the template service refuses this body: it can never be rendered
        }
        const { text } = renderBillingMessage({
          template: template([body]),
          seed: 's',
          variables: billingMessageVariables({ ...facts, customerName: name, externalBillingId: id }),
        });
        expect(text).not.toMatch(/\{\{|\}\}/);
      }),
      { numRuns: 500 },
    );
  });
});
