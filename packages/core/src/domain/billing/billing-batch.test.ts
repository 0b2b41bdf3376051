import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { billingItemSchema, dueDateRangeProblem, maxBillingBatchItems, parseBillingBatch, parseBillingItem } from './billing-batch.js';

const schema = billingItemSchema({ defaultCountry: 'BR', today: '2026-03-02' });

function item(overrides: Record<string, unknown> = {}) {
  return {
    externalBillingId: 'INV-1',
    customer: { name: 'Ana', phone: '(11) 98765-4321' },
    amount: 123_456,
    currency: 'BRL',
    dueDate: '2026-03-10',
    ...overrides,
  };
}

function errorsOf(raw: unknown, today?: string) {
  const result = parseBillingItem(raw, { index: 0, schema: today ? billingItemSchema({ defaultCountry: 'BR', today }) : schema });
  return result.ok ? [] : result.errors;
}

describe('parseBillingBatch', () => {
  it('accepts exactly 1000 items and refuses 1001, naming items', () => {
    expect(parseBillingBatch({ items: Array.from({ length: maxBillingBatchItems }, () => ({})) }).items).toHaveLength(1000);
    expect(() => parseBillingBatch({ items: Array.from({ length: 1001 }, () => ({})) })).toThrow(
      'items: has 1001 items; a batch holds at most 1000 — split it into several batches',
    );
  });

  it('refuses a batch that is not { items: [...] }', () => {
    for (const input of [null, [], { items: 'x' }, { items: [], extra: 1 }]) {
      let caught: unknown;
      try {
        parseBillingBatch(input);
      } catch (error) {
        caught = error;
      }
      expect(ValidationError.isInstance(caught)).toBe(true);
    }
  });
});

describe('parseBillingItem', () => {
  it('normalises a valid item: E.164 phone, empty email dropped, metadata kept', () => {
    const result = parseBillingItem(
      item({ externalBillingId: '  INV-1 ', customer: { name: ' Ana ', phone: '(11) 8765-4321', email: '' }, metadata: { plan: 'gold' } }),
      { index: 4, schema },
    );
    expect(result.ok && result.item).toMatchObject({
      index: 4,
      externalBillingId: 'INV-1',
      customer: { name: 'Ana', email: null },
      metadata: { plan: 'gold' },
    });
    expect(result.ok && result.item.customer.phone.e164).toBe('+5511987654321');
  });

  it('rejects 30 February', () => {
    expect(errorsOf(item({ dueDate: '2026-02-30' }))).toEqual([
      { field: 'dueDate', message: 'must be a real calendar date in the form YYYY-MM-DD' },
    ]);
  });

  it('accepts a leap day and rejects 29 February of a common year', () => {
    expect(errorsOf(item({ dueDate: '2028-02-29' }), '2027-06-01')).toEqual([]);
    expect(errorsOf(item({ dueDate: '2027-02-29' }), '2027-01-01')).toEqual([
      { field: 'dueDate', message: 'must be a real calendar date in the form YYYY-MM-DD' },
    ]);
  });

  it('rejects a due date two years away, and one more than a year ago', () => {
    expect(errorsOf(item({ dueDate: '2028-03-02' }))[0]).toEqual({
      field: 'dueDate',
      message: 'is more than one year after today (2026-03-02); the latest accepted is 2027-03-02',
    });
    expect(errorsOf(item({ dueDate: '2025-03-01' }))[0]?.message).toMatch(/more than one year before today/);
    expect(errorsOf(item({ dueDate: '2027-03-02' }))).toEqual([]);
    expect(errorsOf(item({ dueDate: '2025-03-02' }))).toEqual([]);
  });

  it('measures a year from a leap day to 28 February', () => {
    expect(dueDateRangeProblem('2029-02-28', '2028-02-29')).toBeUndefined();
    expect(dueDateRangeProblem('2029-03-01', '2028-02-29')).toMatch(/latest accepted is 2029-02-28/);
  });

  it('rejects junk phones with a reason naming customer.phone and masking the digits', () => {
    for (const phone of ['abc', '123', '', '+55 11 1234', '(11) 0000-0000', 12345]) {
      const errors = errorsOf(item({ customer: { name: 'Ana', phone } }));
      expect(errors.map((error) => error.field)).toEqual(['customer.phone']);
    }
    expect(errorsOf(item({ customer: { name: 'Ana', phone: '+55 11 1234-56789' } }))[0]?.message).not.toMatch(/123456789/);
  });

  it('rejects an amount as a float, negative, zero or text', () => {
    expect(errorsOf(item({ amount: 1234.56 }))).toEqual([
      { field: 'amount', message: 'must be a whole number of minor units (cents), e.g. 123456 for 1.234,56 — not a decimal amount' },
    ]);
    expect(errorsOf(item({ amount: -100 }))).toEqual([{ field: 'amount', message: 'must be greater than zero' }]);
    expect(errorsOf(item({ amount: 0 }))).toEqual([{ field: 'amount', message: 'must be greater than zero' }]);
    expect(errorsOf(item({ amount: '1234' }))[0]?.field).toBe('amount');
  });

  it('rejects an unknown currency', () => {
    expect(errorsOf(item({ currency: 'XYZ' }))).toEqual([{ field: 'currency', message: 'must be an ISO 4217 currency code such as BRL' }]);
    expect(errorsOf(item({ currency: 'brl' }))[0]?.field).toBe('currency');
  });

  it('reports every problem of an item at once, and unknown fields by name', () => {
    const result = parseBillingItem(item({ externalBillingId: 'INV-9', amount: 1.5, currency: '???', dueDate: 'soon', notes: 'x' }), {
      index: 2,
      schema,
    });
    expect(result).toMatchObject({ ok: false, index: 2, externalBillingId: 'INV-9' });
    expect(!result.ok && result.errors.map((error) => error.field).sort()).toEqual(['amount', 'currency', 'dueDate', 'notes']);
  });

  it('bounds metadata', () => {
    const big = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, index]));
    expect(errorsOf(item({ metadata: big }))[0]).toEqual({ field: 'metadata', message: 'must have at most 50 keys' });
  });

  it('refuses metadata nested deeper than 32 levels without walking it (2,202 levels once overflowed the stack)', () => {
    const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(errorsOf(item({ metadata: { x: nested(2202) } }))).toEqual([{ field: 'metadata', message: 'must nest at most 32 levels deep' }]);
    expect(errorsOf(item({ metadata: { x: nested(32) } }))).toEqual([{ field: 'metadata', message: 'must nest at most 32 levels deep' }]);
    expect(errorsOf(item({ metadata: { x: nested(31) } }))).toEqual([]);
  });
});
