/**
 * Driver errors become `SdrError`s in one place — and nothing of the driver's error (the row in
 * `detail`, PGlite's `params`) survives into them.
 */
import { ConflictError, DuplicateError, ProviderUnavailableError, SdrError, SlotUnavailableError, ValidationError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { mapDatabaseError } from './postgres-errors.js';

const phone = '+5511987654321';
const email = 'maria@example.com';

/** A driver error as node-postgres or PGlite raises it, carrying personal data as they do. */
function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`error with ${phone}`), {
    detail: `Key (tenant_id, phone)=(x, ${phone}) already exists.`,
    params: [phone, email],
    query: `INSERT … VALUES ('${email}')`,
    ...fields,
  });
}

describe('mapDatabaseError', () => {
  it.each([
    [{ code: '23505', constraint: 'leads_tenant_phone_key', table: 'leads' }, DuplicateError, 'lead phone already exists'],
    [{ code: '23505', constraint: 'leads_pkey', table: 'leads' }, DuplicateError, 'lead id already exists'],
    [{ code: '23505', constraint: 'billing_cycles_one_active_key', table: 'billing_cycles' }, DuplicateError, 'active billing cycle'],
    [{ code: '23P01', constraint: 'appointments_no_overlap', table: 'appointments' }, SlotUnavailableError, 'overlapping'],
    [{ code: '23503', constraint: 'messages_lead_id_fkey', table: 'messages' }, ValidationError, 'leadId'],
    [{ code: '23514', constraint: 'leads_stage_check', table: 'leads' }, ValidationError, 'not accepted'],
    [{ code: '40001' }, ConflictError, 'concurrent transaction'],
    [{ code: '40P01' }, ConflictError, 'concurrent transaction'],
    [{ code: '57P01' }, ProviderUnavailableError, 'postgres leads.create unavailable'],
    [{ code: 'ECONNREFUSED' }, ProviderUnavailableError, 'unavailable'],
    [{ code: 'XX000' }, SdrError, 'SQLSTATE XX000'],
  ] as const)('%j ⇒ %s', (fields, errorClass, text) => {
    const mapped = mapDatabaseError(driverError(fields), 'leads.create');
    expect(errorClass.isInstance(mapped)).toBe(true);
    expect(`${mapped.message} ${JSON.stringify(mapped.toJSON())}`).toContain(text);
  });

  it('serialisation failures and deadlocks are retryable; unique violations are not', () => {
    expect(mapDatabaseError(driverError({ code: '40001' }), 'op').retryable).toBe(true);
    expect(mapDatabaseError(driverError({ code: '40P01' }), 'op').retryable).toBe(true);
    expect(mapDatabaseError(driverError({ code: '23505', table: 'leads' }), 'op').retryable).toBe(false);
  });

  it('never carries the driver error, its detail, query or parameters — not even in the cause', () => {
    for (const code of ['23505', '23P01', '23503', '22P02', '40001', '57P01', 'XX000']) {
      const mapped = mapDatabaseError(driverError({ code, table: 'leads', constraint: 'leads_tenant_phone_key' }), 'leads.create');
      const everything = JSON.stringify({ ...mapped.toJSON(), cause: String(mapped.cause), causeObject: mapped.cause });
      expect(everything).not.toContain('98765');
      expect(everything).not.toContain('maria');
      expect(everything).not.toContain('INSERT');
    }
  });

  it('passes SdrErrors through untouched', () => {
    const original = new DuplicateError('lead', 'phone');
    expect(mapDatabaseError(original, 'op')).toBe(original);
  });
});
