/** Assembles every in-memory repository over one runtime (the plain store's, or a transaction's). */
import type { Repositories } from '../../ports/repositories/repositories.js';
import {
  createApiKeyRepository,
  createIdempotencyKeyRepository,
  createInboundDedupeRepository,
  createOAuthTokenRepository,
} from './access-repositories.js';
import { createAlertRepository } from './alert-repository.js';
import { createAppointmentRepository } from './appointment-repository.js';
import { createBillingCycleRepository } from './billing-cycle-repository.js';
import { createContactRepository } from './contact-repository.js';
import { createLeadRepository } from './lead-repository.js';
import { createMessageRepository } from './message-repository.js';
import { createOutboxRepository } from './outbox-repository.js';
import { createSchedulerStore } from './scheduler-store.js';
import type { StoreRuntime } from './store-runtime.js';
import { createSyncStateRepository } from './sync-state-repository.js';
import { createTemplateRepository } from './template-repository.js';
import { createTenantRepository } from './tenant-repository.js';

/** Every repository of the store, over one runtime. */
export function createRepositories(runtime: StoreRuntime): Repositories {
  return {
    tenants: createTenantRepository(runtime),
    leads: createLeadRepository(runtime),
    messages: createMessageRepository(runtime),
    appointments: createAppointmentRepository(runtime),
    contacts: createContactRepository(runtime),
    billingCycles: createBillingCycleRepository(runtime),
    templates: createTemplateRepository(runtime),
    scheduledMessages: createSchedulerStore(runtime),
    outbox: createOutboxRepository(runtime),
    syncStates: createSyncStateRepository(runtime),
    alerts: createAlertRepository(runtime),
    apiKeys: createApiKeyRepository(runtime),
    oauthTokens: createOAuthTokenRepository(runtime),
    inboundDedupe: createInboundDedupeRepository(runtime),
    idempotencyKeys: createIdempotencyKeyRepository(runtime),
  };
}
