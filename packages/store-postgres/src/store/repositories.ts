/** Assembles every PostgreSQL repository over one context (the plain store's, or a transaction's). */
import type { Repositories } from '@sdr/core';
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
import type { StoreContext } from './store-context.js';
import { createSyncStateRepository } from './sync-state-repository.js';
import { createTemplateRepository } from './template-repository.js';
import { createTenantRepository } from './tenant-repository.js';

/** Every repository of the store, over one context. */
export function createRepositories(context: StoreContext): Repositories {
  return {
    tenants: createTenantRepository(context),
    leads: createLeadRepository(context),
    messages: createMessageRepository(context),
    appointments: createAppointmentRepository(context),
    contacts: createContactRepository(context),
    billingCycles: createBillingCycleRepository(context),
    templates: createTemplateRepository(context),
    scheduledMessages: createSchedulerStore(context),
    outbox: createOutboxRepository(context),
    syncStates: createSyncStateRepository(context),
    alerts: createAlertRepository(context),
    apiKeys: createApiKeyRepository(context),
    oauthTokens: createOAuthTokenRepository(context),
    inboundDedupe: createInboundDedupeRepository(context),
    idempotencyKeys: createIdempotencyKeyRepository(context),
  };
}
