/**
 * Identifiers of what an import writes, derived from the data instead of drawn at random: the
 * same batch planned twice (a dry run, then the real import) names the same cycle, contact and
 * messages, so variations — picked from the cycle id — and the plan hash are reproducible, and
 * two concurrent imports of one item collide on the same primary key instead of both winning.
 */
import { createHash } from 'node:crypto';

// A fixed namespace for @sdr's name-based ids (RFC 9562 version 5). Changing it would change
// every derived id, and with it every plan hash and variation choice: it is part of the format.
const namespace = Buffer.from('5d2b0c4e8f1a4b6d9e3c7a1f2b4d6e80', 'hex');

/** A version-5 (name-based, SHA-1) UUID of `name`: the same name always yields the same id. */
export function nameBasedUuid(name: string): string {
  const digest = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the `generation`-th cycle of an `externalBillingId` in a tenant. Generation 0 is
 * the first cycle; a charge imported again after its cycle was paid or cancelled takes the next
 * free generation (the importer probes them in order).
 */
export function billingCycleIdFor(input: {
  readonly tenantId: string;
  readonly externalBillingId: string;
  readonly generation: number;
}): string {
  return nameBasedUuid(`billing-cycle\u0000${input.tenantId}\u0000${input.externalBillingId}\u0000${input.generation}`);
}

/** The id a new contact with this canonical phone gets in a tenant. */
export function contactIdFor(input: { readonly tenantId: string; readonly e164: string }): string {
  return nameBasedUuid(`contact\u0000${input.tenantId}\u0000${input.e164}`);
}

/** The id of the scheduled message of one step of a cycle. */
export function billingStepMessageIdFor(input: { readonly billingCycleId: string; readonly step: string }): string {
  return nameBasedUuid(`billing-step\u0000${input.billingCycleId}\u0000${input.step}`);
}

/** The dedupe key of the scheduled message of one step of a cycle (`billing:<cycleId>:D-3`). */
export function billingStepDedupeKey(input: { readonly billingCycleId: string; readonly step: string }): string {
  return `billing:${input.billingCycleId}:${input.step}`;
}
