/**
 * `runRepositoryConformance`: proves a `Store` keeps every repository's contract — tenant
 * isolation, unique keys, optimistic versions, the invariants the store itself enforces, cursor
 * paging — and that its transactions are atomic (packages/core/src/ports/repositories/repositories.ts).
 */
import { describe, expect, it } from 'vitest';
import { registerAccessTests } from './repository-access.js';
import { registerContactAndBillingTests } from './repository-billing.js';
import { storeSetup, type RepositoryConformanceOptions, type StoreSubject } from './repository-context.js';
import { registerMessageAndAppointmentTests } from './repository-messages-appointments.js';
import { registerOutboxTests } from './repository-outbox.js';
import { registerRecordTests } from './repository-records.js';
import { registerTenantAndLeadTests } from './repository-tenants-leads.js';
import { registerTransactionTests } from './repository-transactions.js';

export type { RepositoryConformanceOptions, StoreCapabilities, StoreInspector, StoreSubject } from './repository-context.js';

/**
 * Registers the `Store` conformance tests: every repository, the outbox and the unit of work.
 * Run `runSchedulerStoreConformance` on `store.scheduledMessages` as well (passing the store as
 * `repositories`) to cover the scheduled-messages table.
 *
 * Outbox claims span tenants, so `create` must return an empty store (or `reset` must empty it).
 */
export function runRepositoryConformance<Subject extends StoreSubject>(options: RepositoryConformanceOptions<Subject>): void {
  const setup = storeSetup(options);
  describe(`Store conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1 and a provider name',
      async () => {
        const { store } = await setup();
        expect(store.contractVersion).toBe('v1');
        expect(store.provider.length).toBeGreaterThan(0);
      },
      options.timeoutMs,
    );
    registerTenantAndLeadTests(setup, options);
    registerMessageAndAppointmentTests(setup, options);
    registerContactAndBillingTests(setup, options);
    registerRecordTests(setup, options);
    registerOutboxTests(setup, options);
    registerTransactionTests(setup, options);
    registerAccessTests(setup, options);
  });
}
