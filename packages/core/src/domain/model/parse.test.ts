import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import { parseOrThrow, toFieldErrors } from './parse.js';

const customer = z.strictObject({
  name: z.string().min(1),
  address: z.strictObject({ city: z.string(), zip: z.string().regex(/^\d{5}-\d{3}$/, { message: 'must be a CEP' }) }),
  tags: z.array(z.string().max(3)),
});

function issuesOf(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected the input to be rejected');
  return result.error.issues;
}

describe('toFieldErrors', () => {
  it('reports nested paths as dotted fields, array indexes included', () => {
    const errors = toFieldErrors(issuesOf(customer, { name: '', address: { city: 'SP', zip: '1' }, tags: ['ok', 'toolong'] }));
    expect(errors.map((error) => error.field)).toEqual(['name', 'address.zip', 'tags.1']);
    expect(errors.find((error) => error.field === 'address.zip')?.message).toBe('must be a CEP');
  });

  it('prefixes the label', () => {
    const errors = toFieldErrors(issuesOf(customer, { name: 'x', address: { city: 'SP', zip: '1' }, tags: [] }), 'items.3.customer');
    expect(errors).toEqual([{ field: 'items.3.customer.address.zip', message: 'must be a CEP' }]);
  });

  it('reports every unknown key as "field: unknown field"', () => {
    const errors = toFieldErrors(
      issuesOf(customer, { name: 'x', address: { city: 'SP', zip: '01310-100', street: 'Av. Paulista' }, tags: [], extra: 1, more: 2 }),
    );
    expect(errors).toEqual([
      { field: 'address.street', message: 'unknown field' },
      { field: 'extra', message: 'unknown field' },
      { field: 'more', message: 'unknown field' },
    ]);
  });

  it('reports the deepest branch of a union: the one the caller most likely meant', () => {
    const contact = z.union([z.email(), z.strictObject({ phone: z.strictObject({ number: z.string() }) })]);
    const errors = toFieldErrors(issuesOf(z.object({ contact }), { contact: { phone: { number: 5 } } }));
    expect(errors.map((error) => error.field)).toEqual(['contact.phone.number']);
    expect(errors[0]?.message).toContain('expected string');
  });

  it('reports the union itself when no branch went deeper', () => {
    const errors = toFieldErrors(issuesOf(z.object({ value: z.union([z.string(), z.number()]) }), { value: true }));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field).toBe('value');
  });

  it('names the root with an empty field, or the label', () => {
    expect(toFieldErrors(issuesOf(z.string(), 5))[0]?.field).toBe('');
    expect(toFieldErrors(issuesOf(z.string(), 5), 'body')[0]?.field).toBe('body');
  });
});

describe('parseOrThrow', () => {
  it('returns the parsed output', () => {
    expect(parseOrThrow(z.object({ n: z.coerce.number() }), { n: '5' })).toEqual({ n: 5 });
  });

  it('throws a ValidationError naming every offending field', () => {
    let caught: unknown;
    try {
      parseOrThrow(customer, { name: '', address: { city: 1, zip: '01310-100' }, tags: [], extra: true }, 'customer');
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    const error = caught as ValidationError;
    expect(error.fieldErrors.map((fieldError) => fieldError.field)).toEqual(['customer.name', 'customer.address.city', 'customer.extra']);
    expect(error.message).toContain('customer.name: ');
    expect(error.message).toContain('customer.extra: unknown field');
  });
});
