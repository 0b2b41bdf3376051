/**
 * Golden vectors of the name-based (version 5) UUIDs an import derives its ids from: cycles,
 * contacts and step messages, and through them the variation picked and every plan hash. A
 * failure here means a re-imported batch would name new rows instead of finding its old ones:
 * change a vector only together with a deliberate, announced change of the format. The values
 * were computed outside JavaScript, with a standard RFC 9562 UUIDv5 implementation over @sdr's
 * namespace 5d2b0c4e-8f1a-4b6d-9e3c-7a1f2b4d6e80.
 */
import { describe, expect, it } from 'vitest';
import { billingCycleIdFor, billingStepDedupeKey, billingStepMessageIdFor, contactIdFor, nameBasedUuid } from './billing-ids.js';

const tenantId = '7d0f3c3e-2b1a-4c5d-8e9f-0a1b2c3d4e5f';
const firstCycleId = '02e9a8eb-09f2-5458-aa7e-1557ebb4aaac';

describe('name-based UUID golden vectors', () => {
  it.each([
    ['sdr', '47288d6f-fc12-50f4-af42-5a103b26886b'],
    ['', 'e423e100-480f-5ffb-8e72-d44a82d3b195'],
    ['São Paulo — ação', '25c4904c-6c3b-55d3-ab3f-8be5e72a1e09'],
  ])('nameBasedUuid(%j) is %s', (name, uuid) => {
    expect(nameBasedUuid(name)).toBe(uuid);
  });

  it('the ids an import derives', () => {
    expect(billingCycleIdFor({ tenantId, externalBillingId: 'INV-2026-0001', generation: 0 })).toBe(firstCycleId);
    expect(billingCycleIdFor({ tenantId, externalBillingId: 'INV-2026-0001', generation: 1 })).toBe('a4581001-cf91-5a84-9ad3-391265801328');
    expect(contactIdFor({ tenantId, e164: '+5511987654321' })).toBe('d4027420-107a-5cab-93c5-e55e83bb0c13');
    expect(billingStepMessageIdFor({ billingCycleId: firstCycleId, step: 'D-3' })).toBe('38b274db-a59c-5fd1-8019-ae77a02d7dbb');
    expect(billingStepDedupeKey({ billingCycleId: firstCycleId, step: 'D-3' })).toBe(`billing:${firstCycleId}:D-3`);
  });
});
